package dev.paralleltask.shared;

import static dev.paralleltask.runtime.internal.shared.SharedFile.LONGS;

import dev.paralleltask.runtime.internal.shared.Doorbell;
import dev.paralleltask.runtime.internal.shared.Owner;
import dev.paralleltask.runtime.internal.shared.SharedFile;
import dev.paralleltask.runtime.internal.shared.Waiter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link java.util.concurrent.CyclicBarrier} across processes: {@code parties} tasks, in any
 * workers, wait for each other at {@link #await}, and all go on once the last arrives; then it can
 * be used again. As the JDK's, it breaks when a waiting party gives up (its wait timed out, or it
 * was interrupted) or when {@link #reset} is called while parties wait: every waiter then gets
 * {@link BrokenBarrierException}, and so does every later {@code await} until {@code reset()}.
 * Unlike Python's {@code Barrier}, it also breaks when a waiting party's process dies (a crash, a
 * timeout kill), instead of leaving the others waiting for good. Waiters sleep using no CPU until
 * the last party comes, which wakes them within microseconds.
 */
public final class SharedCyclicBarrier extends SharedObject {
    private static final long serialVersionUID = 1L;
    static final int KIND = 9;

    /** At most this many parties: each waiting one's pid has a slot, to see it die. */
    static final int MAX_PARTIES = 4096;

    private static final int MUTEX = SharedFile.word(0);

    /** How many times the barrier has tripped or been reset. */
    private static final int GENERATION = SharedFile.word(1);

    /** Parties waiting in this generation; their pids are in the slots, in order. */
    private static final int ARRIVED = SharedFile.word(2);

    /** 0, or the broken generation plus one: broken while it is the generation now. */
    private static final int BROKEN = SharedFile.word(3);

    private static final long PID = ProcessHandle.current().pid();

    private final transient int parties;

    SharedCyclicBarrier(SharedFile file) {
        super(file);
        this.parties = (int) file.length();
    }

    /**
     * A new barrier for {@code parties} parties.
     *
     * @throws IllegalArgumentException if {@code parties} is not between 1 and 4096
     */
    public static SharedCyclicBarrier create(int parties) {
        if (parties < 1 || parties > MAX_PARTIES) {
            throw new IllegalArgumentException(
                    "SharedCyclicBarrier.create: parties must be 1 to "
                            + MAX_PARTIES
                            + ", was "
                            + parties);
        }
        return new SharedCyclicBarrier(
                SharedFile.create(
                        KIND,
                        parties,
                        (long) parties * Long.BYTES,
                        "SharedCyclicBarrier of " + parties + " parties"));
    }

    @Override
    int kind() {
        return KIND;
    }

    public int getParties() {
        return parties;
    }

    /** How many parties wait at the barrier now. */
    public int getNumberWaiting() {
        ensureOpen();
        return (int) (long) LONGS.getVolatile(file.header(), ARRIVED);
    }

    /** Whether it is broken: a party gave up or died while waiting, or it was reset under them. */
    public boolean isBroken() {
        ensureOpen();
        return Mutex.holding(file, MUTEX, this::brokenNow);
    }

    /**
     * Waits until every party has arrived.
     *
     * @return the arrival index: {@code getParties() - 1} for the first to arrive, 0 for the last
     * @throws BrokenBarrierException if it is or becomes broken while this party waits
     * @throws InterruptedException if interrupted while waiting, which breaks it for the others
     */
    public int await() throws InterruptedException, BrokenBarrierException {
        try {
            return await(Waiter.forever(file));
        } catch (TimeoutException e) {
            throw new AssertionError(e); // no deadline
        }
    }

    /**
     * As {@link #await()}, waiting at most {@code timeout}.
     *
     * @throws TimeoutException if the others did not come in time, which breaks it for them
     */
    public int await(long timeout, TimeUnit unit)
            throws InterruptedException, BrokenBarrierException, TimeoutException {
        return await(Waiter.forTimeout(Duration.ofNanos(unit.toNanos(timeout)), file));
    }

    /**
     * Breaks the barrier for the parties waiting at it, if any, and makes it whole again for the
     * next generation.
     */
    public void reset() {
        ensureOpen();
        Mutex.holding(
                file,
                MUTEX,
                () -> {
                    ByteBuffer header = file.header();
                    long generation = (long) LONGS.getVolatile(header, GENERATION);
                    if ((long) LONGS.getVolatile(header, ARRIVED) > 0) {
                        LONGS.setVolatile(header, BROKEN, generation + 1);
                    }
                    LONGS.setVolatile(header, ARRIVED, 0L);
                    LONGS.setVolatile(header, GENERATION, generation + 1);
                    return null;
                });
        Doorbell.ring(file);
    }

    private int await(Waiter waiter)
            throws InterruptedException, BrokenBarrierException, TimeoutException {
        ensureOpen();
        long[] arrival = Mutex.holding(file, MUTEX, this::arrive);
        if (arrival == null) {
            throw new BrokenBarrierException();
        }
        long generation = arrival[0];
        int index = (int) arrival[1];
        if (index == 0) {
            Doorbell.ring(file);
            return 0; // the last to arrive tripped it
        }
        try (waiter) {
            while (true) {
                ensureOpen();
                int outcome = Mutex.holding(file, MUTEX, () -> outcome(generation, waiter));
                if (outcome == TRIPPED) {
                    return index;
                }
                if (outcome == BROKEN_NOW) {
                    Doorbell.ring(file); // it may have been this party that found it broken
                    throw new BrokenBarrierException();
                }
                if (!waiter.pause()) {
                    int last = giveUp(generation);
                    if (last == TRIPPED) {
                        return index; // it tripped as the time ran out
                    }
                    if (last == BROKEN_NOW) {
                        throw new BrokenBarrierException(); // another party broke it first
                    }
                    throw new TimeoutException(
                            this + ": not every party came in time; it is broken now");
                }
            }
        } catch (InterruptedException e) {
            int last = giveUp(generation);
            if (last == GAVE_UP) {
                throw e;
            }
            Thread.currentThread().interrupt(); // as the JDK's: keep the interrupt, and say how
            if (last == TRIPPED) { // it ended
                return index;
            }
            throw new BrokenBarrierException();
        }
    }

    private static final int WAITING = 0;
    private static final int TRIPPED = 1;
    private static final int BROKEN_NOW = 2;

    /** This party broke it by giving up. */
    private static final int GAVE_UP = 3;

    /**
     * Under the mutex: where this generation stands; breaks it if a waiting party died (looked at
     * now and then, once {@code waiter} sleeps; never without one).
     */
    private int outcome(long generation, Waiter waiter) {
        ByteBuffer header = file.header();
        if ((long) LONGS.getVolatile(header, BROKEN) == generation + 1) {
            return BROKEN_NOW;
        }
        if ((long) LONGS.getVolatile(header, GENERATION) != generation) {
            return TRIPPED;
        }
        if (waiter != null && waiter.isSleeping() && aWaitingPartyDied()) {
            LONGS.setVolatile(header, BROKEN, generation + 1);
            return BROKEN_NOW;
        }
        return WAITING;
    }

    /** Under the mutex: this party arrives. Its generation and arrival index; null if broken. */
    private long[] arrive() {
        ByteBuffer header = file.header();
        if (brokenNow()) {
            return null;
        }
        long generation = (long) LONGS.getVolatile(header, GENERATION);
        int arrived = (int) (long) LONGS.getVolatile(header, ARRIVED);
        int index = parties - 1 - arrived;
        if (index == 0) { // the last: everyone goes on
            LONGS.setVolatile(header, ARRIVED, 0L);
            LONGS.setVolatile(header, GENERATION, generation + 1);
        } else {
            LONGS.setVolatile(file.segment(0), arrived * Long.BYTES, PID);
            LONGS.setVolatile(header, ARRIVED, (long) arrived + 1);
        }
        return new long[] {generation, index};
    }

    /**
     * This party stops waiting (timeout, interrupt): the barrier breaks for the others ({@link
     * #GAVE_UP}), unless it tripped ({@link #TRIPPED}) or broke ({@link #BROKEN_NOW}) meanwhile.
     */
    private int giveUp(long generation) {
        int outcome =
                Mutex.holding(
                        file,
                        MUTEX,
                        () -> {
                            int now = outcome(generation, null);
                            if (now == WAITING) {
                                LONGS.setVolatile(file.header(), BROKEN, generation + 1);
                                return GAVE_UP;
                            }
                            return now;
                        });
        Doorbell.ring(file);
        return outcome;
    }

    private boolean brokenNow() {
        ByteBuffer header = file.header();
        return (long) LONGS.getVolatile(header, BROKEN)
                == (long) LONGS.getVolatile(header, GENERATION) + 1;
    }

    private boolean aWaitingPartyDied() {
        ByteBuffer slots = file.segment(0);
        int arrived = (int) (long) LONGS.getVolatile(file.header(), ARRIVED);
        for (int i = 0; i < arrived; i++) {
            if (Owner.processIsDead((long) LONGS.getVolatile(slots, i * Long.BYTES))) {
                return true;
            }
        }
        return false;
    }
}
