package dev.paralleltask.runtime;

/**
 * An object that lives in a worker of its own and keeps its state between calls: {@code
 * executor.actor(new Counter())}, then {@code new CounterTasks(actor)} calls its
 * {@code @ParallelTask} instance methods there, in the order they were made, one at a time (or
 * {@link ActorOptions#concurrency(int)} at once), each seeing what the earlier ones did to it.
 *
 * <ul>
 *   <li>On a {@link ProcessPool} the object lives in a JVM of its own, started with the pool's
 *       settings and not counted in its workers; only the initial state travels, once, so the
 *       object may go on to hold what cannot be sent (a socket, a native handle) in {@code
 *       transient} fields it sets up itself.
 *   <li>A task that throws fails its call; the actor goes on. A call whose actor JVM dies (a crash,
 *       {@code System.exit}, its timeout, {@code cancel(true)}) fails, with {@link
 *       WorkerCrashedException} for a crash; the actor then restarts from its initial state if
 *       {@link ActorOptions#restarts(int)} allows, and the calls queued behind it run there. With
 *       no restart left, every later call fails with {@link ActorDiedException}.
 *   <li>On a {@link ThreadPool} the object lives on this heap and its calls run in order on a
 *       thread of their own: the same proxy, for tests and debugging. Nothing there can kill it, so
 *       it never restarts.
 * </ul>
 *
 * <p>{@link #close()} lets the calls made so far finish, then ends the actor; calls made after it
 * throw {@link IllegalStateException}. Shutting its executor down ends it too.
 *
 * @param <C> the class of the object
 */
public interface Actor<C> extends AutoCloseable {
    /** The actor's name, as its worker's output and failures show it: {@code pool-1-actor-1}. */
    String name();

    /**
     * The process id of the JVM the object lives in now; this JVM's on a {@link ThreadPool}; -1
     * while it restarts or after it ended.
     */
    long pid();

    /** Whether it takes calls: neither closed nor out of restarts. True while it restarts. */
    boolean isAlive();

    /** How many times it restarted from its initial state after its JVM died. */
    int restarts();

    /**
     * Lets the calls made so far finish, then ends the actor and its JVM, and waits for that. If
     * interrupted while waiting, stops the calls as {@link TaskExecutor#shutdownNow()} does and
     * returns with the interrupt flag set.
     */
    @Override
    void close();
}
