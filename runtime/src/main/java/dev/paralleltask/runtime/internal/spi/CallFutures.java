package dev.paralleltask.runtime.internal.spi;

import dev.paralleltask.runtime.TaskFuture;
import java.util.concurrent.Executor;

/**
 * Makes and settles the {@link TaskFuture}s of an executor's calls.
 *
 * <p>A future completes once: whichever of {@link #complete}, {@link #fail} and the caller's cancel
 * comes first wins, and the others return false. {@link #markRunning} says the call started (what
 * {@code cancel(true)} needs to know), {@link #markQueued} that it waits again.
 */
public final class CallFutures {
    private CallFutures() {}

    /** Told once, after a successful cancel, so the executor can drop or stop the call. */
    @FunctionalInterface
    public interface Canceller {
        void cancelled(TaskFuture<?> future, boolean wasRunning, boolean mayInterruptIfRunning);
    }

    /**
     * A new, queued future; {@code canceller} hears of its cancel; its dependent stages run on the
     * thread that completes it.
     */
    public static <T> TaskFuture<T> create(Canceller canceller) {
        return create(canceller, null);
    }

    /**
     * A new, queued future whose dependent stages, made before it completes, run on {@code stages}:
     * for executors that complete futures on threads that must not run the caller's code.
     */
    public static <T> TaskFuture<T> create(Canceller canceller, Executor stages) {
        return RuntimeAccess.get().newFuture(canceller, stages);
    }

    /**
     * Runs {@code action} once the future is done, on the thread that completes it (or at once, if
     * it is done): for an executor's own short clean-up, never the caller's code.
     */
    public static void whenDone(TaskFuture<?> future, Runnable action) {
        RuntimeAccess.get().whenDone(future, action);
    }

    /** A future already failed with {@code failure}. */
    public static <T> TaskFuture<T> failed(Throwable failure) {
        TaskFuture<T> future = create((f, wasRunning, interrupt) -> {});
        fail(future, failure);
        return future;
    }

    /** Moves a queued call to running; false if it was cancelled or completed meanwhile. */
    public static boolean markRunning(TaskFuture<?> future) {
        return RuntimeAccess.get().markRunning(future);
    }

    /** Moves a running call back to queued, for a retry. */
    public static void markQueued(TaskFuture<?> future) {
        RuntimeAccess.get().markQueued(future);
    }

    /** Completes the call with its result; false if it was already done. */
    public static boolean complete(TaskFuture<?> future, Object value) {
        return RuntimeAccess.get().complete(future, value);
    }

    /** Fails the call; false if it was already done. */
    public static boolean fail(TaskFuture<?> future, Throwable failure) {
        return RuntimeAccess.get().fail(future, failure);
    }

    /** Whether it completed with a failure (not a cancel). */
    public static boolean isFailed(TaskFuture<?> future) {
        return RuntimeAccess.get().isFailed(future);
    }
}
