package dev.paralleltask.runtime.internal;

import dev.paralleltask.runtime.Actor;
import dev.paralleltask.runtime.ActorPool;
import dev.paralleltask.runtime.TaskExecutor;
import java.util.Objects;

/**
 * What a generated proxy built on an {@link Actor} or an {@link ActorPool} sends its calls to;
 * public only for generated code.
 */
public final class ActorCalls {
    private ActorCalls() {}

    /** An actor, or a pool of them, as the runtime made it. */
    public interface Endpoint {
        /**
         * The executor that runs calls on the actor's object, whatever target they name: its
         * shutdown is the actor's close.
         */
        TaskExecutor calls();

        /** Calls made and not yet done, for an actor pool to pick the least busy actor. */
        int outstanding();
    }

    /** The executor of {@code actor}'s calls. */
    public static TaskExecutor executor(Actor<?> actor) {
        return endpoint(Objects.requireNonNull(actor, "actor")).calls();
    }

    /** The executor that spreads calls over {@code actors}. */
    public static TaskExecutor executor(ActorPool<?> actors) {
        return endpoint(Objects.requireNonNull(actors, "actors")).calls();
    }

    private static Endpoint endpoint(Object made) {
        if (made instanceof Endpoint endpoint) {
            return endpoint;
        }
        throw new IllegalArgumentException(
                made.getClass().getName()
                        + " was not made by an executor: make actors with TaskExecutor.actor or"
                        + " actorPool");
    }
}
