package dev.paralleltask.samples;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.WorkerInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts the primes below 20 million twice: serially in this JVM, then split into chunks over a
 * pool of child JVMs; prints each worker and both times.
 */
public final class PrimesDemo {
    private static final int LIMIT = 20_000_000;
    private static final int CHUNKS = 40;

    private PrimesDemo() {}

    public static void main(String[] args) throws Exception {
        int workers = Runtime.getRuntime().availableProcessors();

        long serialStart = System.nanoTime();
        long serial = Primes.count(0, LIMIT);
        Duration serialTime = Duration.ofNanos(System.nanoTime() - serialStart);
        System.out.printf(
                "serial, in this JVM:      %,d primes below %,d in %d ms%n",
                serial, LIMIT, serialTime.toMillis());

        try (ProcessPool pool =
                ProcessPool.builder()
                        .workers(workers)
                        .namePrefix("primes-")
                        .jvmOptions("-Xmx128m")
                        .build()) {
            PrimesTasks primes = new PrimesTasks(pool);
            long start = System.nanoTime();
            List<TaskFuture<Long>> parts = new ArrayList<>();
            for (int i = 0; i < CHUNKS; i++) {
                parts.add(primes.count(LIMIT / CHUNKS * i, LIMIT / CHUNKS * (i + 1)));
            }
            long total = 0;
            for (TaskFuture<Long> part : parts) {
                total += part.get();
            }
            Duration parallelTime = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf(
                    "parallel, %d worker JVMs: %,d primes below %,d in %d ms (%.2fx the serial run)%n",
                    workers,
                    total,
                    LIMIT,
                    parallelTime.toMillis(),
                    (double) serialTime.toNanos() / parallelTime.toNanos());
            for (WorkerInfo w : pool.workers()) {
                System.out.printf(
                        "  %s  pid %d  %d chunks%n", w.name(), w.pid(), w.tasksCompleted());
            }
            if (total != serial) {
                throw new AssertionError(
                        "the pool counted " + total + " primes, the serial run " + serial);
            }
        }
    }
}
