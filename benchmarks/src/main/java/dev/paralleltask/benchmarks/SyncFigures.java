package dev.paralleltask.benchmarks;

import static dev.paralleltask.benchmarks.EndToEnd.median;
import static dev.paralleltask.benchmarks.EndToEnd.ratio;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.shared.SharedCyclicBarrier;
import dev.paralleltask.shared.SharedEvent;
import dev.paralleltask.shared.SharedMap;
import dev.paralleltask.shared.SharedQueue;
import java.util.Locale;

/**
 * The shared objects' waits, between two worker processes, each beside Python's {@code
 * multiprocessing} doing the same between two processes in the same run: queue ping-pong, the
 * wake-up of a consumer that idled 5 ms, lock hand-offs, a barrier's rounds, and the CPU of a
 * waiter that waits 5 s.
 */
final class SyncFigures {
    private static final int ROUNDS = 5;
    private static final int PING_PONGS = 2_000;
    private static final int WAKE_UPS = 200;
    private static final long IDLE_MILLIS = 5;
    private static final int HAND_OFFS = 10_000;
    private static final int MEETINGS = 2_000;
    private static final long IDLE_SECONDS = 5;
    private static final int MAP_PAIRS = 100_000;

    private SyncFigures() {}

    static void measure(EndToEnd bench) throws Exception {
        double[] python = PythonPeer.syncMicros(ROUNDS, PING_PONGS, WAKE_UPS, HAND_OFFS, MEETINGS);
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            BenchTasks tasks = new BenchTasks(pool);
            row(
                    bench,
                    "SharedQueue ping-pong between two workers, per round trip",
                    pingPong(tasks),
                    python[0],
                    "no slower than Python's");
            row(
                    bench,
                    "SharedQueue wake-up of a worker that idled 5 ms, put to take",
                    wakeUp(tasks),
                    python[1],
                    "no slower than Python's");
            row(
                    bench,
                    "SharedLock hand-off between two workers taking turns, per hand-off",
                    handOff(tasks),
                    python[2],
                    "no slower than Python's");
            row(
                    bench,
                    "SharedCyclicBarrier of 2 parties in two workers, per round",
                    barrier(tasks),
                    python[3],
                    "measured");
            double ours = putsAndGets(tasks);
            bench.row(
                    "SharedMap put + get in a worker (pairs/s, median of " + ROUNDS + ")",
                    String.format(Locale.ROOT, "%,.0f", ours),
                    python[4] < 0
                            ? "(no python3)"
                            : String.format(
                                    Locale.ROOT, "%,.0f (Python Manager().dict())", python[4]),
                    python[4] < 0 ? "-" : ratio(ours / python[4]),
                    ">= 50x Python's");
            idle(bench, tasks);
        }
    }

    private static void row(
            EndToEnd bench, String what, double ours, double python, String target) {
        bench.row(
                what + " (us, median of " + ROUNDS + ")",
                micros(ours),
                python < 0 ? "(no python3)" : micros(python) + " (Python multiprocessing)",
                python < 0 ? "-" : ratio(ours / python),
                target);
    }

    private static double pingPong(BenchTasks tasks) throws Exception {
        double[] us = new double[ROUNDS];
        try (SharedQueue<Long> there = SharedQueue.create(16);
                SharedQueue<Long> back = SharedQueue.create(16)) {
            for (int r = -1; r < ROUNDS; r++) { // round -1 warms up
                TaskFuture<Integer> pong = tasks.pong(there, back, PING_PONGS);
                long nanos = tasks.ping(there, back, PING_PONGS).get();
                pong.get();
                if (r >= 0) {
                    us[r] = nanos / 1e3 / PING_PONGS;
                }
            }
        }
        return median(us);
    }

    private static double wakeUp(BenchTasks tasks) throws Exception {
        double[] us = new double[ROUNDS];
        try (SharedQueue<Long> stamps = SharedQueue.create(16)) {
            for (int r = -1; r < ROUNDS; r++) {
                int n = r < 0 ? 20 : WAKE_UPS / ROUNDS;
                TaskFuture<Long> late = tasks.lateness(stamps, n);
                tasks.stamp(stamps, n, IDLE_MILLIS).get();
                long nanos = late.get();
                if (r >= 0) {
                    us[r] = nanos / 1e3;
                }
            }
        }
        return median(us);
    }

    private static double handOff(BenchTasks tasks) throws Exception {
        return 1e6 / median(SharedFigures.handOffsPerSecond(tasks, ROUNDS, HAND_OFFS));
    }

    private static double barrier(BenchTasks tasks) throws Exception {
        double[] us = new double[ROUNDS];
        try (SharedCyclicBarrier barrier = SharedCyclicBarrier.create(2)) {
            for (int r = -1; r < ROUNDS; r++) {
                TaskFuture<Long> one = tasks.meet(barrier, MEETINGS);
                TaskFuture<Long> other = tasks.meet(barrier, MEETINGS);
                long nanos = Math.max(one.get(), other.get());
                if (r >= 0) {
                    us[r] = nanos / 1e3 / MEETINGS;
                }
            }
        }
        return median(us);
    }

    private static double putsAndGets(BenchTasks tasks) throws Exception {
        double[] perSecond = new double[ROUNDS];
        try (SharedMap<String, Integer> map = SharedMap.create(1 << 20)) {
            for (int r = -1; r < ROUNDS; r++) {
                long nanos = tasks.putAndGet(map, MAP_PAIRS).get();
                if (r >= 0) {
                    perSecond[r] = MAP_PAIRS / (nanos / 1e9);
                }
            }
        }
        return median(perSecond);
    }

    private static void idle(EndToEnd bench, BenchTasks tasks) throws Exception {
        try (SharedEvent never = SharedEvent.create()) {
            long cpu = tasks.awaitCpu(never, IDLE_SECONDS * 1000).get();
            if (cpu < 0) {
                throw new AssertionError("the event was set");
            }
            bench.row(
                    "CPU of a worker's thread waiting "
                            + IDLE_SECONDS
                            + " s on a SharedEvent that is never set",
                    String.format(
                            Locale.ROOT, "%.3f%% of a core", 100.0 * cpu / (IDLE_SECONDS * 1e9)),
                    "",
                    "",
                    "under 0.1% of a core");
        }
    }

    private static String micros(double us) {
        return String.format(Locale.ROOT, "%.1f us", us);
    }
}
