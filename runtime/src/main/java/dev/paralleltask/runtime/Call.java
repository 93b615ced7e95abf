package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.TaskMethod;
import java.util.concurrent.ScheduledFuture;

/** One call in a {@link ProcessPool}: what to send, and the future to complete. */
final class Call {
    final long id;
    final TaskMethod method;
    /** The encoded call: a snapshot taken on the caller's thread. */
    final byte[] body;
    final TaskFuture<Object> future;

    /** How many times it was started; guarded by the pool's lock. */
    int attempts;
    /** The worker running it; guarded by the pool's lock. */
    WorkerHandle worker;
    /** When the current attempt was sent; written before the send, by the sending thread. */
    volatile long startNanos;
    /** The pending timeout of the current attempt, if any. */
    volatile ScheduledFuture<?> timeout;

    Call(long id, TaskMethod method, byte[] body, ProcessPool pool) {
        this.id = id;
        this.method = method;
        this.body = body;
        this.future = new TaskFuture<>((f, wasRunning, interrupt) -> pool.onCancel(this, wasRunning, interrupt));
    }

    void cancelTimeout() {
        ScheduledFuture<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
    }
}
