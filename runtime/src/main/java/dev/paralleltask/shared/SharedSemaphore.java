package dev.paralleltask.shared;

import static dev.paralleltask.runtime.internal.shared.SharedFile.LONGS;

import dev.paralleltask.runtime.internal.shared.Doorbell;
import dev.paralleltask.runtime.internal.shared.Owner;
import dev.paralleltask.runtime.internal.shared.SharedFile;
import dev.paralleltask.runtime.internal.shared.Waiter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A counting semaphore across processes, as {@link java.util.concurrent.Semaphore}: at most {@code
 * permits} permits are held at once, for bounded concurrency over a pool's workers. Permits are
 * held by processes: a process releases only permits it acquired, and the permits of a process that
 * died are given back, so a crashed or timed-out task never leaks one.
 *
 * <p>Each process's count is kept in a slot of the semaphore's memory ({@value #SLOTS} processes at
 * most hold permits at once); what is free is {@code permits} less what the live processes hold.
 * Waiters sleep using no CPU until a release wakes them, within microseconds.
 */
public final class SharedSemaphore extends SharedObject {
    private static final long serialVersionUID = 1L;
    static final int KIND = 5;

    static final int SLOTS = 256;
    private static final int SLOT_BYTES = 16; // pid, then count
    private static final int MUTEX = SharedFile.word(0);
    private static final long PID = ProcessHandle.current().pid();

    private final transient long permits;

    SharedSemaphore(SharedFile file) {
        super(file);
        this.permits = file.length();
    }

    /**
     * A new semaphore with {@code permits} permits.
     *
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public static SharedSemaphore create(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException(
                    "SharedSemaphore.create: permits must be >= 0, was " + permits);
        }
        return new SharedSemaphore(
                SharedFile.create(
                        KIND,
                        permits,
                        (long) SLOTS * SLOT_BYTES,
                        "SharedSemaphore of " + permits + " permits"));
    }

    @Override
    int kind() {
        return KIND;
    }

    /** Waits for a permit and takes it. */
    public void acquire() throws InterruptedException {
        take(1, Waiter.forever(file));
    }

    /**
     * Waits until {@code n} permits are free and takes them at once.
     *
     * @throws IllegalArgumentException if {@code n} is negative or more than the semaphore has
     */
    public void acquire(int n) throws InterruptedException {
        take(checked(n), Waiter.forever(file));
    }

    /** Takes a permit if one is free now; returns whether it did. */
    public boolean tryAcquire() {
        ensureOpen();
        return Mutex.holding(file, MUTEX, () -> takePermits(1, true));
    }

    /** Takes a permit if one comes within {@code timeout}; returns whether it did. */
    public boolean tryAcquire(Duration timeout) throws InterruptedException {
        return take(1, Waiter.forTimeout(timeout, file));
    }

    /** Takes a permit if one comes within the timeout; returns whether it did. */
    public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        return tryAcquire(1, timeout, unit);
    }

    /**
     * Takes {@code n} permits at once if they are free within the timeout; returns whether it did.
     *
     * @throws IllegalArgumentException if {@code n} is negative or more than the semaphore has
     */
    public boolean tryAcquire(int n, long timeout, TimeUnit unit) throws InterruptedException {
        return take(checked(n), Waiter.forTimeout(Duration.ofNanos(unit.toNanos(timeout)), file));
    }

    /** Takes every permit free now, and returns how many. */
    public int drainPermits() {
        ensureOpen();
        return Mutex.holding(
                file,
                MUTEX,
                () -> {
                    int free = (int) (permits - held(file.segment(0), true));
                    return free > 0 && takePermits(free, false) ? free : 0;
                });
    }

    private int checked(int n) {
        if (n < 0 || n > permits) {
            throw new IllegalArgumentException(
                    "cannot take " + n + " permits of " + this + ", which has " + permits);
        }
        return n;
    }

    private boolean take(int n, Waiter waiter) throws InterruptedException {
        try (waiter) {
            do {
                ensureOpen();
                boolean recover = waiter.isSleeping();
                if (Mutex.holding(file, MUTEX, () -> takePermits(n, recover))) {
                    return true;
                }
            } while (waiter.pause());
        }
        return false;
    }

    /**
     * Gives back a permit this process holds.
     *
     * @throws IllegalStateException if this process holds none
     */
    public void release() {
        release(1);
    }

    /**
     * Gives back {@code n} permits this process holds.
     *
     * @throws IllegalStateException if this process holds fewer
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public void release(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("cannot release " + n + " permits of " + this);
        }
        ensureOpen();
        boolean released =
                Mutex.holding(
                        file,
                        MUTEX,
                        () -> {
                            ByteBuffer slots = file.segment(0);
                            for (int i = 0; i < SLOTS; i++) {
                                int at = i * SLOT_BYTES;
                                long count = count(slots, at);
                                if (pid(slots, at) == PID && count >= n) {
                                    LONGS.setVolatile(slots, at + 8, count - n);
                                    return true;
                                }
                            }
                            return n == 0;
                        });
        Doorbell.ring(file);
        if (!released) {
            throw new IllegalStateException(
                    "release("
                            + n
                            + ") of "
                            + this
                            + " by pid "
                            + PID
                            + ", which holds fewer of its permits");
        }
    }

    /** How many permits are free now. */
    public long availablePermits() {
        ensureOpen();
        return Mutex.holding(file, MUTEX, () -> permits - held(file.segment(0), false));
    }

    /**
     * Under the mutex: takes {@code n} permits for this process if they are free, after giving back
     * those of dead processes when {@code recover} is set.
     */
    private boolean takePermits(int n, boolean recover) {
        ByteBuffer slots = file.segment(0);
        if (held(slots, recover) + n > permits) {
            return false;
        }
        int mine = -1;
        int free = -1;
        for (int i = 0; i < SLOTS && mine < 0; i++) {
            int at = i * SLOT_BYTES;
            long pid = pid(slots, at);
            if (pid == PID) {
                mine = at;
            } else if (free < 0 && count(slots, at) == 0) {
                free = at;
            }
        }
        if (mine < 0) {
            if (free < 0) {
                throw new IllegalStateException(
                        "more than " + SLOTS + " processes hold permits of " + this);
            }
            mine = free;
            LONGS.setVolatile(slots, mine, PID);
        }
        LONGS.setVolatile(slots, mine + 8, count(slots, mine) + n); // the one store that takes them
        return true;
    }

    /** Permits held by processes, those of dead ones given back first when {@code recover}. */
    private static long held(ByteBuffer slots, boolean recover) {
        long held = 0;
        for (int i = 0; i < SLOTS; i++) {
            int at = i * SLOT_BYTES;
            long count = count(slots, at);
            if (count == 0) {
                continue;
            }
            long pid = pid(slots, at);
            if (recover && pid != PID && Owner.processIsDead(pid)) {
                LONGS.setVolatile(slots, at + 8, 0L);
                continue;
            }
            held += count;
        }
        return held;
    }

    private static long pid(ByteBuffer slots, int at) {
        return (long) LONGS.getVolatile(slots, at);
    }

    private static long count(ByteBuffer slots, int at) {
        return (long) LONGS.getVolatile(slots, at + 8);
    }
}
