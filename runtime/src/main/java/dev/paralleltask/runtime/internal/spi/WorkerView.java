package dev.paralleltask.runtime.internal.spi;

/** What {@link dev.paralleltask.runtime.WorkerInfo} shows of one worker, read live. */
public interface WorkerView {
    String name();

    /** -1 while its process is being started. */
    long pid();

    boolean isAlive();

    long tasksCompleted();
}
