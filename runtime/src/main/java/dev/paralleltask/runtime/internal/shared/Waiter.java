package dev.paralleltask.runtime.internal.shared;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a condition that another process changes in shared memory, where no one can wake us: it
 * spins briefly, then yields, then sleeps a little longer each round, up to {@value
 * #MAX_SLEEP_MICROS} µs. A waiter left waiting for long so wakes up about a thousand times a second
 * and burns a few percent of a core at most (benchmarks, {@code shared}); a hand-off that comes
 * soon is seen within microseconds.
 */
public final class Waiter {
    private static final int SPINS = 200;
    private static final int YIELDS = 20;
    private static final long MAX_SLEEP_MICROS = 1_000;

    private final long deadline;
    private final boolean timed;
    private int round;

    private Waiter(long deadline, boolean timed) {
        this.deadline = deadline;
        this.timed = timed;
    }

    /** A waiter that waits at most {@code timeout}; not at all if it is zero or negative. */
    public static Waiter forTimeout(Duration timeout) {
        long nanos;
        try {
            nanos = Objects.requireNonNull(timeout, "timeout").toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE; // centuries: as good as forever
        }
        long now = System.nanoTime();
        return new Waiter(nanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos, true);
    }

    public static Waiter forever() {
        return new Waiter(0, false);
    }

    /**
     * Waits one round. Returns false, without waiting, once the deadline has passed.
     *
     * @throws InterruptedException if the thread is interrupted (and clears its status)
     */
    public boolean pause() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long left = timed ? deadline - System.nanoTime() : Long.MAX_VALUE;
        if (left <= 0) {
            return false;
        }
        int r = round++;
        if (r < SPINS) {
            Thread.onSpinWait();
        } else if (r < SPINS + YIELDS) {
            Thread.yield();
        } else {
            long micros = Math.min(MAX_SLEEP_MICROS, 5L << Math.min(r - SPINS - YIELDS, 10));
            LockSupport.parkNanos(Math.min(left, micros * 1_000));
        }
        return true;
    }

    /** Whether it has begun to sleep: a good time to look at things that cost more to check. */
    public boolean isSleeping() {
        return round > SPINS + YIELDS && (round & 7) == 0;
    }
}
