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
        if (args.length > 0 && args[0].equals("bare")) {
            long t0 = System.nanoTime();
            BareChildren bare = new BareChildren(2);
            System.out.println((System.nanoTime() - t0) / 1e6);
            bare.close();
        } else {
            System.out.println(poolOfTwoMillis());
        }
    }

    /**
     * Builds a pool of 2 and returns the milliseconds until both workers answered a call; the pool
     * is closed after.
     */
    static double poolOfTwoMillis() throws Exception {
        long t0 = System.nanoTime();
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            BenchTasks tasks = new BenchTasks(pool);
            TaskFuture<Void> a = tasks.noop();
            TaskFuture<Void> b = tasks.noop();
            a.get();
            b.get();
            return (System.nanoTime() - t0) / 1e6;
        }
    }
}
