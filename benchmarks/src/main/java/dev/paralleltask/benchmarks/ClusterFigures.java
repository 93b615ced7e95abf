package dev.paralleltask.benchmarks;

import static dev.paralleltask.benchmarks.EndToEnd.median;
import static dev.paralleltask.benchmarks.EndToEnd.ms;
import static dev.paralleltask.benchmarks.EndToEnd.p99;
import static dev.paralleltask.benchmarks.EndToEnd.rate;
import static dev.paralleltask.benchmarks.EndToEnd.ratio;
import static dev.paralleltask.benchmarks.EndToEnd.us;

import dev.paralleltask.cluster.ClusterExecutor;
import dev.paralleltask.cluster.ClusterNode;
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Calls through a cluster of 1, 2 and 3 nodes on this machine (each its own JVM with 2 workers),
 * beside the same calls on a local pool of 2: what the network hop and Ignite cost per call. Every
 * JVM shares this machine's cores: the client, each node and its workers.
 */
final class ClusterFigures {
    private static final int ROUND_TRIPS = 2_000;
    private static final int CALLS = 20_000;
    private static final int ROUNDS = 5;
    private static final int WARM_UP_ROUNDS = 2;
    private static final int WORKERS_PER_NODE = 2;
    private static final int MAP_CALLS = 1_000_000;
    private static final int MAP_ROUNDS = 10;
    private static final int PAUSES = 400;
    private static final long PAUSE_MILLIS = 10;

    private ClusterFigures() {}

