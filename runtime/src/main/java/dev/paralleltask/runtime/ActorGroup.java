package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.ActorCalls;
import dev.paralleltask.runtime.internal.TaskMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** An {@link ActorPool}: each call goes to the live actor with the fewest calls outstanding. */
final class ActorGroup<C> implements ActorPool<C>, ActorCalls.Endpoint {
    private final List<Actor<C>> actors;

    /** Where the search for the least busy actor starts, so that ties take turns. */
    private final AtomicInteger turn = new AtomicInteger();

    private final TaskExecutor calls = new Calls();

    private ActorGroup(List<Actor<C>> actors) {
        this.actors = List.copyOf(actors);
    }

    /**
     * {@code size} actors from {@code make}; if one cannot be made, those made are closed and the
     * failure is thrown.
     */
    static <C> ActorGroup<C> start(int size, Supplier<Actor<C>> make) {
        if (size < 1) {
            throw new IllegalArgumentException("an actor pool's size must be >= 1, was " + size);
        }
        List<Actor<C>> made = new ArrayList<>(size);
        try {
            for (int i = 0; i < size; i++) {
                Actor<C> actor = make.get();
                if (!(actor instanceof ActorCalls.Endpoint)) {
                    throw new IllegalArgumentException(
                            actor.getClass().getName() + " cannot be in an actor pool");
                }
                made.add(actor);
            }
        } catch (RuntimeException | Error e) {
            made.forEach(ActorGroup::closeQuietly);
            throw e;
        }
        return new ActorGroup<>(made);
    }

    private static void closeQuietly(Actor<?> actor) {
        try {
            actor.close();
        } catch (RuntimeException e) {
            // the failure that made the pool fail is the one to report
        }
    }

    @Override
    public int size() {
        return actors.size();
    }

    @Override
    public List<Actor<C>> actors() {
        return actors;
    }

    @Override
    public TaskExecutor calls() {
        return calls;
    }

    @Override
    public int outstanding() {
        int sum = 0;
        for (Actor<C> a : actors) {
            sum += endpoint(a).outstanding();
        }
        return sum;
    }

    @Override
    public void close() {
        calls.close();
    }

    @Override
    public String toString() {
        return "ActorPool" + actors;
    }

    private static ActorCalls.Endpoint endpoint(Actor<?> actor) {
        return (ActorCalls.Endpoint) actor;
    }

    /** The live actor with the fewest calls outstanding; the first actor if none lives. */
    private Actor<C> leastBusy() {
        int n = actors.size();
        int start = Math.floorMod(turn.getAndIncrement(), n);
        Actor<C> best = null;
        int fewest = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            Actor<C> a = actors.get((start + i) % n);
            int load = endpoint(a).outstanding();
            if (load < fewest && a.isAlive()) {
                best = a;
                fewest = load;
            }
        }
        return best != null ? best : actors.get(0); // whose call says why it cannot run
    }

    /** The pool as its proxies see it: its shutdown closes every actor. */
    private final class Calls implements TaskExecutor {
        @Override
        public <T> TaskFuture<T> submit(TaskMethod method, Object target, Object[] args) {
            return endpoint(leastBusy()).calls().submit(method, target, args);
        }

        @Override
        public void shutdown() {
            actors.forEach(a -> endpoint(a).calls().shutdown());
        }

        @Override
        public List<TaskFuture<?>> shutdownNow() {
            List<TaskFuture<?>> neverStarted = new ArrayList<>();
            actors.forEach(a -> neverStarted.addAll(endpoint(a).calls().shutdownNow()));
            return neverStarted;
        }

        @Override
        public boolean isShutdown() {
            return actors.stream().allMatch(a -> endpoint(a).calls().isShutdown());
        }

        @Override
        public boolean isTerminated() {
            return actors.stream().allMatch(a -> endpoint(a).calls().isTerminated());
        }

        @Override
        public boolean awaitTermination(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Actor<C> a : actors) {
                Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
                if (!endpoint(a).calls().awaitTermination(left)) {
                    return false;
                }
            }
            return true;
        }
    }
}
