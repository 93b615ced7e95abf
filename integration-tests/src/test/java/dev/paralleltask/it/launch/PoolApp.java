package dev.paralleltask.it.launch;

import dev.paralleltask.it.FaultsTasks;
import dev.paralleltask.runtime.ProcessPool;

/** An application as a user writes one: a pool, a call, its answer on stdout. */
public final class PoolApp {
    private PoolApp() {}

    public static void main(String[] args) throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).classDataSharing(false).build()) {
            long worker = new FaultsTasks(pool).pid().get();
            System.out.println(
                    "worker pid " + worker + ", caller pid " + ProcessHandle.current().pid());
        }
    }
}
