package dev.paralleltask.shared;

import static dev.paralleltask.runtime.internal.shared.SharedFile.LONGS;

import dev.paralleltask.runtime.internal.shared.Owner;
import dev.paralleltask.runtime.internal.shared.SharedFile;
import dev.paralleltask.runtime.internal.shared.Waiter;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A counting semaphore across processes: at most {@code permits} acquisitions are held at once, for
 * bounded concurrency over a pool's workers. Permits are held by processes: a process releases only
 * permits it acquired, and the permits of a process that died are given back, so a crashed or
 * timed-out task never leaks one.
 *
 * <p>Each process's count is kept in a slot of the semaphore's memory ({@value #SLOTS} processes at
 * most hold permits at once); what is free is {@code permits} less what the live processes hold.
 * Waiters sleep in growing steps of up to a millisecond.
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
        take(Waiter.forever());
    }

    /** Takes a permit if one comes within {@code timeout}; returns whether it did. */
    public boolean tryAcquire(Duration timeout) throws InterruptedException {
        return take(Waiter.forTimeout(timeout));
    }

    private boolean take(Waiter waiter) throws InterruptedException {
        do {
            ensureOpen();
            boolean recover = waiter.isSleeping();
            if (Mutex.holding(file, MUTEX, () -> takePermit(recover))) {
                return true;
            }
        } while (waiter.pause());
        return false;
    }

    /**
     * Gives back a permit this process holds.
     *
     * @throws IllegalStateException if this process holds none
     */
    public void release() {
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
                                if (pid(slots, at) == PID && count > 0) {
                                    LONGS.setVolatile(slots, at + 8, count - 1);
                                    return true;
                                }
                            }
                            return false;
                        });
        if (!released) {
            throw new IllegalStateException(
                    "release() of "
                            + this
                            + " by pid "
                            + PID
                            + ", which holds none of its permits");
        }
    }

    /** How many permits are free now. */
    public long availablePermits() {
        ensureOpen();
        return Mutex.holding(file, MUTEX, () -> permits - held(file.segment(0), false));
    }

    /**
     * Under the mutex: takes a permit for this process if one is free, after giving back those of
     * dead processes when {@code recover} is set.
     */
    private boolean takePermit(boolean recover) {
        ByteBuffer slots = file.segment(0);
        if (held(slots, recover) >= permits) {
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
        LONGS.setVolatile(slots, mine + 8, count(slots, mine) + 1); // the one store that takes it
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
