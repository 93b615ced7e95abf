package dev.paralleltask.runtime.internal.spi;

import dev.paralleltask.runtime.ActorDiedException;
import dev.paralleltask.runtime.RemoteTaskException;
import dev.paralleltask.runtime.TaskSerializationException;
import dev.paralleltask.runtime.TaskTimeoutException;
import dev.paralleltask.runtime.WorkerCrashedException;
import dev.paralleltask.runtime.WorkerStartException;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.wire.ThrowableCodec;
import dev.paralleltask.runtime.internal.wire.ValueCodingException;
import dev.paralleltask.runtime.internal.wire.WireLimitException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * The one place that words the failures executors report: each says what happened, to which call,
 * where, and what to do about it when anything can be done.
 */
public final class Failures {
    private Failures() {}

    /** A call made after its executor was shut down. */
    public static RejectedExecutionException rejected(TaskMethod method, String executor) {
        return new RejectedExecutionException(
                "cannot run "
                        + method.displayName()
                        + ": "
                        + executor
                        + " is shut down; make calls before shutdown() or close()");
    }

    /** An argument or the target could not be encoded on the caller's thread. */
    public static TaskSerializationException unencodable(
            TaskMethod method, ValueCodingException e) {
        return access().serialization(
                        method.describeArgument(e.position())
                                + " could not be serialized: "
                                + e.getMessage(),
                        e.getCause());
    }

    /**
     * The worker could not rebuild an argument, or could not send the result ({@code position} as
     * in {@link ValueCodingException#position()}); {@code message} is the worker's.
     */
    public static TaskSerializationException unsendable(
            TaskMethod method, int position, String message) {
        return unsendable(method, position, message, null);
    }

    /** As {@link #unsendable(TaskMethod, int, String)}, with why; {@code cause} may be null. */
    public static TaskSerializationException unsendable(
            TaskMethod method, int position, String message, Throwable cause) {
        String what =
                position == ValueCodingException.RESULT
                        ? "the result of " + method.displayName()
                        : method.describeArgument(position);
        return access().serialization(what + " " + message, cause);
    }

    /** The result arrived but could not be rebuilt here; {@code cause} is why, any throwable. */
    public static TaskSerializationException unreadableResult(TaskMethod method, Throwable cause) {
        Throwable why =
                cause instanceof ValueCodingException && cause.getCause() != null
                        ? cause.getCause()
                        : cause;
        return access().serialization(
                        "the result of "
                                + method.displayName()
                                + " could not be rebuilt in the caller: "
                                + why
                                + "; the worker goes on",
                        why);
    }

    /**
     * The result's bytes broke a limit no honest worker breaks: nothing was allocated for them, and
     * the worker that sent them is replaced.
     */
    public static TaskSerializationException forgedResult(
            TaskMethod method, WireLimitException why) {
        return access().serialization(
                        "the result of "
                                + method.displayName()
                                + " was refused: "
                                + why.getMessage()
                                + "; a worker that sends such bytes may be compromised, so the pool"
                                + " replaces it",
                        why);
    }

    /** The result held an instance of a class the caller does not accept from a worker. */
    public static TaskSerializationException refusedResult(TaskMethod method, String className) {
        return access().serialization(
                        "the result of "
                                + method.displayName()
                                + " was refused: the worker sent an instance of "
                                + className
                                + ", which the caller does not build from what a worker sends: it is"
                                + " neither named by the method's signature nor held by a class that is; if "
                                + className
                                + " is yours and you trust it, allow it with"
                                + " ProcessPool.Builder.allowClasses(\""
                                + className
                                + "\")",
                        null);
    }

