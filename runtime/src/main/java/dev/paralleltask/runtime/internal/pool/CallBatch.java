package dev.paralleltask.runtime.internal.pool;

import java.util.ArrayList;
import java.util.List;

/**
 * Gathers the calls a thread makes on an executor while it is open, and hands them to the executor
 * {@code size} at a time: for a {@code ProcessPool}, one decision of the dispatcher and one write
 * to a worker for all of them; for a cluster, one turn of its dispatcher's lock ({@code
 * TaskFutures.map} opens one when its calls are short: a million calls of a microsecond would
 * otherwise cost a lock and a system call each). An executor that takes no batches ignores it.
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

    /** An executor's way to take many calls at once: one {@link #submitAll} for a batch's calls. */
    public interface Sink<C> {
        /**
         * Submits calls made while the batch was open, in order; their futures are the caller's.
         */
        void submitAll(List<C> calls);
    }

    private final int size;
    private final CallBatch enclosing;

    /** Where the gathered calls go; each was added with it. */
    private Sink<Object> sink;

    private List<Object> calls;

    private CallBatch(int size, CallBatch enclosing) {
        this.size = size;
        this.enclosing = enclosing;
        this.calls = new ArrayList<>(Math.min(size, MAX_PRESIZE));
    }

    /** Room made at once for the calls of a batch: a map opens one per batch of short calls. */
    private static final int MAX_PRESIZE = 1_024;

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
    public static CallBatch current() {
        return OPEN.get();
    }

    /** Takes a call for {@code sink}, submitting the batch when it is full. */
    public <C> void add(Sink<C> sink, C call) {
        if (this.sink != sink) {
            flush(); // a call on another executor: the batch so far goes to its own
            @SuppressWarnings("unchecked") // every call gathered from now on was added with it
            Sink<Object> same = (Sink<Object>) sink;
            this.sink = same;
        }
        calls.add(call);
        if (calls.size() >= size) {
            flush();
        }
    }

    /** Submits what is gathered. */
    public void flush() {
        if (!calls.isEmpty()) {
            List<Object> full = calls;
            calls = new ArrayList<>(Math.min(size, MAX_PRESIZE));
            sink.submitAll(full);
        }
    }

    /** Submits what is gathered, and closes the batch. */
    @Override
    public void close() {
        OPEN.set(enclosing);
        flush();
    }
}
