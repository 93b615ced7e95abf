package dev.paralleltask.it;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.WorkerInfo;
import dev.paralleltask.shared.SharedLongArray;
import java.util.stream.Collectors;

/**
 * A parent process for {@link ParentDeathTest}: starts a pool whose workers are busy, makes shared
 * objects, prints the workers' pids, and waits to be killed.
 */
public final class OrphanParent {
    private OrphanParent() {}

    public static void main(String[] args) throws Exception {
        ProcessPool pool = ProcessPool.builder().workers(2).build();
        FaultsTasks tasks = new FaultsTasks(pool);
        tasks.sleep(600_000); // one worker busy, one idle: both must go when we do
        // Shared objects, made here and in the idle worker: they must go too.
        SharedLongArray here = SharedLongArray.allocate(1_000);
        SharedLongArray there = new SharedWorkTasks(pool).make(10, 1).get();
        here.set(0, there.get(0));
        System.out.println(
                "PIDS "
                        + pool.workers().stream()
                                .map(WorkerInfo::pid)
                                .map(String::valueOf)
                                .collect(Collectors.joining(" ")));
        System.out.flush();
        Thread.sleep(600_000);
    }
}
