package dev.paralleltask.runtime.internal.pool;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The calls not yet sent to a worker, oldest first; it may hold calls that are done (cancelled
 * while they waited), skipped when their turn comes. Guarded by the dispatcher's lock, which every
 * method asserts.
 */
final class CallQueue {
    private final ReentrantLock lock;
    private final ArrayDeque<PoolCall> calls = new ArrayDeque<>();

    CallQueue(ReentrantLock lock) {
        this.lock = lock;
    }

    void add(PoolCall call) {
        assert lock.isHeldByCurrentThread();
        calls.addLast(call);
    }

    void addAll(List<PoolCall> made) {
        assert lock.isHeldByCurrentThread();
        calls.addAll(made);
    }

    /**
     * Puts a call back at the front, unless it is done: one its worker gave back or died under. An
     * attempt that was started counts only if {@code counted}.
     */
    void putBack(PoolCall call, boolean counted) {
        assert lock.isHeldByCurrentThread();
        call.putBack(counted);
        if (!call.isDone()) {
            calls.addFirst(call);
        }
    }

    /** The oldest call that is not done, taken out; null if none. */
    PoolCall poll() {
        assert lock.isHeldByCurrentThread();
        for (PoolCall c; (c = calls.pollFirst()) != null; ) {
            if (!c.isDone()) {
                return c;
            }
        }
        return null;
    }

    /**
     * Whether a call waits that is not done; drops the done ones at the front, so that each done
     * call is looked at once: every submit of a growing pool asks.
     */
    boolean hasCalls() {
        assert lock.isHeldByCurrentThread();
        while (!calls.isEmpty() && calls.peekFirst().isDone()) {
            calls.pollFirst();
        }
        return !calls.isEmpty();
    }

    /** How many calls wait that are not done. */
    int waiting() {
        assert lock.isHeldByCurrentThread();
        int n = 0;
        for (PoolCall c : calls) {
            if (!c.isDone()) {
                n++;
            }
        }
        return n;
    }

    int size() {
        assert lock.isHeldByCurrentThread();
        return calls.size();
    }
}
