package dev.paralleltask.shared;

import dev.paralleltask.runtime.internal.shared.Doorbell;
import dev.paralleltask.runtime.internal.shared.SharedFile;
import dev.paralleltask.runtime.internal.shared.Waiter;
import java.time.Duration;

/**
 * A flag that processes wait on, as Python's {@code multiprocessing.Event}: {@link #set} wakes
 * every waiter, {@link #clear} lowers it again. Waiters sleep using no CPU, and {@link #set} wakes
 * them within microseconds, in any process.
 */
public final class SharedEvent extends SharedObject {
    private static final long serialVersionUID = 1L;
    static final int KIND = 6;

    private static final int FLAG = SharedFile.word(0);

    SharedEvent(SharedFile file) {
        super(file);
    }

    /** A new event, not set. */
    public static SharedEvent create() {
        return new SharedEvent(SharedFile.create(KIND, 0, 0, "SharedEvent"));
    }

    @Override
    int kind() {
        return KIND;
    }

    public void set() {
        ensureOpen();
        SharedFile.LONGS.setVolatile(file.header(), FLAG, 1L);
        Doorbell.ring(file);
    }

    public void clear() {
        ensureOpen();
        SharedFile.LONGS.setVolatile(file.header(), FLAG, 0L);
    }

    public boolean isSet() {
        ensureOpen();
        return (long) SharedFile.LONGS.getVolatile(file.header(), FLAG) != 0;
    }

    /**
     * Waits until the event is set, at most {@code timeout}; returns whether it is.
     *
     * @throws IllegalStateException if the event is closed, before or while it waits
     */
    public boolean await(Duration timeout) throws InterruptedException {
        try (Waiter waiter = Waiter.forTimeout(timeout, file)) {
            do {
                if (isSet()) {
                    return true;
                }
            } while (waiter.pause());
        }
        return isSet();
    }
}
