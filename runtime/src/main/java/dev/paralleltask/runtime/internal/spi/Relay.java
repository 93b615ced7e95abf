package dev.paralleltask.runtime.internal.spi;

import dev.paralleltask.runtime.Actor;
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.pool.Pool;
import dev.paralleltask.runtime.internal.wire.Frame;
import java.util.List;

/**
 * Runs calls that another JVM encoded on a {@link ProcessPool}, and hands back each worker's answer
 * as it came, for that JVM to decode: what a cluster node does for its clients. The calls run as
 * any other (queued, timed, their workers killed and replaced), so a crash or a timeout fails the
 * future with the pool's own {@link dev.paralleltask.runtime.TaskException}.
 */
public final class Relay {
    private Relay() {}

    /**
     * Runs {@code body} ({@link CallCoding#encode}'s, made elsewhere) on {@code pool}; {@code
     * method} gives its name, timeout and retries.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    public static TaskFuture<Frame.Answer> submit(
            ProcessPool pool, TaskMethod method, byte[] body) {
        return RuntimeAccess.get().pool(pool).submitEncoded(method, body);
    }

    /**
     * Runs calls encoded elsewhere on {@code pool} with one decision of its dispatcher: {@link
     * #submit} for each pair of {@code methods} and {@code bodies}, in order.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    public static List<TaskFuture<Frame.Answer>> submitAll(
            ProcessPool pool, List<TaskMethod> methods, List<byte[]> bodies) {
        return RuntimeAccess.get().pool(pool).submitEncodedAll(methods, bodies);
    }

    /**
     * Runs {@code body}, encoded elsewhere without a target, on {@code actor}'s object: what a
     * cluster node does for a client's actor. An actor out of restarts fails it with {@link
     * dev.paralleltask.runtime.ActorDiedException}.
     *
     * @throws IllegalArgumentException if the actor is not a process pool's
     * @throws java.util.concurrent.RejectedExecutionException if the actor was closed
     */
    public static TaskFuture<Frame.Answer> submit(Actor<?> actor, TaskMethod method, byte[] body) {
        Pool home = RuntimeAccess.get().actorPool(actor);
        return home.unlessGaveUp(() -> home.submitEncoded(method, body));
    }
}
