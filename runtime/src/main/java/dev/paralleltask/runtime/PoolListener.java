package dev.paralleltask.runtime;

import java.time.Duration;

/**
 * Hears what a {@link ProcessPool} does: calls queued, started and completed, workers started,
 * recycled and exited. Give one to {@link ProcessPool.Builder#listener}; every method does nothing
 * unless overridden.
 *
 * <p>Events are delivered one at a time, each call's in their order (queued, started, completed),
 * on a thread of the listener's own, never on a thread the pool needs: a slow listener delays only
 * the events after it (the pool keeps up to {@value #MAX_WAITING_EVENTS} waiting, then drops events
 * and says so once in its log), and one that throws is logged and goes on hearing the next events.
 * When the pool's {@code close()} or {@code awaitTermination} returns, the listener has heard every
 * event, unless it spent more than ten seconds on the last ones.
 */
public interface PoolListener {
    /** How many events may wait for a slow listener before the pool drops new ones. */
    int MAX_WAITING_EVENTS = 1 << 20;

    /** How a call ended. */
    enum Outcome {
        /** It returned. */
        OK,
        /** It failed: what the task threw, its timeout, its worker's death, its values. */
        FAILED,
        /** It was cancelled. */
        CANCELLED
    }

    /**
     * A call as the events name it.
     *
     * @param id the pool's number for the call, the same in each of its events
     * @param method the method, e.g. {@code Primes.count(int, int)}
     */
    record Call(long id, String method) {}

    /** A call was made and waits for a worker. */
    default void callQueued(Call call) {}

    /**
     * A worker started the call, or may have: the pool counts a call as started from the moment its
     * worker may run it. {@code attempt} is 1, or more when it runs again after a crash. A call the
     * pool took back from a worker that had not run it yet (to even out the load, or on a cancel)
     * is heard started again where it runs, with the same attempt.
     */
    default void callStarted(Call call, String worker, int attempt) {}

    /**
     * The call completed.
     *
     * @param worker the worker it ran on last, or null if it never reached one
     * @param ran how long it ran, from its last start; zero if it never started
     * @param failure why it failed or was cancelled; null when it returned
     */
    default void callCompleted(
            Call call, String worker, Outcome outcome, Duration ran, Throwable failure) {}

    /** A worker's JVM started. */
    default void workerStarted(String worker, long pid) {}

    /**
     * The pool retires a worker to start a new one afresh: it ran {@code maxTasksPerWorker} calls,
     * or its memory passed {@code maxWorkerMemory}. (A worker of an elastic pool idle past {@code
     * keepAlive} just retires: its exit is heard, with no crash.)
     */
    default void workerRecycled(String worker, long pid, String why) {}

    /**
     * A worker's JVM exited: {@code crash} says how, when it died without being asked to (a crash,
     * a kill, a timeout, a cancel); null when it retired.
     */
    default void workerExited(
            String worker, long pid, int exitCode, WorkerCrashedException crash) {}
}
