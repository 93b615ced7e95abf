package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.TaskMethod;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Runs the calls of generated proxies: {@link ProcessPool} in child JVMs, {@link ThreadPool} on
 * threads of this JVM. The same proxy works on either.
 *
 * <ul>
 *   <li>Calls start in the order they were made, as executors become free.
 *   <li>{@link #shutdown()} refuses new calls and lets queued and running ones finish; {@link
 *       #shutdownNow()} also stops running calls and cancels queued ones; {@link #close()} shuts
 *       down and waits, so try-with-resources ends an executor the way Python's {@code with} does.
 *   <li>A call made after shutdown is refused with {@link
 *       java.util.concurrent.RejectedExecutionException}.
 * </ul>
 *
 * <pre>{@code
 * try (TaskExecutor executor = ProcessPool.builder().workers(2).build()) {
 *     PrimesTasks primes = new PrimesTasks(executor);
 *     System.out.println(primes.count(0, 1_000_000).get());
 * }
 * }</pre>
 */
public interface TaskExecutor extends AutoCloseable {
    /**
     * Starts a call; what generated proxies call, not meant for hand-written code.
     *
     * @param method the annotated method, as the proxy describes it
     * @param target the object an instance method runs on; null for a static method
     * @param args the arguments, in order
     * @return the future of the call; a value that cannot be sent fails it with {@link
     *     TaskSerializationException}
     * @throws java.util.concurrent.RejectedExecutionException if the executor is shut down
     */
    <T> TaskFuture<T> submit(TaskMethod method, Object target, Object[] args);

    /**
     * This executor, with every call made through the returned one carrying {@code options}, which
     * override what the methods' {@code @ParallelTask} says: {@code new
     * PrimesTasks(pool.with(CallOptions.defaults().timeout(Duration.ofSeconds(5))))}. The returned
     * executor is a view: its calls run here, and shutting it down shuts this one down. Options
     * given to a view's {@code with} are added to the view's, the later ones winning.
     */
    default TaskExecutor with(CallOptions options) {
        return WithCallOptions.of(this, options);
    }

    /**
     * An {@link Actor} whose object starts as {@code initialState}, with {@link
     * ActorOptions#defaults()}: no restart, one call at a time.
     *
     * @see #actor(Object, ActorOptions)
     */
    default <C> Actor<C> actor(C initialState) {
        return actor(initialState, ActorOptions.defaults());
    }

    /**
     * An {@link Actor} whose object starts as {@code initialState}, as it is now: {@code new
     * CounterTasks(executor.actor(new Counter()))} runs the counter's tasks on that one object,
     * which keeps its state between calls. On a {@link ProcessPool} the state is encoded here,
     * once, and the actor's JVM is started before this returns.
     *
     * @throws TaskSerializationException if {@code initialState} cannot be sent
     * @throws WorkerStartException if the actor's JVM cannot start
     * @throws java.util.concurrent.RejectedExecutionException if the executor is shut down
     * @throws UnsupportedOperationException if this executor has no actors
     */
    default <C> Actor<C> actor(C initialState, ActorOptions options) {
        throw new UnsupportedOperationException(
                getClass().getName()
                        + " has no actors: make them on a ProcessPool, a ThreadPool or a"
                        + " ClusterExecutor");
    }

    /**
     * {@code size} actors, each starting from an object of {@code initialStates}, which is called
     * here once per actor and once per restart: see {@link ActorPool}.
     *
     * @see #actorPool(int, Supplier, ActorOptions)
     */
    default <C> ActorPool<C> actorPool(int size, Supplier<C> initialStates) {
        return actorPool(size, initialStates, ActorOptions.defaults());
    }

    /**
     * {@code size} actors with {@code options}, each starting from an object of {@code
     * initialStates}, which is called here once per actor and once per restart. If one cannot be
     * made, those made already are closed and the failure is thrown.
     *
     * @throws IllegalArgumentException if {@code size} is below 1
     */
    default <C> ActorPool<C> actorPool(int size, Supplier<C> initialStates, ActorOptions options) {
        Objects.requireNonNull(initialStates, "initialStates");
        Objects.requireNonNull(options, "options");
        return ActorGroup.start(size, () -> actor(initialStates.get(), options));
    }

    /** Refuses new calls; queued and running calls finish. Does not wait. */
    void shutdown();

    /**
     * Refuses new calls, stops running calls (a {@link ProcessPool} kills their workers), and
     * cancels the calls that never started.
     *
     * @return the futures of the calls that never started, now cancelled
     */
    List<TaskFuture<?>> shutdownNow();

    /** Whether {@link #shutdown()} or {@link #shutdownNow()} was called. */
    boolean isShutdown();

    /** Whether the executor is shut down and everything it started has ended. */
    boolean isTerminated();

    /**
     * Waits until the executor has terminated after a shutdown, or the timeout passes.
     *
     * @return true if it terminated, false if the timeout passed first
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /**
     * Shuts down and waits until every queued and running call has finished. If interrupted while
     * waiting, stops everything as {@link #shutdownNow()} does, keeps waiting for that, and returns
     * with the interrupt flag set.
     */
    @Override
    default void close() {
        shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (awaitTermination(Duration.ofDays(1))) {
                    break;
                }
            } catch (InterruptedException e) {
                if (!interrupted) {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
