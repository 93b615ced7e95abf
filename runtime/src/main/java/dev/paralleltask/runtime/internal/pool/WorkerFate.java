package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.internal.spi.Failures;
import java.util.ArrayList;
import java.util.List;

/**
 * What a worker's death means for the calls it was running, in order of precedence (as Bazel's
 * {@code WorkerProcessStatus} ranks why a worker went):
 *
 * <ol>
 *   <li>the pool killed it for a reason owed to a call (a timeout) or to all of them ({@code
 *       shutdownNow}): that call, or every call if none was to blame, fails with that reason;
 *   <li>a call whose method allows another attempt runs again elsewhere;
 *   <li>any other call fails with {@code WorkerCrashedException}, naming the call that cost the
 *       worker its life when another did ("another call it was running, X, timed out after ...").
 * </ol>
 *
 * A call that hit a JVM error (out of memory) is decided as it answers: it runs again if its method
 * allows, else fails with that error. The worker's fields it reads and writes are guarded by the
 * dispatcher's lock.
 */
final class WorkerFate {
    private WorkerFate() {}

    /**
     * The worker is dead: its calls that never started go back to the queue at no cost; the ones it
     * was running (and those pinned to it) run again or fail as the rules above say, put back in
     * the order they were sent.
     */
    static void settleCallsOf(Worker worker, Integer exitCode, CallQueue queue, Actions actions) {
        List<PoolCall> running = new ArrayList<>();
        for (PoolCall c; (c = worker.inFlight.pollLast()) != null; ) {
            if (c.started || c.pinnedTo != null) {
                running.add(0, c);
            } else {
                queue.putBack(c, false); // never started
            }
        }
        for (int i = running.size() - 1; i >= 0; i--) { // put back in the order sent
            PoolCall c = running.get(i);
            if (c.isDone()) {
                continue;
            }
            c.cancelTimeout();
            Throwable failure = failureOf(worker, c, exitCode);
            if (failure == null) {
                queue.putBack(c, true);
            } else {
                actions.fail(c, worker, failure);
            }
        }
    }

    /**
     * Records the call that cost the worker its life, and what it did, for the other calls that die
     * with it; the first one counts.
     */
    static void blame(Worker worker, PoolCall call, String what) {
        if (worker.culprit == null) {
            worker.culprit = call;
            worker.killedBecause =
                    "another call it was running, " + call.method.displayName() + ", " + what;
        }
    }

    /** Whether the call may run again after its worker died under it. */
    static boolean mayRunAgain(PoolCall call) {
        return call.pinnedTo == null && call.attempts <= call.method.retries();
    }

    /**
     * The failure of a call the dead worker was running; null if it runs again.
     *
     * @param exitCode the process's exit code; null when there was no process
     */
    static Throwable failureOf(Worker worker, PoolCall call, Integer exitCode) {
        boolean culprit = call == worker.culprit;
        if (worker.killedFor != null && (culprit || worker.culprit == null)) {
            return worker.killedFor;
        }
        if (mayRunAgain(call)) {
            return null;
        }
        return Failures.crashed(
                call.method,
                call.attempts,
                worker.death(exitCode),
                culprit ? null : worker.killedBecause);
    }

    /** The failure of a call that hit a JVM error; null if it runs again. */
    static Throwable fatalFailureOf(Worker worker, PoolCall call, Throwable error) {
        blame(worker, call, "hit " + error.getClass().getName());
        if (mayRunAgain(call)) {
            return null;
        }
        return Failures.fatalError(
                call.method,
                error,
                worker.describe(),
                worker.name,
                worker.pid(),
                worker.stderrTail(),
                worker.stdoutTail());
    }
}
