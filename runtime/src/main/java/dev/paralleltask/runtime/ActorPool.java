package dev.paralleltask.runtime;

import java.util.List;

/**
 * A fixed number of {@link Actor}s of one class, made by {@link TaskExecutor#actorPool}: a proxy on
 * it ({@code new ModelTasks(actorPool)}) sends each call to the actor with the fewest calls
 * outstanding, so actors that each loaded something once (a model, a connection) share the work,
 * and {@link TaskFutures#map} works over it as over a pool. Calls go only to live actors; when none
 * is left, a call fails with {@link ActorDiedException}.
 *
 * @param <C> the class of the actors' objects
 */
public interface ActorPool<C> extends AutoCloseable {
    /** How many actors it has. */
    int size();

    /** Its actors, in the order they were made. */
    List<Actor<C>> actors();

    /** Closes every actor, as {@link Actor#close()} does, and waits for them. */
    @Override
    void close();
}
