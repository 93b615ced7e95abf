package dev.paralleltask.benchmarks;

import static dev.paralleltask.benchmarks.EndToEnd.median;
import static dev.paralleltask.benchmarks.EndToEnd.ms;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where a fresh program's pool start goes: {@link ColdStart} run as a fresh JVM with every JVM of
 * it (the program and its workers) logging the classes it loads with wall-clock timestamps; a phase
 * ends when the class that marks it loads. Times are from the program's first logged class on,
 * medians over the runs.
 */
final class StartPhases {
    private static final int RUNS = 7;

    /** The program's phases: the class whose loading ends each. */
    private static final Map<String, String> CALLER =
            ordered(
                    "main reached", "dev.paralleltask.benchmarks.ColdStart",
                    "first worker launched", "java.lang.ProcessImpl",
                    "build() returned", "dev.paralleltask.benchmarks.BenchTasks");

    /** A worker's phases. */
    private static final Map<String, String> WORKER =
            ordered(
                    "JVM running", null, // its first logged class
                    "main reached", "dev.paralleltask.runtime.internal.worker.WorkerMain",
                    "secret read, ring mapped, connecting",
                            "java.nio.channels.spi.SelectorProvider",
                    "connected, hello sent", "dev.paralleltask.runtime.internal.wire.Frame$Hello",
                    "first call arrived", "dev.paralleltask.runtime.internal.wire.CallCodec");

    /** The class of a JVM that makes the workers' class archive: not one of the pool's. */
    private static final String TRAINING = "dev.paralleltask.runtime.internal.worker.Training ";

    private StartPhases() {}

    static void measure(EndToEnd bench) throws Exception {
        if (Runtime.version().feature() >= 25) { // see ClassArchive
            bench.row(
                    "fresh program, pool of 2: where its start goes",
                    "not measured on JDK " + Runtime.version().feature(),
                    "",
                    "",
                    "workers start from an ahead-of-time cache, which loads all its classes as"
                            + " the JVM starts: a class's loading marks no phase");
            return;
        }
        Map<String, List<Double>> at = new TreeMap<>();
        List<Double> totals = new ArrayList<>();
        StartFigures.runFresh(ColdStart.class, "pool"); // makes the class archive if the jar is new
        for (int r = 0; r < RUNS; r++) {
            Path logs = Files.createTempDirectory("paralleltask-phases-");
            try {
                totals.add(runLogged(logs));
                record(logs, at);
            } finally {
                try (Stream<Path> files = Files.list(logs)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
                Files.delete(logs);
            }
        }
        for (String phase : at.keySet()) {
            bench.row(
                    "fresh program, pool of 2: " + phase.substring(3) + " (median of " + RUNS + ")",
                    ms(median(toArray(at.get(phase)))),
                    "",
                    "",
                    "since the program's first class");
        }
        bench.row(
                "fresh program, pool of 2: both answered, timed by the program from its main",
                ms(median(toArray(totals))),
                "",
                "",
                "with class logging on");
    }

    /** Runs {@link ColdStart} with class logging into {@code logs}; returns what it printed. */
    private static double runLogged(Path logs) throws Exception {
        return StartFigures.runFresh(
                ColdStart.class,
                "pool",
                "-Xlog:class+load=info:file=" + logs + "/%p.log:timemillis");
    }

    /** Adds this run's phase times to {@code at}, keyed "NN phase" to keep their order. */
    private static void record(Path logs, Map<String, List<Double>> at) throws IOException {
        List<List<String>> workers = new ArrayList<>();
        List<String> caller = null;
        try (Stream<Path> files = Files.list(logs)) {
            for (Path f : files.toList()) {
                List<String> lines = Files.readAllLines(f);
                if (lines.stream().anyMatch(l -> l.contains(" " + CALLER.get("main reached")))) {
                    caller = lines;
                } else if (lines.stream().noneMatch(l -> l.contains(TRAINING))) {
                    workers.add(lines);
                }
            }
        }
        if (caller == null || workers.size() != 2) {
            StringBuilder found = new StringBuilder();
            for (List<String> w : workers) {
                found.append("\n  a log beginning ").append(w.isEmpty() ? "(empty)" : w.get(0));
            }
            throw new IOException(
                    "expected the program's log and 2 workers' in " + logs + "; found" + found);
        }
        long zero = stamp(caller.get(0));
        int n = 0;
        for (Map.Entry<String, String> phase : CALLER.entrySet()) {
            add(at, n++, "program: " + phase.getKey(), firstLoad(caller, phase.getValue()) - zero);
        }
        workers.sort(Comparator.comparingLong(w -> stamp(w.get(0))));
        for (int w = 0; w < workers.size(); w++) {
            for (Map.Entry<String, String> phase : WORKER.entrySet()) {
                List<String> log = workers.get(w);
                long when =
                        phase.getValue() == null
                                ? stamp(log.get(0))
                                : firstLoad(log, phase.getValue());
                add(at, n++, "worker " + (w + 1) + ": " + phase.getKey(), when - zero);
            }
        }
    }

    private static void add(Map<String, List<Double>> at, int order, String phase, double ms) {
        at.computeIfAbsent(String.format("%02d %s", order, phase), k -> new ArrayList<>()).add(ms);
    }

    private static long firstLoad(List<String> log, String className) throws IOException {
        for (String line : log) {
            if (line.contains("] " + className + " ")) {
                return stamp(line);
            }
        }
        throw new IOException(className + " never loaded");
    }

    /** The milliseconds of a line "[1795986298959ms] ...". */
    private static long stamp(String line) {
        return Long.parseLong(line.substring(1, line.indexOf("ms]")));
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
