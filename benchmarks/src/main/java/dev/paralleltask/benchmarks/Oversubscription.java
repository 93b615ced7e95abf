package dev.paralleltask.benchmarks;

import dev.paralleltask.runtime.PoolStats;
import dev.paralleltask.runtime.ProcessPool;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * Pools of more workers than cores, as in a container with a CPU quota (issue 23): no-op calls/s of
 * pools of 2, 4, 8 and 16 workers on this machine, each against the pool of 2 measured in the same
 * run, and the CPU an idle pool of 16 burns (this JVM and its workers, over 5 s, after the pool
 * answered its first calls).
 */
final class Oversubscription {
    private Oversubscription() {}

    private static final int[] SIZES = {2, 4, 8, 16};
    private static final long IDLE_MILLIS = 5_000;

    static void measure(EndToEnd bench) throws Exception {
        double[] rate = new double[SIZES.length];
        double idleShare = Double.NaN;
        double bareIdleShare = bareIdleShare(16);
        for (int i = 0; i < SIZES.length; i++) {
            try (ProcessPool pool = ProcessPool.builder().workers(SIZES[i]).build()) {
                BenchTasks tasks = new BenchTasks(pool);
                rate[i] = EndToEnd.median(EndToEnd.callsPerSecond(tasks, false));
                if (SIZES[i] == 16) {
                    idleShare = idleCpuShare(pool);
                }
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        for (int i = 1; i < SIZES.length; i++) {
            bench.row(
                    String.format(
                            Locale.ROOT,
                            "100,000 no-op calls at once, pool of %d on %d cores (median of %d)",
                            SIZES[i],
                            cores,
                            EndToEnd.ROUNDS),
                    EndToEnd.rate(rate[i]),
                    EndToEnd.rate(rate[0]) + " (pool of 2, same run)",
                    String.format(Locale.ROOT, "%.2fx", rate[i] / rate[0]),
                    SIZES[i] == 16 ? ">= 0.5x" : "measured");
        }
        bench.row(
                "idle pool of 16: CPU of this JVM and its workers over "
                        + IDLE_MILLIS / 1000
                        + " s",
                String.format(Locale.ROOT, "%.2f%% of a core", idleShare),
                String.format(
                        Locale.ROOT,
                        "%.2f%% of a core (16 bare JVMs, -XX:-UsePerfData as workers, idle after"
                                + " 200 echoes each, same run)",
                        bareIdleShare),
                String.format(Locale.ROOT, "%.2fx", idleShare / bareIdleShare),
                "< 1% of a core");
    }

    /**
     * The floor: the share of a core that {@code n} bare JVM children burn idle, blocked on a
     * socket read as a worker is, after each echoed 200 messages (so their JIT and GC have run).
     */
    private static double bareIdleShare(int n) throws Exception {
        try (BareChildren bare = new BareChildren(n, List.of("-XX:-UsePerfData"))) {
            java.nio.ByteBuffer message = java.nio.ByteBuffer.allocate(32);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 200; k++) {
                    bare.echo(i, message.clear());
                }
            }
            Thread.sleep(1_000);
            double before = 0;
            for (Process p : bare.processes) {
                before += StartFigures.cpuMillis(p.pid());
            }
            Thread.sleep(IDLE_MILLIS);
            double after = 0;
            for (Process p : bare.processes) {
                after += StartFigures.cpuMillis(p.pid());
            }
            return 100.0 * (after - before) / IDLE_MILLIS;
        }
    }

    /** The share of one core this JVM and the pool's workers use while the pool is idle. */
    private static double idleCpuShare(ProcessPool pool) throws InterruptedException {
        Thread.sleep(1_000); // let the last answers and the JIT settle
        double before = cpuMillis(pool);
        Thread.sleep(IDLE_MILLIS);
        double after = cpuMillis(pool);
        return 100.0 * (after - before) / IDLE_MILLIS;
    }

    private static double cpuMillis(ProcessPool pool) {
        double own =
                ((com.sun.management.OperatingSystemMXBean)
                                        ManagementFactory.getOperatingSystemMXBean())
                                .getProcessCpuTime()
                        / 1e6;
        for (PoolStats.Worker w : pool.stats().workers()) {
            own += StartFigures.cpuMillis(w.pid());
        }
        return own;
    }
}
