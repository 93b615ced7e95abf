package dev.paralleltask.runtime;

import java.util.List;

/**
 * A worker JVM could not be started: bad JVM options, a classpath without the runtime, a java that
 * does not run. Thrown by {@link ProcessPool.Builder#build()}, and the failure of calls queued in a
 * pool whose replacement workers keep failing to start. The message carries the child's own words.
 */
public final class WorkerStartException extends TaskException {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("serial") // always a List.copyOf, which serializes
    private final List<String> stderrTail;

    WorkerStartException(String message, List<String> stderrTail, Throwable cause) {
        super(message, cause);
        this.stderrTail = List.copyOf(stderrTail);
    }

    /** The last lines the worker wrote to its standard error, oldest first. */
    public List<String> stderrTail() {
        return stderrTail;
    }
}
