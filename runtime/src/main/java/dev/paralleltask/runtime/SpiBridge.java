package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.pool.Pool;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import dev.paralleltask.runtime.internal.spi.RuntimeAccess;
import dev.paralleltask.runtime.internal.spi.WorkerView;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/** Lends this package's non-public constructors and methods to executors, through the SPI. */
final class SpiBridge implements RuntimeAccess {
    @Override
    public <T> TaskFuture<T> newFuture(CallFutures.Canceller canceller, Executor stages) {
        return new TaskFuture<>(canceller, stages);
    }

    @Override
    public void whenDone(TaskFuture<?> future, Runnable action) {
        future.whenDone(action);
    }

    @Override
    public boolean markRunning(TaskFuture<?> future) {
        return future.markRunning();
    }

    @Override
    public void markQueued(TaskFuture<?> future) {
        future.markQueued();
    }

    @Override
    @SuppressWarnings("unchecked") // the executor completes a call with its method's result
    public boolean complete(TaskFuture<?> future, Object value) {
        return ((TaskFuture<Object>) future).complete(value);
    }

    @Override
    public boolean fail(TaskFuture<?> future, Throwable failure) {
        return future.fail(failure);
    }

    @Override
    public boolean isFailed(TaskFuture<?> future) {
        return future.isFailed();
    }

    @Override
    public TaskTimeoutException timeout(
            String method,
            Duration timeout,
            Duration elapsed,
            String where,
            StackTraceElement[] taskStackTrace) {
        return new TaskTimeoutException(method, timeout, elapsed, where, taskStackTrace);
    }

    @Override
    public ActorDiedException actorDied(String message, String actor, Throwable cause) {
        return new ActorDiedException(message, actor, cause);
    }

    @Override
    public WorkerCrashedException crashed(
            String message,
            String workerName,
            long pid,
            int exitCode,
            List<String> stderrTail,
            List<String> stdoutTail,
            Throwable cause) {
        return new WorkerCrashedException(
                message, workerName, pid, exitCode, stderrTail, stdoutTail, cause);
    }

    @Override
    public WorkerStartException startFailure(
            String message, List<String> stderrTail, Throwable cause) {
        return new WorkerStartException(message, stderrTail, cause);
    }

    @Override
    public TaskSerializationException serialization(String message, Throwable cause) {
        return new TaskSerializationException(message, cause);
    }

    @Override
    public RemoteTaskException remote(
            String className,
            String message,
            StackTraceElement[] stackTrace,
            RemoteTaskException cause) {
        return new RemoteTaskException(className, message, stackTrace, cause);
    }

    @Override
    public WorkerInfo workerInfo(WorkerView worker) {
        return new WorkerInfo(worker);
    }

    @Override
    public Pool actorPool(Actor<?> actor) {
        if (actor instanceof ProcessActor<?> onProcesses) {
            return onProcesses.pool();
        }
        throw new IllegalArgumentException(actor + " is not an actor of a ProcessPool");
    }

    @Override
    public Pool pool(ProcessPool pool) {
        return pool.pool();
    }
}
