package dev.paralleltask.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The actors an executor made, which end with it: its shutdown closes them, its termination waits
 * for them. An actor made while the executor shuts down is stopped and refused.
 */
final class ActorRegistry {
    private final Set<ActorBase<?>> actors = ConcurrentHashMap.newKeySet();
    private final AtomicInteger numbers = new AtomicInteger();

    /** The next actor's name: {@code pool-1-actor-1}. */
    String nextName(String executor) {
        return executor + "-actor-" + numbers.incrementAndGet();
    }

    /**
     * Keeps {@code actor} until it terminates.
     *
     * @throws RejectedExecutionException if {@code owner} was shut down meanwhile; the actor is
     *     stopped
     */
    <A extends ActorBase<?>> A add(A actor, TaskExecutor owner) {
        actors.removeIf(a -> a.calls().isTerminated()); // closed ones are nobody's concern now
        actors.add(actor);
        try {
            refuseIfShutDown(owner);
        } catch (RejectedExecutionException e) {
            actor.calls().shutdownNow();
            actors.remove(actor);
            throw e;
        }
        return actor;
    }

    /**
     * Refuses a new actor once {@code owner} is shut down: checked before an actor is made, and
     * again once it is kept, for a shutdown meanwhile.
     */
    static void refuseIfShutDown(TaskExecutor owner) {
        if (owner.isShutdown()) {
            throw new RejectedExecutionException(owner + " is shut down: it makes no more actors");
        }
    }

    void shutdown() {
        actors.forEach(a -> a.calls().shutdown());
    }

    List<TaskFuture<?>> shutdownNow() {
        List<TaskFuture<?>> neverStarted = new ArrayList<>();
        actors.forEach(a -> neverStarted.addAll(a.calls().shutdownNow()));
        return neverStarted;
    }

    boolean isTerminated() {
        return actors.stream().allMatch(a -> a.calls().isTerminated());
    }

    /** Waits until every actor has terminated, or {@code deadline} (of nanoTime) passes. */
    boolean awaitTermination(long deadline) throws InterruptedException {
        for (ActorBase<?> a : List.copyOf(actors)) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            if (!a.calls().awaitTermination(left)) {
                return false;
            }
        }
        return true;
    }
}