    /** What a task threw that could not be rebuilt as itself: its description, causes chained. */
    public static RemoteTaskException remote(List<ThrowableCodec.Level> chain) {
        RemoteTaskException cause = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            ThrowableCodec.Level level = chain.get(i);
            cause = access().remote(level.className(), level.message(), level.stackTrace(), cause);
        }
        return cause;
    }

    /** A failure frame that could not be read at all. */
    public static RemoteTaskException unreadableFailure(Throwable why) {
        return access().remote(
                        "(unreadable failure)", why.toString(), new StackTraceElement[0], null);
    }

    /**
     * A call ran past its timeout; {@code where} says what was done, e.g. which worker was killed;
     * {@code taskStackTrace} is where the task was, or empty.
     */
    public static TaskTimeoutException timeout(
            TaskMethod method,
            Duration timeout,
            Duration elapsed,
            String where,
            StackTraceElement[] taskStackTrace) {
        return access().timeout(method.displayName(), timeout, elapsed, where, taskStackTrace);
    }

    /**
     * How a worker's process ended, as the messages about it say it.
     *
     * @param worker the worker as messages name it, e.g. {@code pool-1-worker-2 (pid 4242)}
     * @param exitCode its exit code; -1 when it was still running when the pool gave up on it
     * @param notByThePool whether a signal that killed it was not the pool's
     * @param residentBytes its resident memory when last looked at; -1 if never
     */
    public record Death(
            String worker,
            String workerName,
            long pid,
            int exitCode,
            boolean notByThePool,
            long residentBytes,
            List<String> stderrTail,
            List<String> stdoutTail) {}

    /**
     * The worker died under a call, {@code because} another call it ran cost it its life (null if
     * not).
     */
    public static WorkerCrashedException crashed(
            TaskMethod method, int attempts, Death death, String because) {
        String how = how(death);
        String attempt =
                attempts > 1 ? " (attempt " + attempts + " of " + (method.retries() + 1) + ")" : "";
        return crashed(
                death,
                "worker "
                        + death.worker()
                        + " "
                        + how
                        + " while running "
                        + method.displayName()
                        + attempt
                        + (because == null ? "" : ", because " + because)
                        + "; it was replaced");
    }

    /** A {@code WorkerCrashedException} of {@code death}: its message, then its last words. */
    private static WorkerCrashedException crashed(Death death, String message) {
        return access().crashed(
                        message + lastWords(death.stderrTail(), death.stdoutTail()),
                        death.workerName(),
                        death.pid(),
                        death.exitCode(),
                        death.stderrTail(),
                        death.stdoutTail(),
                        null);
    }

    /** How a process ended, as a message says it: "exited with code 3". */
    private static String how(Death death) {
        int exitCode = death.exitCode();
        long residentBytes = death.residentBytes();
        return exitCode == SIGKILLED && death.notByThePool()
                ? "was killed by SIGKILL (exit code 137), not by the pool: most often the"
                        + " kernel's out-of-memory killer (see dmesg; give the workers"
                        + " less heap with jvmOptions(\"-Xmx...\") or fewer workers, or set"
                        + " maxWorkerMemory), or a kill -9"
                        + (residentBytes < 0
                                ? ""
                                : "; its resident memory was last "
                                        + (residentBytes + (1 << 19)) / (1 << 20)
                                        + " MiB")
                : exitCode > 128
                        ? "was killed by signal "
                                + (exitCode - 128)
                                + " (exit code "
                                + exitCode
                                + ")"
                        : "exited with code " + exitCode;
    }

    /** How a worker ended: killed by the pool for {@code killedBecause}, or {@link #how}. */
    private static String howItEnded(Death death, String killedBecause) {
        return killedBecause != null
                ? "was killed by the pool, because " + killedBecause
                : how(death);
    }

    /** A call made on an actor after its {@code close()}. */
    public static IllegalStateException actorClosed(String actor, TaskMethod method) {
        return new IllegalStateException(
                "actor "
                        + actor
                        + " is closed: "
                        + method.displayName()
                        + " cannot run on it; make its calls before close()");
    }

    /**
     * How a worker died without being asked to, for a pool's listener: no call is named, for it may
     * have been running none, or several.
     */
    public static WorkerCrashedException workerDied(Death death, String killedBecause) {
        return crashed(death, "worker " + death.worker() + " " + howItEnded(death, killedBecause));
    }

    /**
     * An actor's JVM died while it ran and the actor had no restart left: the failure of every call
     * made on it from then on. {@code killedBecause} says why the pool killed it, when it did for a
     * call (its timeout, its {@code cancel(true)}); null if not.
     */
    public static ActorDiedException actorDied(
            String actor, int restartsAllowed, Death death, String killedBecause) {
        return access().actorDied(
                        "actor "
                                + actor
                                + " died and had no restart left (ActorOptions.restarts("
                                + restartsAllowed
                                + ")): its JVM "
                                + death.worker()
                                + " "
                                + howItEnded(death, killedBecause)
                                + "; make a new actor, or allow restarts",
                        actor,
                        workerDied(death, killedBecause));
    }

    /** An actor elsewhere (on a cluster node) died for good, in that JVM's words. */
    public static ActorDiedException actorDiedElsewhere(
            String message, String actor, Throwable cause) {
        return access().actorDied(message, actor, cause);
    }

    /** The exit code of a process killed by SIGKILL. */
    private static final int SIGKILLED = 128 + 9;

    /**
     * A worker of another JVM's pool (a cluster node) died under a call, or that JVM went away
     * while running it; {@code message} as that pool worded it, or as the executor did.
     */
    public static WorkerCrashedException crashedElsewhere(
            String message,
            String workerName,
            long pid,
            int exitCode,
            List<String> stderrTail,
            List<String> stdoutTail,
            Throwable cause) {
        return access().crashed(message, workerName, pid, exitCode, stderrTail, stdoutTail, cause);
    }

    /** A call that the JVM it was sent to (a cluster node) cannot run, in that JVM's words. */
    public static WorkerStartException cannotRunOn(TaskMethod method, String where, String why) {
        return access().startFailure(
                        where + " cannot run " + method.displayName() + ": " + why,
                        List.of(),
                        null);
    }

    /** A task threw a JVM error that leaves its worker unfit, so the worker was killed. */
    public static WorkerCrashedException fatalError(
            TaskMethod method,
            Throwable error,
            String worker,
            String workerName,
            long pid,
            List<String> stderrTail,
            List<String> stdoutTail) {
        return access().crashed(
                        "worker "
                                + worker
                                + " hit "
                                + error
                                + " while running "
                                + method.displayName()
                                + "; the worker was replaced",
                        workerName,
                        pid,
                        -1,
                        stderrTail,
                        stdoutTail,
                        error);
    }

    /** A worker could not be started or did not connect. */
    public static WorkerStartException startFailure(
            String message, List<String> stderrTail, Throwable cause) {
        return access().startFailure(message, stderrTail, cause);
    }

    /** A queued call that fails because the executor cannot start any worker. */
    public static WorkerStartException noWorker(TaskMethod method, WorkerStartException why) {
        return access().startFailure(
                        "no worker could be started to run "
                                + method.displayName()
                                + ": "
                                + why.getMessage(),
                        why.stderrTail(),
                        why);
    }

    /** The tails of a worker's stderr and stdout, as the end of a message. */
    public static String lastWords(List<String> stderrTail, List<String> stdoutTail) {
        String report = fatalErrorReport(stdoutTail);
        return (report == null ? "" : "; its fatal-error report is " + report)
                + tails(stderrTail, stdoutTail);
    }

    /**
     * The file a crashing JVM says it wrote its fatal-error report to ({@code hs_err_pid<pid>.log},
     * or where {@code -XX:ErrorFile} said), from its output; null if none.
     */
    static String fatalErrorReport(List<String> stdoutTail) {
        for (int i = 0; i + 1 < stdoutTail.size(); i++) {
            if (stdoutTail.get(i).contains("An error report file with more information is saved")) {
                String path = stdoutTail.get(i + 1).trim();
                return path.startsWith("#") ? path.substring(1).trim() : path;
            }
        }
        return null;
    }

    private static String tails(List<String> stderrTail, List<String> stdoutTail) {
        String words =
                stderrTail.isEmpty()
                        ? "; it wrote nothing to stderr"
                        : "; last lines of its stderr:\n  " + String.join("\n  ", stderrTail);
        return stdoutTail.isEmpty()
                ? words
                : words + "\nlast lines of its stdout:\n  " + String.join("\n  ", stdoutTail);
    }

    private static RuntimeAccess access() {
        return RuntimeAccess.get();
    }
}
