package dev.paralleltask.runtime;

import java.util.List;

/**
 * A snapshot of a {@link ProcessPool}, for dashboards and health checks: {@link
 * ProcessPool#stats()}. Counts run from the pool's start; a call counts once, when it ends.
 *
 * @param queued calls waiting for a worker (sent ahead to a busy worker included)
 * @param running calls a worker is running now
 * @param completed calls that returned a result
 * @param failed calls that failed: the task threw, or a {@link TaskException} (a crash, a timeout,
 *     a value that could not be sent)
 * @param cancelled calls cancelled before they ended
 * @param workersStarted worker processes started, replacements included
 * @param crashes workers that exited without being asked to: they crashed, or were killed for a
 *     timeout, a cancel or a JVM error
 * @param recycled workers the pool retired to start afresh: they ran {@code maxTasksPerWorker}
 *     calls, or their resident memory passed {@code maxWorkerMemory}
 * @param workers each worker now, oldest first
 */
public record PoolStats(
        int queued,
        int running,
        long completed,
        long failed,
        long cancelled,
        long workersStarted,
        long crashes,
        long recycled,
        List<Worker> workers) {

    public PoolStats {
        workers = List.copyOf(workers);
    }

    /**
     * One worker.
     *
     * @param name e.g. {@code pool-1-worker-2}
     * @param pid its process id; -1 while it starts
     * @param state {@code STARTING}, {@code READY}, {@code RETIRING} (leaving, or being killed) or
     *     {@code DEAD}
     * @param inFlight calls sent to it and not yet answered: the one it runs, and those waiting
     * @param tasksCompleted calls it finished, whatever their outcome
     */
    public record Worker(String name, long pid, String state, int inFlight, long tasksCompleted) {}
}
