package dev.paralleltask.runtime;

import java.util.List;

/**
 * The worker running a call died under it: it exited ({@code System.exit}), was killed, crashed in
 * native code, or hit a JVM error such as {@code OutOfMemoryError} (then the error, as the worker
 * reported it, is the cause). The worker was replaced; other calls were not affected, but for those
 * running in the same worker when it ran several at once ({@link
 * ProcessPool.Builder#threadsPerWorker}): each of them ran again if its {@code retries} allowed, or
 * failed with this exception, whose message then names the call that cost the worker ("because
 * another call it was running, ..., timed out").
 */
public final class WorkerCrashedException extends TaskException {
    private static final long serialVersionUID = 1L;

    private final String workerName;
    private final long pid;
    private final int exitCode;

    @SuppressWarnings("serial") // always a List.copyOf, which serializes
    private final List<String> stderrTail;

    @SuppressWarnings("serial") // always a List.copyOf, which serializes
    private final List<String> stdoutTail;

    WorkerCrashedException(
            String message,
            String workerName,
            long pid,
            int exitCode,
            List<String> stderrTail,
            List<String> stdoutTail,
            Throwable cause) {
        super(message, cause);
        this.workerName = workerName;
        this.pid = pid;
        this.exitCode = exitCode;
        this.stderrTail = List.copyOf(stderrTail);
        this.stdoutTail = List.copyOf(stdoutTail);
    }

    public String workerName() {
        return workerName;
    }

    public long pid() {
        return pid;
    }

    /**
     * The worker's exit code; 128 + n when it was killed by signal n; -1 when it was still running
     * when the pool gave up on it.
     */
    public int exitCode() {
        return exitCode;
    }

    /** The last lines the worker wrote to its standard error, oldest first. */
    public List<String> stderrTail() {
        return stderrTail;
    }

    /**
     * The last lines the worker wrote to its standard output, oldest first. A JVM that crashes in
     * native code (SIGSEGV and the like) writes its fatal-error summary here, not to stderr.
     */
    public List<String> stdoutTail() {
        return stdoutTail;
    }
}
