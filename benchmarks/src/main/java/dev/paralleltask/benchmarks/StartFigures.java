package dev.paralleltask.benchmarks;

import static dev.paralleltask.benchmarks.EndToEnd.median;
import static dev.paralleltask.benchmarks.EndToEnd.millisSince;
import static dev.paralleltask.benchmarks.EndToEnd.ms;
import static dev.paralleltask.benchmarks.EndToEnd.rate;
import static dev.paralleltask.benchmarks.EndToEnd.ratio;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How fast pools start, from a warm JVM and from a fresh program, how a start grows past the cores,
 * and how soon a pool answers after a worker died; each beside a floor of bare JVMs (or Python's
 * pool) measured in the same run. Where a fresh program's start goes is {@link StartPhases}.
 */
final class StartFigures {
    private StartFigures() {}

    // A pool of 2 built by a fresh JVM, as a user's program starts (its class archive made by an
    // earlier run), against a fresh JVM that starts two bare JVMs until each said hello.
    static void coldStart(EndToEnd bench) throws Exception {
        runFresh(ColdStart.class, "pool"); // makes the workers' class archive if there is none
        Thread.sleep(5_000); // its training ends meanwhile; the next program moves it into place
        runFresh(ColdStart.class, "pool");
        double[] ours = new double[7];
        double[] floor = new double[7];
        for (int r = 0; r < ours.length; r++) {
            ours[r] = runFresh(ColdStart.class, "pool");
            floor[r] = runFresh(ColdStart.class, "bare");
        }
        bench.row(
                "a fresh JVM builds a pool of 2 until both answered a call (median of 7 programs)",
                ms(median(ours)),
                ms(median(floor)) + " (a fresh JVM starts 2 bare JVMs)",
                ratio(median(ours) / median(floor)),
                "measured");
        double[] python = new double[7];
        for (int r = 0; r < python.length; r++) {
            python[r] = PythonPeer.spawnPoolMillis();
        }
        if (python[0] > 0) {
            bench.row(
                    "the same against Python's spawn pool of 2 (median of 7 programs)",
                    ms(median(ours)),
                    ms(median(python)) + " (ProcessPoolExecutor, spawn, from a fresh python3)",
                    ratio(median(ours) / median(python)),
                    "<= 1x");
        }
    }

    /** Runs {@code main} in a fresh JVM on this classpath; returns the number it printed. */
    static double runFresh(Class<?> main, String arg) throws Exception {
        return runFresh(main, arg, null);
    }

