package dev.paralleltask.runtime.internal.pool;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where the dependent stages of a pool's futures run ({@code thenApply} and the rest, made before
 * the call completed), so that no reader runs the caller's code (runtime/CONCURRENCY.md): as many
 * threads as the pool has workers, at least 2, which end after a second idle. Once the pool has
 * terminated a stage runs on the thread that completes its future, as nothing of the pool's is left
 * to hold up.
 */
final class StageExecutor implements Executor {
    private final ThreadPoolExecutor threads;

    StageExecutor(String pool, int count) {
        threads =
                new ThreadPoolExecutor(
                        count,
                        count,
                        1,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(),
                        Pool.daemonThreads(pool + "-stages"));
        threads.allowCoreThreadTimeOut(true);
    }

    @Override
    public void execute(Runnable stage) {
        try {
            threads.execute(stage);
        } catch (RejectedExecutionException e) {
            stage.run();
        }
    }

    /** The pool has terminated: stages queued still run, and the threads end after them. */
    void shutdown() {
        threads.shutdown();
    }
}
