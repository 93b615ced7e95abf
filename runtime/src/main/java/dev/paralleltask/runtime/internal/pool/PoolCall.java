package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;

/**
 * One call in a pool: what to send, the future to settle, and where it is in its life.
 *
 * <p>Possible transitions, each made by {@link Dispatcher} under its lock:
 *
 * <pre>
 * queued  -> sent      dispatch: in a worker's calls in flight ({@code worker} set)
 * sent    -> started   it is the first of its worker's calls: it runs, its timeout is armed
 *                      and its attempt counts ({@link #start})
 * sent    -> revoked   the pool asked the worker to give it back: stealing, or a cancel
 * started -> revoked   cancel(false) of the running call: its answer still comes
 * revoked -> queued    the worker dropped it unstarted (Dropped): the attempt does not count
 * started -> queued    its worker died under it and its method allows a retry ({@link #putBack})
 * any     -> done      its future completed: answered, failed, timed out, or cancelled
 * </pre>
 *
 * A done call is skipped wherever it still waits; a started call is left in place until its worker
 * answers or dies, so no two attempts of one call ever run at once.
 */
final class PoolCall {
    final long id;
    final TaskMethod method;

    /** The encoded call: a snapshot taken on the caller's thread. */
    final byte[] body;

    final TaskFuture<Object> future;

    /**
     * The worker it must run on (an initializer's call), or null for any; it is never taken back,
     * and fails rather than moves when that worker dies.
     */
    final Worker pinnedTo;

    /** How many times it was started; guarded by the dispatcher's lock. */
    int attempts;

    /** The worker it was sent to, while it is in flight there; guarded by the dispatcher's lock. */
    Worker worker;

    /** Whether the current attempt started; guarded by the dispatcher's lock. */
    boolean started;

    /** Whether the pool asked its worker to give it back; guarded by the dispatcher's lock. */
    boolean revoked;

    /** When the call was made. */
    final long queuedNanos = System.nanoTime();

    /** When the current attempt started; guarded by the dispatcher's lock. */
    long startNanos;

    /**
     * Whether the current attempt ran past its timeout and its worker was asked where it is; with
     * the limit it ran past. Guarded by the dispatcher's lock.
     */
    boolean timingOut;

    long timeoutMillis;

    /**
     * Where the current attempt was just before its time ran out, as its worker said of its own
     * accord; null until then. Guarded by the dispatcher's lock.
     */
    StackTraceElement[] stack;

    /** The pending timeout of the current attempt, if any; guarded by the dispatcher's lock. */
    ScheduledFuture<?> timeout;

    /** Whether the pool's counts and events include it: every call but the pool's own. */
    final boolean counted;

    /**
     * Whether it was encoded in another JVM, which decodes the answer itself: its future completes
     * with the worker's answer as it came ({@link Pool#submitEncoded}).
     */
    final boolean relayed;

    /**
     * Whether the pool's listener is yet to hear that the call was queued: see {@link
     * PoolMonitor#queuedAll}. {@link #HEARD}, {@link #UNHEARD} or {@link #CANCELLED_UNHEARD}.
     */
    @SuppressWarnings("unused") // through ANNOUNCEMENT
    private volatile int announcement;

    static final int HEARD = 0;
    static final int UNHEARD = 1;
    static final int CANCELLED_UNHEARD = 2;

    private static final VarHandle ANNOUNCEMENT;

    static {
        try {
            ANNOUNCEMENT =
                    MethodHandles.lookup().findVarHandle(PoolCall.class, "announcement", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Moves the listener's announcement from {@code from} to {@code to}: false if not there. */
    boolean announce(int from, int to) {
        return ANNOUNCEMENT.compareAndSet(this, from, to);
    }

    /** Hears of a call's cancel, after its future was cancelled. */
    interface CancelListener {
        void cancelled(PoolCall call, boolean interrupt);
    }

    PoolCall(long id, TaskMethod method, byte[] body, CancelListener onCancel) {
        this(id, method, body, onCancel, null);
    }

    PoolCall(long id, TaskMethod method, byte[] body, CancelListener onCancel, Worker pinnedTo) {
        this(id, method, body, onCancel, pinnedTo, true, false, null);
    }

    /**
     * @param counted whether the pool's counts and events include it; not its own warm-ups
     * @param relayed whether its future completes with the undecoded answer
     * @param stages where the future's dependent stages run; null for the completing thread
     */
    PoolCall(
            long id,
            TaskMethod method,
            byte[] body,
            CancelListener onCancel,
            Worker pinnedTo,
            boolean counted,
            boolean relayed,
            Executor stages) {
        this.counted = counted;
        this.relayed = relayed;
        this.pinnedTo = pinnedTo;
        this.id = id;
        this.method = method;
        this.body = body;
        this.future =
                CallFutures.create(
                        (f, wasRunning, interrupt) -> onCancel.cancelled(this, interrupt), stages);
    }

    /** sent -> started: false if it was cancelled or already done. */
    boolean start(long nowNanos) {
        if (started || !CallFutures.markRunning(future)) {
            return false;
        }
        started = true;
        attempts++;
        startNanos = nowNanos;
        return true;
    }

    /**
     * revoked or started -> queued: it is no longer at any worker. An attempt that was started
     * counts only if {@code counted}.
     */
    void putBack(boolean counted) {
        if (started && !counted) {
            attempts--;
        }
        worker = null;
        revoked = false;
        started = false;
        timingOut = false;
        stack = null;
        cancelTimeout();
        CallFutures.markQueued(future);
    }

    void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    boolean isDone() {
        return future.isDone();
    }
}
