package dev.paralleltask.benchmarks;

import static dev.paralleltask.benchmarks.EndToEnd.median;
import static dev.paralleltask.benchmarks.EndToEnd.millisSince;
import static dev.paralleltask.benchmarks.EndToEnd.ratio;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.shared.SharedDoubleArray;
import dev.paralleltask.shared.SharedEvent;
import dev.paralleltask.shared.SharedLock;
import dev.paralleltask.shared.SharedLongArray;
import dev.paralleltask.shared.SharedQueue;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shared objects' figures, each beside the same work on the JDK's in-process classes in this
 * JVM: queue items per second between two workers, lock acquisitions per second by two workers,
 * {@code SharedDoubleArray} element access against a {@code double[]}, and the CPU an idle waiter
 * burns.
 */
final class SharedFigures {
    private static final int ROUNDS = 5;
    private static final int ITEMS = 200_000;
    private static final int HAND_OFFS = 20_000;
    private static final int ELEMENTS = 10_000_000;

    private SharedFigures() {}

    static void measure(EndToEnd bench) throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            BenchTasks tasks = new BenchTasks(pool);
            queue(bench, tasks);
            lock(bench, tasks);
            idleWaiter(bench, pool, tasks);
        }
        array(bench);
    }

    private static void queue(EndToEnd bench, BenchTasks tasks) throws Exception {
        double[] ours = new double[ROUNDS];
        try (SharedQueue<Integer> queue = SharedQueue.create(1024)) {
            for (int r = -1; r < ROUNDS; r++) { // round -1 warms up
                long t0 = System.nanoTime();
                TaskFuture<Long> consumer = tasks.consume(queue, ITEMS);
                TaskFuture<Integer> producer = tasks.produce(queue, ITEMS);
                producer.get();
                if (consumer.get() != (long) ITEMS * (ITEMS - 1) / 2) {
                    throw new AssertionError("items lost");
                }
                if (r >= 0) {
                    ours[r] = ITEMS / millisSince(t0) * 1000;
                }
            }
        }
        double[] floor = new double[ROUNDS];
        for (int r = -1; r < ROUNDS; r++) {
            ArrayBlockingQueue<Integer> queue = new ArrayBlockingQueue<>(1024);
            long t0 = System.nanoTime();
            Thread producer =
                    new Thread(
                            () -> {
                                for (int i = 0; i < ITEMS; i++) {
                                    try {
                                        queue.put(i);
                                    } catch (InterruptedException e) {
                                        return;
                                    }
                                }
                            });
            producer.start();
            for (int i = 0; i < ITEMS; i++) {
                queue.take();
            }
            producer.join();
            if (r >= 0) {
                floor[r] = ITEMS / millisSince(t0) * 1000;
            }
        }
        bench.row(
                "SharedQueue items between two workers (capacity 1,024, median of " + ROUNDS + ")",
                perSecond(median(ours), "items"),
                perSecond(median(floor), "items") + " (ArrayBlockingQueue, two threads)",
                ratio(median(ours) / median(floor)),
                "measured");
    }

    private static void lock(EndToEnd bench, BenchTasks tasks) throws Exception {
        double[] ours = handOffsPerSecond(tasks, ROUNDS, HAND_OFFS);
        double[] floor = new double[ROUNDS];
        for (int r = -1; r < ROUNDS; r++) {
            ReentrantLock lock = new ReentrantLock();
            long[] turn = new long[1];
            long t0 = System.nanoTime();
            Thread odd = new Thread(() -> takeTurns(lock, turn, 1));
            odd.start();
            takeTurns(lock, turn, 0);
            odd.join();
            if (r >= 0) {
                floor[r] = 2.0 * HAND_OFFS / millisSince(t0) * 1000;
            }
        }
        bench.row(
                "SharedLock hand-offs between two workers taking turns (median of " + ROUNDS + ")",
                perSecond(median(ours), "hand-offs"),
                perSecond(median(floor), "hand-offs") + " (ReentrantLock, two threads)",
                ratio(median(ours) / median(floor)),
                "measured");
    }

    /**
     * Lock hand-offs per second between two workers taking {@code handOffs} turns each, in each of
     * {@code rounds} rounds after one that warms up.
     */
    static double[] handOffsPerSecond(BenchTasks tasks, int rounds, int handOffs) throws Exception {
        double[] perSecond = new double[rounds];
        try (SharedLock lock = SharedLock.create();
                SharedLongArray turn = SharedLongArray.allocate(1)) {
            for (int r = -1; r < rounds; r++) {
                turn.set(0, 0);
                long t0 = System.nanoTime();
                TaskFuture<Integer> even = tasks.takeTurns(lock, turn, 0, handOffs);
                TaskFuture<Integer> odd = tasks.takeTurns(lock, turn, 1, handOffs);
                even.get();
                odd.get();
                if (turn.get(0) != 2L * handOffs) {
                    throw new AssertionError("turns lost: " + turn.get(0));
                }
                if (r >= 0) {
                    perSecond[r] = 2.0 * handOffs / millisSince(t0) * 1000;
                }
            }
        }
        return perSecond;
    }

    private static void takeTurns(ReentrantLock lock, long[] turn, int side) {
        for (int done = 0; done < HAND_OFFS; ) {
            lock.lock();
            try {
                if (turn[0] % 2 == side) {
                    turn[0]++;
                    done++;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private static void idleWaiter(EndToEnd bench, ProcessPool pool, BenchTasks tasks)
            throws Exception {
        long seconds = 5;
        try (SharedEvent never = SharedEvent.create()) {
            TaskFuture<Boolean> waiting = tasks.await(never, seconds * 1000 + 2000);
            Thread.sleep(1000); // past its spinning: it sleeps in its longest steps now
            long pids[] = pool.workers().stream().mapToLong(w -> w.pid()).toArray();
            long before = cpuNanos(pids);
            Thread.sleep(seconds * 1000);
            long used = cpuNanos(pids) - before;
            waiting.get();
            bench.row(
                    "CPU of a worker waiting on a SharedEvent that is never set, over "
                            + seconds
                            + " s",
                    String.format(Locale.ROOT, "%.1f%% of a core", 100.0 * used / (seconds * 1e9)),
                    "both workers' processes, the idle one included",
                    "",
                    "a few percent at most");
        }
    }

    private static long cpuNanos(long[] pids) {
        long total = 0;
        for (long pid : pids) {
            total +=
                    ProcessHandle.of(pid)
                            .flatMap(p -> p.info().totalCpuDuration())
                            .map(Duration::toNanos)
                            .orElse(0L);
        }
        return total;
    }

    private static void array(EndToEnd bench) {
        double[] ours = new double[ROUNDS];
        double[] floor = new double[ROUNDS];
        double[] plain = new double[ELEMENTS];
        try (SharedDoubleArray shared = SharedDoubleArray.allocate(ELEMENTS)) {
            for (int r = -2; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < ELEMENTS; i++) {
                    shared.set(i, i * 0.5);
                }
                double sum = 0;
                for (int i = 0; i < ELEMENTS; i++) {
                    sum += shared.get(i);
                }
                double sharedMs = millisSince(t0);
                t0 = System.nanoTime();
                for (int i = 0; i < ELEMENTS; i++) {
                    plain[i] = i * 0.5;
                }
                double plainSum = 0;
                for (int i = 0; i < ELEMENTS; i++) {
                    plainSum += plain[i];
                }
                double plainMs = millisSince(t0);
                if (sum != plainSum) {
                    throw new AssertionError(sum + " != " + plainSum);
                }
                if (r >= 0) {
                    ours[r] = sharedMs;
                    floor[r] = plainMs;
                }
            }
        }
        bench.row(
                "SharedDoubleArray: set then sum 10M elements, one thread (median of "
                        + ROUNDS
                        + ")",
                EndToEnd.ms(median(ours)),
                EndToEnd.ms(median(floor)) + " (double[])",
                ratio(median(ours) / median(floor)),
                "measured");
    }

    private static String perSecond(double v, String what) {
        return String.format(Locale.ROOT, "%,.0f %s/s", v, what);
    }
}
