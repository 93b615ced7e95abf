package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.TaskExecutor;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.internal.TaskMethod;
import java.time.Duration;
import java.util.List;

/**
 * The executor an initializer gets: its calls run on one worker, ahead of any other call. The pool
 * owns that worker, so it cannot be shut down through this.
 */
final class PinnedExecutor implements TaskExecutor {
    private final Pool pool;
    private final Worker worker;

    PinnedExecutor(Pool pool, Worker worker) {
        this.pool = pool;
        this.worker = worker;
    }

    @Override
    public <T> TaskFuture<T> submit(TaskMethod method, Object target, Object[] args) {
        return pool.submit(method, target, args, worker);
    }

    @Override
    public void shutdown() {
        throw new UnsupportedOperationException(
                "the initializer's executor runs calls on worker "
                        + worker.name
                        + " of "
                        + pool.name()
                        + "; shut the pool down instead");
    }

    @Override
    public List<TaskFuture<?>> shutdownNow() {
        shutdown();
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return pool.awaitTermination(timeout);
    }

    /** Nothing to close: the pool owns the worker. */
    @Override
    public void close() {}

    @Override
    public String toString() {
        return "the initializer's executor on " + worker.describe();
    }
}
