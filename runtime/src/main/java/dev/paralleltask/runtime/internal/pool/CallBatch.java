package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.TaskFuture;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers the calls a thread makes on a {@code ProcessPool} while it is open, and hands them to the
 * pool {@code size} at a time: one decision of the dispatcher and one write to a worker for all of
 * them ({@code TaskFutures.map} opens one when its calls are short: a million calls of a
 * microsecond would otherwise cost a lock and a system call each).
 *
 * <p>A batch changes only how calls are submitted. Each call is a call of its own from then on:
 * answered as it completes, retried, timed out, cancelled and, when its worker dies, failed or run
 * elsewhere exactly as a call submitted alone. A call of a {@code retries = 0} method in a batch
 * never runs twice.
 *
 * <p>Used by one thread; {@link #close} submits what is gathered.
 */
public final class CallBatch implements AutoCloseable {
    private static final ThreadLocal<CallBatch> OPEN = new ThreadLocal<>();

    private final int size;
    private final CallBatch enclosing;
    private Pool pool;
    private List<PoolCall> calls = new ArrayList<>();

    private CallBatch(int size, CallBatch enclosing) {
        this.size = size;
        this.enclosing = enclosing;
    }

    /** Opens a batch on this thread: calls made on a pool until {@link #close} are gathered. */
    public static CallBatch open(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a batch of " + size + " calls");
        }
        CallBatch batch = new CallBatch(size, OPEN.get());
        OPEN.set(batch);
        return batch;
    }

    /** The batch open on this thread, or null. */
    static CallBatch current() {
        return OPEN.get();
    }

    /** Takes a call of {@code pool}'s, submitting the batch when it is full. */
    TaskFuture<Object> add(Pool pool, PoolCall call) {
        if (this.pool != pool) {
            flush(); // a call on another pool: the batch so far goes to its own
            this.pool = pool;
        }
        calls.add(call);
        if (calls.size() >= size) {
            flush();
        }
        return call.future;
    }

    /** Submits what is gathered. */
    public void flush() {
        if (!calls.isEmpty()) {
            List<PoolCall> full = calls;
            calls = new ArrayList<>(size);
            pool.submitAll(full);
        }
    }

    /** Submits what is gathered, and closes the batch. */
    @Override
    public void close() {
        OPEN.set(enclosing);
        flush();
    }
}
