package dev.paralleltask.runtime.internal.shared;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a change that another thread, of any process, makes to a shared object. The caller
 * looks at the object, and calls {@link #pause} while what it wants is not there: a hand-off that
 * comes within microseconds is seen by spinning and yielding; after that the waiter writes itself
 * in the object's {@link Doorbell}, and sleeps until the thread that changes the object rings it,
 * using no CPU. It wakes on its own every {@value #CHECK_MILLIS} ms all the same, to look at what
 * no one rings for: a holder whose process died, an object closed by a process that died first.
 * Close it once the wait is over, so it leaves the doorbell.
 *
 * <p>A waiter of an object whose doorbell is full, or of no object ({@link #polling}), sleeps in
 * growing steps of up to {@value #MAX_SLEEP_MICROS} µs instead: it burns a few percent of a core at
 * most and notices a change up to a millisecond late.
 */
public final class Waiter implements AutoCloseable {
    private static final int SPINS = 200;
    private static final int YIELDS = 20;
    private static final long MAX_SLEEP_MICROS = 1_000;
    private static final long CHECK_MILLIS = 500;

    private final long deadline;
    private final boolean timed;

    /** The object whose doorbell it sleeps at; null to poll. */
    private final SharedFile file;

    private int round;

    /** The doorbell's ticket while it is written there, else 0. */
    private long ticket;

    private boolean triedDoorbell;

    /** Whether its last sleep at the doorbell ran its full time, with no ring. */
    private boolean quiet;

    private Waiter(long deadline, boolean timed, SharedFile file) {
        this.deadline = deadline;
        this.timed = timed;
        this.file = file;
    }

    /**
     * A waiter for a change of {@code file}'s object that waits at most {@code timeout}; not at all
     * if it is zero or negative.
     */
    public static Waiter forTimeout(Duration timeout, SharedFile file) {
        long nanos;
        try {
            nanos = Objects.requireNonNull(timeout, "timeout").toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE; // centuries: as good as forever
        }
        long now = System.nanoTime();
        return new Waiter(nanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos, true, file);
    }

    /** A waiter for a change of {@code file}'s object, with no time limit. */
    public static Waiter forever(SharedFile file) {
        return new Waiter(0, false, file);
    }

    /** A waiter that polls, for sections held a few microseconds, where no one rings. */
    public static Waiter polling() {
        return new Waiter(0, false, null);
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
        } else if (file != null && !triedDoorbell) {
            triedDoorbell = true;
            ticket = Doorbell.enter(file);
            // The caller looks once more, now that a change would ring it, before it sleeps.
        } else if (ticket != 0 && left >= 1_000_000) {
            long nap = Math.min(left, CHECK_MILLIS * 1_000_000);
            long start = System.nanoTime();
            if (!Doorbell.sleep(file, ticket, nap)) {
                close(); // its socket failed: it polls from now on
            }
            quiet = System.nanoTime() - start >= nap;
        } else {
            long micros = Math.min(MAX_SLEEP_MICROS, 5L << Math.min(r - SPINS - YIELDS, 10));
            LockSupport.parkNanos(this, Math.min(left, micros * 1_000));
        }
        return true;
    }

    /**
     * Whether it has slept a while with nothing ringing: a good time to look at things that cost
     * more to check, such as whether a holder's process died.
     */
    public boolean isSleeping() {
        if (ticket != 0) {
            return quiet;
        }
        return round > SPINS + YIELDS && (round & 7) == 0;
    }

    /** Leaves the doorbell. */
    @Override
    public void close() {
        Doorbell.leave(file, ticket);
        ticket = 0;
    }
}
