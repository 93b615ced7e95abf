package dev.paralleltask.shared;

import dev.paralleltask.runtime.internal.shared.Owner;
import dev.paralleltask.runtime.internal.shared.SharedFile;
import dev.paralleltask.runtime.internal.shared.Waiter;
import java.time.Duration;

/**
 * A mutual-exclusion lock across processes: one thread of one process holds it at a time. Unlike
 * Python's {@code multiprocessing.Lock}, which stays locked forever when its holder dies, a lock
 * whose holder's process died (crashed, was killed, timed out) is taken over by the next {@link
 * #lock} or {@link #tryLock}. Not reentrant: locking it again from the thread that holds it throws
 * rather than waiting forever.
 *
 * <p>A waiter spins briefly, then sleeps in growing steps of up to a millisecond: it costs little
 * CPU while it waits, and may notice a release up to a millisecond late.
 */
public final class SharedLock extends SharedObject {
    private static final long serialVersionUID = 1L;
    static final int KIND = 4;

    private static final int OWNER = SharedFile.word(0);

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
     * @throws IllegalStateException if this thread holds it already, or the lock is closed
     */
    public void lock() {
        boolean interrupted = false;
        while (true) {
            try {
                take(Waiter.forever());
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
     * Takes the lock if it comes within {@code timeout}; returns whether it did.
     *
     * @throws IllegalStateException if this thread holds it already, or the lock is closed
     */
    public boolean tryLock(Duration timeout) throws InterruptedException {
        return take(Waiter.forTimeout(timeout));
    }

    private boolean take(Waiter waiter) throws InterruptedException {
        long token = Owner.token();
        do {
            ensureOpen();
            if (Owner.tryTake(file.header(), OWNER, token, waiter.isSleeping())) {
                return true;
            }
            if (Owner.holder(file.header(), OWNER) == token) {
                throw new IllegalStateException(
                        this + " is held by this thread already: a SharedLock is not reentrant");
            }
        } while (waiter.pause());
        return false;
    }

    /**
     * Releases the lock.
     *
     * @throws IllegalMonitorStateException if this thread does not hold it, naming who does
     */
    public void unlock() {
        ensureOpen();
        long token = Owner.token();
        if (!Owner.give(file.header(), OWNER, token)) {
            long holder = Owner.holder(file.header(), OWNER);
            throw new IllegalMonitorStateException(
                    "unlock() of "
                            + this
                            + " by "
                            + Owner.describe(token)
                            + (holder == 0
                                    ? ", but it is not locked"
                                    : ", but " + Owner.describe(holder) + " holds it"));
        }
    }
}
