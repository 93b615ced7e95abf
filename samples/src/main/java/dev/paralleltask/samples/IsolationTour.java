package dev.paralleltask.samples;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.WorkerCrashedException;
import java.util.concurrent.ExecutionException;

/** A short tour of isolation: static state, a remote exception, a crash that stays in its call. */
public final class IsolationTour {
    private IsolationTour() {}

    public static void main(String[] args) throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).namePrefix("tour-").build()) {
            IsolationTasks tasks = new IsolationTasks(pool);

            System.out.println("1. Static state stays in the worker:");
            for (int i = 0; i < 3; i++) {
                System.out.println("   worker says " + tasks.increment().get());
            }
            System.out.println(
                    "   this JVM (pid "
                            + ProcessHandle.current().pid()
                            + ") still has counter="
                            + Isolation.counter);

            System.out.println(
                    "2. An exception comes back as itself, with the worker's stack trace:");
            try {
                tasks.parse("forty-two").get();
            } catch (ExecutionException e) {
                System.out.println("   " + e.getCause());
                System.out.println("   thrown at " + e.getCause().getStackTrace()[0]);
            }

            System.out.println("3. A task that calls System.exit fails only its own call:");
            try {
                tasks.exit(3).get();
            } catch (ExecutionException e) {
                WorkerCrashedException crash = (WorkerCrashedException) e.getCause();
                System.out.println(
                        "   "
                                + crash.workerName()
                                + " (pid "
                                + crash.pid()
                                + ") exited with code "
                                + crash.exitCode());
            }
            System.out.println(
                    "   the pool goes on with a fresh worker: " + tasks.increment().get());
        }
    }
}
