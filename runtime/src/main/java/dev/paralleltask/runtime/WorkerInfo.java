package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.spi.WorkerView;

/** A live view of one worker of a {@link ProcessPool}. */
public final class WorkerInfo {
    private final WorkerView worker;

    WorkerInfo(WorkerView worker) {
        this.worker = worker;
    }

    /** The worker's name, e.g. {@code pool-1-worker-3}; it prefixes the worker's output lines. */
    public String name() {
        return worker.name();
    }

    /** The worker's process id; -1 while its process is being started. */
    public long pid() {
        return worker.pid();
    }

    /** Whether the worker's process is running. */
    public boolean isAlive() {
        return worker.isAlive();
    }

    /** How many calls the worker has finished, whatever their outcome. */
    public long tasksCompleted() {
        return worker.tasksCompleted();
    }

    @Override
    public String toString() {
        return "WorkerInfo["
                + name()
                + ", pid "
                + pid()
                + (isAlive() ? ", alive" : ", dead")
                + ", "
                + tasksCompleted()
                + " tasks]";
    }
}
