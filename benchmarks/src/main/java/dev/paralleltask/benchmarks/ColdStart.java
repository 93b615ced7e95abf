package dev.paralleltask.benchmarks;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;

/**
 * A user's program as it starts: a fresh JVM that builds a pool of 2 with default settings and
 * waits until both workers answered a call; or, with {@code bare}, that starts two bare JVMs until
 * each said hello, the floor. Prints the milliseconds from its {@code main} on.
 */
final class ColdStart {
    private ColdStart() {}

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        if (args.length > 0 && args[0].equals("bare")) {
            new BareChildren(2).close();
        } else {
            try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
                BenchTasks tasks = new BenchTasks(pool);
                TaskFuture<Void> a = tasks.noop();
                TaskFuture<Void> b = tasks.noop();
                a.get();
                b.get();
                System.out.println((System.nanoTime() - t0) / 1e6);
                return;
            }
        }
        System.out.println((System.nanoTime() - t0) / 1e6);
    }
}
