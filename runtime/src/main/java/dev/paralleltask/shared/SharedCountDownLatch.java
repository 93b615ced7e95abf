package dev.paralleltask.shared;

import static dev.paralleltask.runtime.internal.shared.SharedFile.LONGS;

import dev.paralleltask.runtime.internal.shared.Doorbell;
import dev.paralleltask.runtime.internal.shared.SharedFile;
import dev.paralleltask.runtime.internal.shared.Waiter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A {@link java.util.concurrent.CountDownLatch} across processes: tasks in any worker count down,
 * and whoever awaits wakes once the count reaches zero. The count never goes below zero or back up;
 * a process that dies without counting down leaves the count where it was, as a thread that dies
 * does. Waiters sleep using no CPU until the count reaches zero, which wakes them within
 * microseconds.
 */
public final class SharedCountDownLatch extends SharedObject {
    private static final long serialVersionUID = 1L;
    static final int KIND = 8;

    private static final int COUNT = SharedFile.word(0);

    SharedCountDownLatch(SharedFile file) {
        super(file);
    }

    /**
     * A new latch at {@code count}.
     *
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public static SharedCountDownLatch create(int count) {
        if (count < 0) {
            throw new IllegalArgumentException(
                    "SharedCountDownLatch.create: count must be >= 0, was " + count);
        }
        SharedCountDownLatch latch =
                new SharedCountDownLatch(
                        SharedFile.create(KIND, count, 0, "SharedCountDownLatch of " + count));
        LONGS.setVolatile(latch.file.header(), COUNT, (long) count);
        return latch;
    }

    @Override
    int kind() {
        return KIND;
    }

    /** Counts down by one; at zero, every waiter wakes. Nothing happens if it is zero already. */
    public void countDown() {
        ensureOpen();
        for (long count; (count = getCount()) > 0; ) {
            if (LONGS.compareAndSet(file.header(), COUNT, count, count - 1)) {
                if (count == 1) {
                    Doorbell.ring(file);
                }
                return;
            }
        }
    }

    /** The count now. */
    public long getCount() {
        ensureOpen();
        return (long) LONGS.getVolatile(file.header(), COUNT);
    }

    /** Waits until the count is zero. */
    public void await() throws InterruptedException {
        await(Waiter.forever(file));
    }

    /** Waits until the count is zero, at most {@code timeout}; returns whether it is. */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return await(Waiter.forTimeout(Duration.ofNanos(unit.toNanos(timeout)), file));
    }

    private boolean await(Waiter waiter) throws InterruptedException {
        try (waiter) {
            do {
                if (getCount() == 0) {
                    return true;
                }
            } while (waiter.pause());
        }
        return getCount() == 0;
    }

    @Override
    public String toString() {
        return super.toString() + (isClosed() ? "" : "[count=" + getCount() + "]");
    }
}
