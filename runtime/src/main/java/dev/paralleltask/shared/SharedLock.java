package dev.paralleltask.shared;

import static dev.paralleltask.runtime.internal.shared.SharedFile.LONGS;

import dev.paralleltask.runtime.internal.shared.Doorbell;
import dev.paralleltask.runtime.internal.shared.Owner;
import dev.paralleltask.runtime.internal.shared.SharedFile;
import dev.paralleltask.runtime.internal.shared.Waiter;
import java.time.Duration;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A reentrant mutual-exclusion {@link Lock} across processes: one thread of one process holds it at
 * a time, as many times as it locked it, as a {@link java.util.concurrent.locks.ReentrantLock}
 * does. Code that takes a {@code Lock} takes this one. Unlike Python's {@code
 * multiprocessing.Lock}, which stays locked forever when its holder dies, a lock whose holder's
 * process died (crashed, was killed, timed out) is taken over by the next thread that waits for it,
 * within about half a second.
 *
 * <p>{@link #newCondition} gives a {@link Condition} that works across processes: a task given the
 * lock calls {@code newCondition()} in its own process, and every condition of one lock is the
 * same. A signal wakes every thread that waits on the lock's conditions; the JDK's contract allows
 * a waiter to wake without being signalled, which is why each waits in a loop that looks at its
 * state, so this is as correct as {@code signal()} waking one, and costs a wake-up of the others. A
 * thread that waits on a condition while the lock's holder dies wakes, takes the lock over and
 * returns, as from such a wake-up.
 *
 * <p>A waiter spins for a few microseconds, then sleeps using no CPU until the lock is released in
 * any process, which wakes it within microseconds.
 */
public final class SharedLock extends SharedObject implements Lock {
    private static final long serialVersionUID = 1L;
    static final int KIND = 4;

    /** The holder's token, or 0. */
    private static final int OWNER = SharedFile.word(0);

    /**
     * How many times the holder holds it: read and written by the holder only, which took it with a
     * compare-and-set of {@link #OWNER}, so plain accesses do.
     */
    private static final int HOLDS = OWNER + Long.BYTES; // on the owner's cache line

    /** How many times the lock's conditions were signalled, ever; written under the lock. */
    private static final int SIGNALS = SharedFile.word(1);

    SharedLock(SharedFile file) {
        super(file);
    }

    /** A new lock, not held. */
    public static SharedLock create() {
        return new SharedLock(SharedFile.create(KIND, 0, 0, "SharedLock"));
    }

    @Override
    int kind() {
        return KIND;
    }

    /**
     * Waits until this thread holds the lock. An interrupt does not end the wait; it stays set.
     *
     * @throws IllegalStateException if the lock is closed
     */
    @Override
    public void lock() {
        boolean interrupted = false;
        while (true) {
            try {
                take(Waiter.forever(file));
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until this thread holds the lock, or it is interrupted.
     *
     * @throws IllegalStateException if the lock is closed
     */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        take(Waiter.forever(file));
    }

    /**
     * Takes the lock if it is free now (or its holder's process died); returns whether it did.
     *
     * @throws IllegalStateException if the lock is closed
     */
    @Override
    public boolean tryLock() {
        ensureOpen();
        return tryTake(true);
    }

    /**
     * Takes the lock if it comes within {@code time}; returns whether it did.
     *
     * @throws IllegalStateException if the lock is closed
     */
    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return tryLock(Duration.ofNanos(unit.toNanos(time)));
    }

    /**
     * Takes the lock if it comes within {@code timeout}; returns whether it did.
     *
     * @throws IllegalStateException if the lock is closed
     */
    public boolean tryLock(Duration timeout) throws InterruptedException {
        return take(Waiter.forTimeout(timeout, file));
    }

    private boolean take(Waiter waiter) throws InterruptedException {
        try (waiter) {
            do {
                ensureOpen();
                if (tryTake(waiter.isSleeping())) {
                    return true;
                }
            } while (waiter.pause());
        }
        return false;
    }

    /** Takes it once more if this thread holds it, or if it is free (or its holder died). */
    private boolean tryTake(boolean recover) {
        long token = Owner.token();
        if (Owner.holder(file.header(), OWNER) == token) {
            long holds = (long) LONGS.get(file.header(), HOLDS);
            if (holds == Integer.MAX_VALUE) {
                throw new Error("maximum lock count exceeded by " + this);
            }
            LONGS.set(file.header(), HOLDS, holds + 1);
            return true;
        }
        if (Owner.tryTake(file.header(), OWNER, token, recover)) {
            LONGS.set(file.header(), HOLDS, 1L); // a dead holder's count goes with it
            return true;
        }
        return false;
    }

    /**
     * Releases the lock once: it is free when this thread has released it as many times as it
     * locked it.
     *
     * @throws IllegalMonitorStateException if this thread does not hold it, naming who does
     */
    @Override
    public void unlock() {
        ensureOpen();
        long holds = holdsOrThrow("unlock()");
        if (holds > 1) {
            LONGS.set(file.header(), HOLDS, holds - 1);
            return;
        }
        release();
    }

    /** Frees the lock, whatever this thread's hold count, and rings its waiters. */
    private void release() {
        LONGS.set(file.header(), HOLDS, 0L);
        Owner.give(file.header(), OWNER, Owner.token());
        Doorbell.ring(file);
    }

    /** Whether this thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        ensureOpen();
        return Owner.holder(file.header(), OWNER) == Owner.token();
    }

    /** How many times this thread holds the lock: 0 if it does not. */
    public int getHoldCount() {
        return isHeldByCurrentThread() ? (int) (long) LONGS.get(file.header(), HOLDS) : 0;
    }

    /** Whether any thread of any process holds it now. */
    public boolean isLocked() {
        ensureOpen();
        return Owner.holder(file.header(), OWNER) != 0;
    }

    /** This thread's hold count, or {@link IllegalMonitorStateException} for {@code what}. */
    private long holdsOrThrow(String what) {
        long token = Owner.token();
        long holder = Owner.holder(file.header(), OWNER);
        if (holder == token) {
            return (long) LONGS.get(file.header(), HOLDS);
        }
        throw new IllegalMonitorStateException(
                what
                        + " of "
                        + this
                        + " by "
                        + Owner.describe(token)
                        + (holder == 0
                                ? ", but it is not locked"
                                : ", but " + Owner.describe(holder) + " holds it")
                        + ": lock it first");
    }

    /**
     * A condition of this lock, across processes: every condition of one lock, made in any process,
     * is woken by the same signals (see the class's description).
     */
    @Override
    public Condition newCondition() {
        ensureOpen();
        return new SharedCondition();
    }

    private final class SharedCondition implements Condition {
        @Override
        public void await() throws InterruptedException {
            awaitSignal(Waiter.forever(file), true);
        }

        @Override
        public void awaitUninterruptibly() {
            try {
                awaitSignal(Waiter.forever(file), false);
            } catch (InterruptedException e) {
                throw new AssertionError(e); // an uninterruptible wait does not throw it
            }
        }

        @Override
        public long awaitNanos(long nanosTimeout) throws InterruptedException {
            long deadline = System.nanoTime() + Math.min(nanosTimeout, Long.MAX_VALUE >> 2);
            awaitSignal(Waiter.forTimeout(Duration.ofNanos(nanosTimeout), file), true);
            return deadline - System.nanoTime();
        }

        @Override
        public boolean await(long time, TimeUnit unit) throws InterruptedException {
            return awaitNanos(unit.toNanos(time)) > 0;
        }

        @Override
        public boolean awaitUntil(Date deadline) throws InterruptedException {
            return awaitNanos(
                            TimeUnit.MILLISECONDS.toNanos(
                                    deadline.getTime() - System.currentTimeMillis()))
                    > 0;
        }

        @Override
        public void signal() {
            signalAll();
        }

        @Override
        public void signalAll() {
            ensureOpen();
            holdsOrThrow("signal()");
            LONGS.getAndAdd(file.header(), SIGNALS, 1L);
            Doorbell.ring(file);
        }

        @Override
        public String toString() {
            return "a condition of " + SharedLock.this;
        }
    }

    /**
     * Releases the lock however often this thread holds it, waits for a signal (or the waiter's
     * deadline, or an interrupt, or the death of whoever holds the lock then), and takes the lock
     * back as often as it held it: always, even when interrupted.
     */
    private void awaitSignal(Waiter waiter, boolean interruptible) throws InterruptedException {
        ensureOpen();
        long holds = holdsOrThrow("await()");
        long signals = (long) LONGS.getVolatile(file.header(), SIGNALS);
        release();
        boolean interrupted = false;
        try (waiter) {
            while ((long) LONGS.getVolatile(file.header(), SIGNALS) == signals
                    && !file.isClosed()
                    && !(waiter.isSleeping() && holderDied())) {
                try {
                    if (!waiter.pause()) {
                        break; // its time is up
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                    if (interruptible) {
                        break;
                    }
                }
            }
        } finally {
            lock();
            LONGS.set(file.header(), HOLDS, holds);
        }
        if (interrupted) {
            if (interruptible) {
                throw new InterruptedException();
            }
            Thread.currentThread().interrupt();
        }
    }

    private boolean holderDied() {
        long holder = Owner.holder(file.header(), OWNER);
        return holder != 0 && Owner.isDead(holder);
    }
}