    static void measure(EndToEnd bench) throws Exception {
        double[] localTrip;
        double[] localRate = new double[ROUNDS];
        double localCancel;
        double[] localMap;
        try (ProcessPool pool = ProcessPool.builder().workers(WORKERS_PER_NODE).build()) {
            BenchTasks tasks = new BenchTasks(pool);
            localTrip = roundTrips(tasks);
            localCancel = cancelMillis(tasks);
            for (int r = 0; r < WARM_UP_ROUNDS; r++) {
                callsPerSecond(tasks);
            }
            for (int r = 0; r < ROUNDS; r++) {
                localRate[r] = callsPerSecond(tasks);
            }
            localMap = mapRates(tasks);
        }
        double[] localMap4; // as many workers as 2 nodes have
        try (ProcessPool pool = ProcessPool.builder().workers(2 * WORKERS_PER_NODE).build()) {
            localMap4 = mapRates(new BenchTasks(pool));
        }
        double serialPauses = serialPauseRate();
        nodeStart(bench);
        List<Process> nodes = new ArrayList<>();
        try {
            int firstPort = freePort();
            List<String> clientAddresses = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                long t0 = System.nanoTime();
                int clientPort = freePort();
                nodes.add(startNode(n, n == 1 ? firstPort : freePort(), firstPort, clientPort));
                clientAddresses.add("127.0.0.1:" + clientPort);
                double startMillis = (System.nanoTime() - t0) / 1e6;
                if (n == 1) {
                    bench.row(
                            "a cluster node started (Ignite server and a pool of 2), until ready",
                            ms(startMillis),
                            "-",
                            "-",
                            "measured");
                }
                long c0 = System.nanoTime();
                try (ClusterExecutor cluster =
                        ClusterExecutor.builder()
                                .connect(clientAddresses.toArray(String[]::new))
                                .build()) {
                    BenchTasks tasks = new BenchTasks(cluster);
                    tasks.noop().get(60, TimeUnit.SECONDS);
                    double coldMillis = (System.nanoTime() - c0) / 1e6;
                    while (cluster.nodes().size() < n) {
                        Thread.sleep(50);
                    }
                    double[] trip = roundTrips(tasks);
                    for (int r = 0; r < WARM_UP_ROUNDS; r++) {
                        callsPerSecond(tasks);
                    }
                    double[] rates = new double[ROUNDS];
                    for (int r = 0; r < ROUNDS; r++) {
                        rates[r] = callsPerSecond(tasks);
                    }
                    if (n == 1) {
                        bench.row(
                                "ClusterExecutor built and its first call answered (cold)",
                                ms(coldMillis),
                                "-",
                                "-",
                                "measured");
                        bench.row(
                                "no-op call round trip through 1 node, median (p99)",
                                us(median(trip)) + " (" + us(p99(trip)) + ")",
                                us(median(localTrip))
                                        + " ("
                                        + us(p99(localTrip))
                                        + ") local ProcessPool of 2",
                                ratio(median(trip) / median(localTrip)),
                                "measured");
                        bench.row(
                                "cancel(true) of a running call until its worker on the node"
                                        + " exited, median of 5",
                                ms(cancelMillis(tasks)),
                                ms(localCancel) + " (local ProcessPool of 2)",
                                "-",
                                "~100 ms");
                    }
                    bench.row(
                            String.format(
                                    "%,d no-op calls at once through %d node%s of %d workers"
                                            + " (median of %d)",
                                    CALLS, n, n == 1 ? "" : "s", WORKERS_PER_NODE, ROUNDS),
                            rate(median(rates)),
                            rate(median(localRate)) + " (local ProcessPool of 2)",
                            ratio(median(rates) / median(localRate)),
                            n == 1 ? ">= 0.5x" : "measured");
                    if (n == 1) { // the map warms the node; then the same calls at once again
                        mapRows(bench, 1, mapRates(tasks), localMap, null);
                        double[] warmRates = new double[ROUNDS];
                        for (int r = 0; r < ROUNDS; r++) {
                            warmRates[r] = callsPerSecond(tasks);
                        }
                        bench.row(
                                String.format(
                                        "%,d no-op calls at once through 1 node of %d workers,"
                                                + " warm: after that map (median of %d)",
                                        CALLS, WORKERS_PER_NODE, ROUNDS),
                                rate(median(warmRates)),
                                rate(median(localRate)) + " (local ProcessPool of 2)",
                                ratio(median(warmRates) / median(localRate)),
                                ">= 0.5x");
                    }
                    if (n == 2) {
                        mapRows(bench, 2, mapRates(tasks), localMap, localMap4);
                        double pauses = pauseRate(tasks);
                        bench.row(
                                String.format(
                                        "%d calls of %d ms (waiting) through TaskFutures.map on 2"
                                                + " nodes of %d workers",
                                        PAUSES, PAUSE_MILLIS, WORKERS_PER_NODE),
                                rate(pauses),
                                rate(serialPauses) + " (the same waits one after another)",
                                ratio(pauses / serialPauses),
                                ">= 3.5x (4 workers)");
                    }
                }
            }
        } finally {
            for (Process p : nodes) {
                p.destroy();
            }
            for (Process p : nodes) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /**
     * The map's two rows, nodes just started and warm, against a local pool of 2 and, if given, of
     * 4 in the same rounds.
     */
    private static void mapRows(
            EndToEnd bench, int nodes, double[] map, double[] local2, double[] local4) {
        for (int warm = 0; warm < 2; warm++) {
            String floor = rate(local2[warm]);
            String ratio = ratio(map[warm] / local2[warm]);
            if (local4 != null) {
                floor += " / " + rate(local4[warm]);
                ratio += " / " + ratio(map[warm] / local4[warm]);
            }
            bench.row(
                    String.format(
                            "%,d id(int) through TaskFutures.map on %d node%s of %d workers, %s",
                            MAP_CALLS,
                            nodes,
                            nodes == 1 ? "" : "s",
                            WORKERS_PER_NODE,
                            warm == 0
                                    ? "just started (median of rounds 2-4)"
                                    : "warm (median of rounds 8-10)"),
                    rate(map[warm]),
                    floor
                            + (local4 != null
                                    ? " (the same map on a local ProcessPool of 2 / of 4, the"
                                            + " same rounds)"
                                    : " (the same map on a local ProcessPool of 2, the same"
                                            + " rounds)"),
                    ratio,
                    ">= 0.5x");
        }
    }

    /**
     * Rates of {@link #MAP_CALLS} id(int) through a map, {@link #MAP_ROUNDS} times over: the median
     * of the three after the first (the executor just started) and the median of the last three
     * (warm: a node's JVM compiles the code its calls go through for the first few million of them,
     * on this machine 20-30 s of a map, where a local pool's workers take one or two rounds).
     *
     * @return the first rounds' median, then the warm one
     */
    private static double[] mapRates(BenchTasks tasks) {
        List<Integer> inputs = new ArrayList<>(MAP_CALLS);
        for (int i = 0; i < MAP_CALLS; i++) {
            inputs.add(i);
        }
        double[] rates = new double[MAP_ROUNDS];
        for (int r = 0; r < rates.length; r++) {
            long t0 = System.nanoTime();
            long sum;
            try (java.util.stream.Stream<Integer> ids =
                    dev.paralleltask.runtime.TaskFutures.map(inputs, tasks::id)) {
                sum = ids.mapToLong(Integer::longValue).sum();
            }
            if (sum != (long) MAP_CALLS * (MAP_CALLS - 1) / 2) {
                throw new AssertionError("map summed " + sum);
            }
            rates[r] = MAP_CALLS / ((System.nanoTime() - t0) / 1e9);
        }
        return new double[] {
            median(Arrays.copyOfRange(rates, 1, 4)),
            median(Arrays.copyOfRange(rates, rates.length - 3, rates.length))
        };
    }

    /** Calls of {@link #PAUSE_MILLIS} of waiting through a map, per second. */
    private static double pauseRate(BenchTasks tasks) {
        List<Long> inputs = java.util.Collections.nCopies(PAUSES, PAUSE_MILLIS);
        long t0 = System.nanoTime();
        try (java.util.stream.Stream<Long> waited =
                dev.paralleltask.runtime.TaskFutures.map(inputs, tasks::pause)) {
            if (waited.mapToLong(Long::longValue).sum() != PAUSES * PAUSE_MILLIS) {
                throw new AssertionError("the pauses did not all return");
            }
        }
        return PAUSES / ((System.nanoTime() - t0) / 1e9);
    }

    /** The floor of {@link #pauseRate}: the same waits one after another, here. */
    private static double serialPauseRate() throws InterruptedException {
        long t0 = System.nanoTime();
        for (int i = 0; i < PAUSES / 4; i++) {
            Thread.sleep(PAUSE_MILLIS);
        }
        return PAUSES / 4 / ((System.nanoTime() - t0) / 1e9);
    }

    private static double[] roundTrips(BenchTasks tasks) throws Exception {
        double[] micros = EndToEnd.sequentialCalls(tasks, ROUND_TRIPS);
        Arrays.sort(micros);
        return micros;
    }

    private static double callsPerSecond(BenchTasks tasks) throws Exception {
        List<TaskFuture<Void>> calls = new ArrayList<>(CALLS);
        long t0 = System.nanoTime();
        for (int i = 0; i < CALLS; i++) {
            calls.add(tasks.noop());
        }
        for (TaskFuture<Void> f : calls) {
            f.get();
        }
        return CALLS / ((System.nanoTime() - t0) / 1e9);
    }

    /** From cancel(true) of a call sleeping in a worker until that worker process is gone. */
    private static double cancelMillis(BenchTasks tasks) throws Exception {
        double[] millis = new double[5];
        Path pidFile = Files.createTempFile("paralleltask-bench-", ".pid");
        try {
            for (int r = 0; r < millis.length; r++) {
                Files.writeString(pidFile, "");
                TaskFuture<Long> call = tasks.sleepWritingPid(60_000, pidFile.toString());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (Files.readString(pidFile).isEmpty()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the sleeping call never started");
                    }
                    Thread.sleep(1);
                }
                ProcessHandle worker =
                        ProcessHandle.of(Long.parseLong(Files.readString(pidFile))).orElseThrow();
                long t0 = System.nanoTime();
                call.cancel(true);
                // Polled: onExit() of a process that is not this JVM's child may notice late.
                while (worker.isAlive()) {
                    if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(30)) {
                        throw new IllegalStateException("the worker outlived its cancelled call");
                    }
                    Thread.onSpinWait();
                }
                millis[r] = (System.nanoTime() - t0) / 1e6;
            }
        } finally {
            Files.deleteIfExists(pidFile);
        }
        return median(millis);
    }

    private static final int STARTS = 3;

    /**
     * A cluster node's start until it said it was ready, against its floor: an Ignite node with the
     * same settings and no pool, started the same way, plus a pool of as many workers built in this
     * JVM (each the median of {@value #STARTS}).
     */
    private static void nodeStart(EndToEnd bench) throws Exception {
        double[] node = new double[STARTS];
        double[] bare = new double[STARTS];
        double[] pool = new double[STARTS];
        for (int i = 0; i < STARTS; i++) {
            long t0 = System.nanoTime();
            Process p = startNode(100 + i, freePort(), 0, freePort());
            node[i] = (System.nanoTime() - t0) / 1e6;
            end(p);
            t0 = System.nanoTime();
            p = startBareIgnite();
            bare[i] = (System.nanoTime() - t0) / 1e6;
            end(p);
            t0 = System.nanoTime();
            try (ProcessPool local = ProcessPool.builder().workers(WORKERS_PER_NODE).build()) {
                pool[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        double floor = median(bare) + median(pool);
        bench.row(
                "a cluster node (Ignite server and a pool of 2) started until ready, median of "
                        + STARTS,
                ms(median(node)),
                ms(floor)
                        + " (a bare Ignite node with the same settings "
                        + ms(median(bare))
                        + ", a pool of 2 built "
                        + ms(median(pool))
                        + ")",
                String.format(Locale.ROOT, "%.2fx", median(node) / floor),
                "<= 1.2x");
    }

    private static Process startBareIgnite() throws IOException, InterruptedException {
        return launch(
                List.of(
                        BareIgniteNode.class.getName(),
                        Integer.toString(freePort()),
                        Integer.toString(freePort()),
                        Integer.toString(freePort())),
                "ready");
    }

    /** Stops a node JVM (its input ends, or SIGTERM) and waits for it. */
    private static void end(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    private static Process startNode(int n, int port, int joinPort, int clientPort)
            throws IOException, InterruptedException {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                ClusterNode.class.getName(),
                                "--name",
                                "bench-" + n,
                                "--port",
                                Integer.toString(port),
                                "--client-port",
                                Integer.toString(clientPort),
                                "--workers",
                                Integer.toString(WORKERS_PER_NODE)));
        if (joinPort > 0 && n > 1) {
            args.addAll(List.of("--join", "127.0.0.1:" + joinPort));
        }
        return launch(args, "paralleltask node bench-" + n + " ready");
    }

    /**
     * Starts {@code mainAndArgs} in a JVM with the options Ignite needs, and returns once it
     * printed a line starting with {@code ready}; its output is drained from then on.
     */
    private static Process launch(List<String> mainAndArgs, String ready)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ClusterNode.JVM_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        command.addAll(mainAndArgs);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder said = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(ready)) {
                Thread drain =
                        new Thread(
                                () -> {
                                    try {
                                        while (out.readLine() != null) {
                                            // keep the JVM's output flowing
                                        }
                                    } catch (IOException e) {
                                        // it ended
                                    }
                                });
                drain.setDaemon(true);
                drain.start();
                return p;
            }
            said.append(line).append('\n');
        }
        p.waitFor();
        throw new IllegalStateException(mainAndArgs + " ended before it was ready:\n" + said);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
