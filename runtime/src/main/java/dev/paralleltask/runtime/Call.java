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
    /** The worker it was sent to, while it is in flight there; guarded by the pool's lock. */
    WorkerHandle worker;
    /** Whether the current attempt started: it reached the head of its worker's calls. Guarded by the pool's lock. */
    boolean started;
    /** Whether the pool asked its worker to give it back; guarded by the pool's lock. */
    boolean revoked;
    /** When the current attempt started; guarded by the pool's lock. */
    long startNanos;
    /** The pending timeout of the current attempt, if any; guarded by the pool's lock. */
    ScheduledFuture<?> timeout;

    Call(long id, TaskMethod method, byte[] body, ProcessPool pool) {
        this.id = id;
        this.method = method;
        this.body = body;
        this.future = new TaskFuture<>((f, wasRunning, interrupt) -> pool.onCancel(this, interrupt));
    }

    /** Guarded by the pool's lock. */
    void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