    /**
     * As {@link #runFresh(Class, String)}, with {@code JAVA_TOOL_OPTIONS} set for it and every JVM
     * it starts, unless null; their standard error, which announces those options, is dropped.
     */
    static double runFresh(Class<?> main, String arg, String javaToolOptions) throws Exception {
        ProcessBuilder builder =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                main.getName(),
                                arg)
                        .redirectError(ProcessBuilder.Redirect.INHERIT);
        if (javaToolOptions != null) {
            builder.environment().put("JAVA_TOOL_OPTIONS", javaToolOptions);
            builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) {
            throw new IOException(main.getName() + " " + arg + " exited with " + p.exitValue());
        }
        return Double.parseDouble(out);
    }

    // A pool of 2 built in this JVM until both workers answered a call, against two bare JVMs
    // until each said hello.
    static void poolStart(EndToEnd bench) throws Exception {
        double[] ours = new double[EndToEnd.ROUNDS];
        double[] floor = new double[EndToEnd.ROUNDS];
        for (int r = 0; r < EndToEnd.ROUNDS; r++) {
            long t0 = System.nanoTime();
            BareChildren bare = new BareChildren(2);
            floor[r] = millisSince(t0);
            bare.close();
            ours[r] = ColdStart.poolOfTwoMillis();
        }
        bench.row(
                "pool of 2 started, both answered a call (median of " + EndToEnd.ROUNDS + ")",
                ms(median(ours)),
                ms(median(floor)) + " (2 bare JVMs)",
                ratio(median(ours) / median(floor)),
                "<= 1.3x");
    }

    // Pools of more workers than cores: their start and their no-op throughput, against the same
    // for a pool of 2; beside each pool, as many bare JVMs started at once until each said hello
    // over a Unix socket (the floor of starting that many JVMs here), and the CPU each process used
    // until then: a start that outgrows the cores is bounded by the CPU every JVM needs.
    static void oversubscribed(EndToEnd bench) throws Exception {
        int[] sizes = {2, 4, 8, 16};
        ColdStart.poolOfTwoMillis(); // the first pool of this JVM would load and compile for all
        double[] start = new double[sizes.length];
        double[] rate = new double[sizes.length];
        double[] workerCpu = new double[sizes.length];
        double[] bare = new double[sizes.length];
        double[] bareCpu = new double[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            double[] starts = new double[3];
            double[] cpus = new double[3];
            double[] bares = new double[3];
            double[] bareCpus = new double[3];
            for (int r = 0; r < starts.length; r++) {
                long t0 = System.nanoTime();
                try (ProcessPool pool = ProcessPool.builder().workers(sizes[i]).build()) {
                    BenchTasks tasks = new BenchTasks(pool);
                    List<TaskFuture<Void>> each = new ArrayList<>();
                    for (int w = 0; w < sizes[i]; w++) {
                        each.add(tasks.noop());
                    }
                    for (TaskFuture<Void> f : each) {
                        f.get();
                    }
                    starts[r] = millisSince(t0);
                    cpus[r] =
                            pool.stats().workers().stream()
                                    .mapToDouble(w -> cpuMillis(w.pid()))
                                    .average()
                                    .orElse(Double.NaN);
                    if (r == starts.length - 1) {
                        rate[i] = median(EndToEnd.callsPerSecond(tasks, false));
                    }
                }
                t0 = System.nanoTime();
                try (BareChildren children = new BareChildren(sizes[i])) {
                    bares[r] = millisSince(t0);
                    bareCpus[r] =
                            children.processes.stream()
                                    .mapToDouble(c -> cpuMillis(c.pid()))
                                    .average()
                                    .orElse(Double.NaN);
                }
            }
            start[i] = median(starts);
            workerCpu[i] = median(cpus);
            bare[i] = median(bares);
            bareCpu[i] = median(bareCpus);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        for (int i = 1; i < sizes.length; i++) {
            bench.row(
                    "pool of "
                            + sizes[i]
                            + " on "
                            + cores
                            + " cores: start (median of 3), 100,000 no-op calls (median of "
                            + EndToEnd.ROUNDS
                            + ")",
                    ms(start[i]) + ", " + rate(rate[i]),
                    ms(start[0]) + ", " + rate(rate[0]) + " (pool of 2)",
                    ratio(start[i] / start[0]) + " start, " + ratio(rate[i] / rate[0]) + " calls",
                    sizes[i] == 8 ? "<= 2x start, >= 0.5x calls" : "measured");
        }
        for (int i = 0; i < sizes.length; i++) {
            bench.row(
                    "pool of "
                            + sizes[i]
                            + " started against "
                            + sizes[i]
                            + " bare JVMs started at once until each said hello (median of 3);"
                            + " CPU per process until then",
                    ms(start[i]) + "; " + ms(workerCpu[i]) + " CPU per worker",
                    ms(bare[i]) + "; " + ms(bareCpu[i]) + " CPU per bare JVM",
                    ratio(start[i] / bare[i])
                            + " ("
                            + sizes[i]
                            + " bare JVMs: "
                            + ratio(bare[i] / bare[0])
                            + " of 2)",
                    "measured");
        }
    }

    /**
     * The CPU time, user and system, process {@code pid} has used so far, from {@code /proc}; NaN
     * where there is none. Linux counts it in ticks of 10 ms.
     */
    static double cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    // The next call after the worker of a pool of 1 died: with no spare it waits for a new
    // JVM; with one, a spare that is already connected answers it.
    private static final int RESPAWNS = 7;

    static void respawn(EndToEnd bench) throws Exception {
        double[] without = respawnMillis(0);
        double[] with = respawnMillis(1);
        bench.row(
                "next call after the worker of a pool of 1 died, median of "
                        + RESPAWNS
                        + ", one spare",
                ms(median(with)),
                ms(median(without)) + " (no spare: a JVM starts)",
                ratio(median(with) / median(without)),
                "<= 10 ms with a spare");
        double[] oneStart = new double[RESPAWNS];
        for (int r = 0; r < RESPAWNS; r++) {
            long t0 = System.nanoTime();
            try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
                new BenchTasks(pool).noop().get();
                oneStart[r] = millisSince(t0);
            }
        }
        bench.row(
                "the same, no spare (median of " + RESPAWNS + ")",
                ms(median(without)),
                ms(median(oneStart)) + " (a pool of 1 started until it answered a call)",
                ratio(median(without) / median(oneStart)),
                "<= 1.5x");
    }

    private static double[] respawnMillis(int spares) throws Exception {
        double[] millis = new double[RESPAWNS];
        try (ProcessPool pool = ProcessPool.builder().workers(1).spareWorkers(spares).build()) {
            BenchTasks tasks = new BenchTasks(pool);
            for (int r = 0; r < RESPAWNS; r++) {
                tasks.pid().get();
                Thread.sleep(300); // the spare (if any) is up again
                try {
                    tasks.exit(1).get();
                } catch (java.util.concurrent.ExecutionException expected) {
                    // the worker died, as it should
                }
                long t0 = System.nanoTime();
                tasks.pid().get();
                millis[r] = millisSince(t0);
            }
        }
        return millis;
    }
}
