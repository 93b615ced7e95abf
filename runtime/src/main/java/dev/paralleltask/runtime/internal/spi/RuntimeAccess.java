package dev.paralleltask.runtime.internal.spi;

import dev.paralleltask.runtime.Actor;
import dev.paralleltask.runtime.ActorDiedException;
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.RemoteTaskException;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskSerializationException;
import dev.paralleltask.runtime.TaskTimeoutException;
import dev.paralleltask.runtime.WorkerCrashedException;
import dev.paralleltask.runtime.WorkerInfo;
import dev.paralleltask.runtime.WorkerStartException;
import dev.paralleltask.runtime.internal.pool.Pool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The runtime package's non-public constructors and methods, for {@link CallFutures}, {@link
 * Failures} and {@link Relay}; the runtime installs its one implementation when {@link TaskFuture}
 * is initialized. Executors use those classes, never this.
 */
public interface RuntimeAccess {
    <T> TaskFuture<T> newFuture(CallFutures.Canceller canceller, Executor stages);

    void whenDone(TaskFuture<?> future, Runnable action);

    boolean markRunning(TaskFuture<?> future);

    void markQueued(TaskFuture<?> future);

    boolean complete(TaskFuture<?> future, Object value);

    boolean fail(TaskFuture<?> future, Throwable failure);

    boolean isFailed(TaskFuture<?> future);

    TaskTimeoutException timeout(
            String method,
            Duration timeout,
            Duration elapsed,
            String where,
            StackTraceElement[] taskStackTrace);

    WorkerCrashedException crashed(
            String message,
            String workerName,
            long pid,
            int exitCode,
            List<String> stderrTail,
            List<String> stdoutTail,
            Throwable cause);

    ActorDiedException actorDied(String message, String actor, Throwable cause);

    WorkerStartException startFailure(String message, List<String> stderrTail, Throwable cause);

    TaskSerializationException serialization(String message, Throwable cause);

    RemoteTaskException remote(
            String className,
            String message,
            StackTraceElement[] stackTrace,
            RemoteTaskException cause);

    WorkerInfo workerInfo(WorkerView worker);

    Pool pool(ProcessPool pool);

    /**
     * The pool of a {@link dev.paralleltask.runtime.ProcessPool}'s actor.
     *
     * @throws IllegalArgumentException if {@code actor} is not one
     */
    Pool actorPool(Actor<?> actor);

    /**
     * Installs the runtime's implementation: only {@link TaskFuture}'s initializer may, once. Any
     * other caller gets an {@link IllegalCallerException}, so no code can put a bridge of its own
     * between the runtime and its futures, however early it runs.
     */
    static void install(RuntimeAccess access) {
        Class<?> caller =
                StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass();
        if (caller != TaskFuture.class) {
            throw new IllegalCallerException(
                    "only the runtime installs its bridge, not " + caller.getName());
        }
        Holder.install(access);
    }

    /** The runtime's implementation, initializing the runtime if need be. */
    static RuntimeAccess get() {
        return Holder.get();
    }

    /** Where the one implementation is kept. */
    final class Holder {
        private static volatile RuntimeAccess access;

        private Holder() {}

        private static synchronized void install(RuntimeAccess implementation) {
            if (access != null) {
                throw new IllegalStateException("the runtime's bridge is installed already");
            }
            access = implementation;
        }

        static RuntimeAccess get() {
            RuntimeAccess a = access;
            if (a == null) {
                try {
                    // TaskFuture's static initializer installs it.
                    Class.forName(
                            TaskFuture.class.getName(), true, TaskFuture.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new AssertionError(e);
                }
                a = access;
            }
            return a;
        }
    }
}
