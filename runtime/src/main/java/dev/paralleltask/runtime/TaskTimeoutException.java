package dev.paralleltask.runtime;

import java.time.Duration;

/**
 * A call ran longer than its timeout ({@code @ParallelTask(timeoutMillis)} or the pool's default).
 * In a {@link ProcessPool} its worker was killed and replaced; in a {@link ThreadPool} its thread
 * was interrupted.
 */
public final class TaskTimeoutException extends TaskException {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;
    private final Duration elapsed;

    TaskTimeoutException(String method, Duration timeout, Duration elapsed, String where) {
        super(
                method
                        + " ran past its timeout of "
                        + timeout.toMillis()
                        + " ms (stopped after "
                        + elapsed.toMillis()
                        + " ms) "
                        + where,
                null);
        this.timeout = timeout;
        this.elapsed = elapsed;
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
