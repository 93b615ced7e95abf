package dev.paralleltask.runtime;

import java.time.Duration;

/**
 * A call ran longer than its timeout ({@code @ParallelTask(timeoutMillis)} or the pool's default).
 * In a {@link ProcessPool} its worker was killed and replaced (with any other calls it was running,
 * see {@link ProcessPool.Builder#threadsPerWorker}); in a {@link ThreadPool} its thread was
 * interrupted.
 */
public final class TaskTimeoutException extends TaskException {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;
    private final Duration elapsed;
    private final StackTraceElement[] taskStackTrace;

    TaskTimeoutException(
            String method,
            Duration timeout,
            Duration elapsed,
            String where,
            StackTraceElement[] taskStackTrace) {
        super(
                method
                        + " ran past its timeout of "
                        + timeout.toMillis()
                        + " ms (stopped after "
                        + elapsed.toMillis()
                        + " ms) "
                        + where
                        + whereItWas(taskStackTrace),
                null);
        this.timeout = timeout;
        this.elapsed = elapsed;
        this.taskStackTrace = taskStackTrace.clone();
    }

    /** The first frames of the task's stack, for the message. */
    private static String whereItWas(StackTraceElement[] trace) {
        if (trace.length == 0) {
            return "";
        }
        StringBuilder where = new StringBuilder("; it was at");
        int shown = Math.min(trace.length, SHOWN_FRAMES);
        for (int i = 0; i < shown; i++) {
            where.append("\n\tat ").append(trace[i]);
        }
        if (trace.length > shown) {
            where.append("\n\t... ")
                    .append(trace.length - shown)
                    .append(" more (taskStackTrace())");
        }
        return where.toString();
    }

    private static final int SHOWN_FRAMES = 8;

    /**
     * Where the task was when it was stopped: the stack of the thread that ran it, taken just
     * before its worker was killed (a {@link ProcessPool} waits up to about 100 ms for it) or its
     * thread interrupted; empty when it could not be taken (the worker did not answer in time).
     */
    public StackTraceElement[] taskStackTrace() {
        return taskStackTrace.clone();
    }

    /** The limit the call ran past. */
    public Duration timeout() {
        return timeout;
    }

    /** How long the call had run, from when it started, when it was stopped. */
    public Duration elapsed() {
        return elapsed;
    }
}
