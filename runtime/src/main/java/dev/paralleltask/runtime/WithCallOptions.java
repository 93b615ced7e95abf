package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.TaskMethod;
import java.time.Duration;
import java.util.List;

/**
 * An executor seen through {@link CallOptions}: its calls carry the options; everything else is the
 * executor's own (shutting this down shuts the executor down).
 */
final class WithCallOptions implements TaskExecutor {
    private final TaskExecutor executor;
    private final CallOptions options;

    WithCallOptions(TaskExecutor executor, CallOptions options) {
        this.executor = executor;
        this.options = options;
    }

    static TaskExecutor of(TaskExecutor executor, CallOptions options) {
        java.util.Objects.requireNonNull(options, "options");
        if (executor instanceof WithCallOptions seen) {
            return new WithCallOptions(seen.executor, seen.options.and(options));
        }
        return new WithCallOptions(executor, options);
    }

    @Override
    public <T> TaskFuture<T> submit(TaskMethod method, Object target, Object[] args) {
        return executor.submit(options.applyTo(method), target, args);
    }

    @Override
    public void shutdown() {
        executor.shutdown();
    }

    @Override
    public List<TaskFuture<?>> shutdownNow() {
        return executor.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return executor.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return executor.isTerminated();
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return executor.awaitTermination(timeout);
    }

    @Override
    public String toString() {
        return executor + " with " + options;
    }
}
