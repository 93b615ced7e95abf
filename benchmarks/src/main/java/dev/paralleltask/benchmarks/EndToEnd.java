package dev.paralleltask.benchmarks;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.ThreadPool;
import dev.paralleltask.samples.Primes;
import dev.paralleltask.samples.PrimesTasks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Each end-to-end figure of paralleltask beside its floor, measured in the same run, printed as a
 * Markdown table: {@code java -jar benchmarks/target/paralleltask-benchmarks.jar [figure...]},
 * where a figure is one of start, cold, phases, roundtrip, throughput, oversubscribed, scaling,
 * map, respawn, echo, shared, sync, actors, listener, cpu, cluster, memory (default: all).
 */
public final class EndToEnd {
    static final int ROUNDS = 5;
    private static final int ROUND_TRIPS = 20_000;
    private static final int THROUGHPUT_CALLS = 100_000;

    /**
     * Rounds of 100,000 calls run before the measured ones, until the JIT has compiled both ends.
     */
    private static final int WARM_UP_ROUNDS = 3;

    private static final int BIG = 100 << 20;

    private final List<String> rows = new ArrayList<>();

    private EndToEnd() {}

    public static void main(String[] args) throws Exception {
        EndToEnd bench = new EndToEnd();
        System.out.printf(
                Locale.ROOT,
                "machine: %d cores, %s %s, %s%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                System.getProperty("os.name"));
        List<String> only = List.of(args); // figure names to run; none means all
        for (Figure f : Figure.values()) {
            if (only.isEmpty() || only.contains(f.name().toLowerCase(Locale.ROOT))) {
                System.gc(); // what one figure left behind must not be collected during the next
                f.run.accept(bench);
            }
        }
        System.out.println();
        System.out.println("| figure | paralleltask | floor | ratio | target |");
        System.out.println("| --- | --- | --- | --- | --- |");
        bench.rows.forEach(System.out::println);
    }

    /** The figures, by the names the command line takes. */
    private enum Figure {
        START(StartFigures::poolStart),
        COLD(StartFigures::coldStart),
        PHASES(bench -> StartPhases.measure(bench)),
        ROUNDTRIP(EndToEnd::roundTrip),
        THROUGHPUT(EndToEnd::throughput),
        OVERSUBSCRIBED(StartFigures::oversubscribed),
        SCALING(bench -> Oversubscription.measure(bench)),
        MAP(EndToEnd::mapThroughput),
        RESPAWN(StartFigures::respawn),
        ECHO(EndToEnd::bigEcho),
        SHARED(bench -> SharedFigures.measure(bench)),
        SYNC(bench -> SyncFigures.measure(bench)),
        ACTORS(bench -> ActorFigures.measure(bench)),
        LISTENER(bench -> ListenerFigures.measure(bench)),
        CPU(EndToEnd::cpuSpeedup),
        CLUSTER(bench -> ClusterFigures.measure(bench)),
        MEMORY(EndToEnd::idleMemory);

        final Step run;

        Figure(Step run) {
            this.run = run;
        }
    }

    @FunctionalInterface
    private interface Step {
        void measure(EndToEnd bench) throws Exception;

        default void accept(EndToEnd bench) throws Exception {
            measure(bench);
        }
    }

    void row(String figure, String ours, String floor, String ratio, String target) {
        String row =
                "| " + figure + " | " + ours + " | " + floor + " | " + ratio + " | " + target
                        + " |";
        rows.add(row);
        System.out.println(row);
    }

    // 2. Sequential no-op round trip, against an in-process executor and a bare socket echo.
    private void roundTrip() throws Exception {
        double[] ours;
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            ours = sequentialCalls(new BenchTasks(pool), ROUND_TRIPS);
        }
        double[] threads;
        try (ThreadPool pool = ThreadPool.builder().threads(1).build()) {
            threads = sequentialCalls(new BenchTasks(pool), ROUND_TRIPS);
        }
        double[] socket = new double[ROUND_TRIPS];
        try (BareChildren bare = new BareChildren(1)) {
            ByteBuffer message = ByteBuffer.allocateDirect(32);
            for (int i = 0; i < ROUND_TRIPS; i++) {
                bare.echo(0, message); // warm-up
            }
            for (int i = 0; i < ROUND_TRIPS; i++) {
                long t0 = System.nanoTime();
                bare.echo(0, message);
                socket[i] = (System.nanoTime() - t0) / 1_000.0;
            }
        }
        Arrays.sort(ours);
        Arrays.sort(threads);
        Arrays.sort(socket);
        row(
                "no-op call round trip, median (p99)",
                us(median(ours)) + " (" + us(p99(ours)) + ")",
                us(median(socket)) + " (" + us(p99(socket)) + ") bare socket echo",
                ratio(median(ours) / median(socket)),
                "<= 1.5x");
        row(
                "no-op call round trip on a ThreadPool, median (p99)",
                us(median(threads)) + " (" + us(p99(threads)) + ")",
                "-",
                "-",
                "(in-process floor)");
    }

    /** The times of {@code n} no-op calls, one after the other, after as many to warm up. */
    static double[] sequentialCalls(BenchTasks tasks, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            tasks.noop().get(); // warm-up
        }
        double[] micros = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            tasks.noop().get();
            micros[i] = (System.nanoTime() - t0) / 1_000.0;
        }
        return micros;
    }

    // 3. 100,000 calls submitted at once, no-op and small-argument, against the same on threads.
    private void throughput() throws Exception {
        double[] noop;
        double[] small;
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            noop = callsPerSecond(new BenchTasks(pool), false);
            small = callsPerSecond(new BenchTasks(pool), true);
        }
        double[] threadNoop;
        try (ThreadPool pool = ThreadPool.builder().threads(2).build()) {
            threadNoop = callsPerSecond(new BenchTasks(pool), false);
        }
        double[] writeEach = new double[ROUNDS];
        double[] batched = new double[ROUNDS];
        try (BareChildren each = new BareChildren(2, "each");
                BareChildren batch = new BareChildren(2, "batched")) {
            each.streamRate(THROUGHPUT_CALLS); // warm-up
            batch.streamRate(THROUGHPUT_CALLS);
            for (int r = 0; r < ROUNDS; r++) {
                writeEach[r] = each.streamRate(THROUGHPUT_CALLS);
                batched[r] = batch.streamRate(THROUGHPUT_CALLS);
            }
        }
        row(
                "100,000 no-op calls at once, pool of 2 (median of " + ROUNDS + ")",
                rate(median(noop)),
                rate(median(threadNoop)) + " (ThreadPool of 2)",
                ratio(median(noop) / median(threadNoop)),
                ">= 1,000,000 calls/s");
        row(
                "100,000 small-argument calls (String, int) at once, pool of 2",
                rate(median(small)),
                "-",
                "-",
                "-");
        row(
                "100,000 32-byte messages through 2 bare children, each answer its own write",
                rate(median(writeEach)),
                "-",
                ratio(median(noop) / median(writeEach)) + " (no-op calls to this)",
                "(transport floor for one answer per write)");
        row(
                "the same, answers batched per read",
                rate(median(batched)),
                "-",
                "-",
                "(transport floor, batched)");
    }

    static double[] callsPerSecond(BenchTasks tasks, boolean withArguments) throws Exception {
        double[] rates = new double[WARM_UP_ROUNDS + ROUNDS];
        List<TaskFuture<?>> futures = new ArrayList<>(THROUGHPUT_CALLS);
        for (int r = 0; r < rates.length; r++) {
            futures.clear();
            long t0 = System.nanoTime();
            for (int i = 0; i < THROUGHPUT_CALLS; i++) {
                futures.add(withArguments ? tasks.greet("paralleltask", i) : tasks.noop());
            }
            for (TaskFuture<?> f : futures) {
                f.get();
            }
            rates[r] = THROUGHPUT_CALLS / ((System.nanoTime() - t0) / 1e9);
        }
        return Arrays.copyOfRange(rates, WARM_UP_ROUNDS, rates.length);
    }

    // 3b. TaskFutures.map over 1,000,000 id(int) calls on a pool of 2 with default settings, the
    // first pass on a pool just built (as a user's program runs it), then warm passes; beside a
    // plain loop that submits every call and then waits for each, on the same warm pool.
    private static final int MAP_CALLS = 1_000_000;

    private void mapThroughput() throws Exception {
        List<Integer> inputs = new ArrayList<>(MAP_CALLS);
        for (int i = 0; i < MAP_CALLS; i++) {
            inputs.add(i);
        }
        double cold;
        double[] warm = new double[ROUNDS];
        double[] loop = new double[ROUNDS];
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            BenchTasks tasks = new BenchTasks(pool);
            cold = mapRate(inputs, tasks);
            for (int r = 0; r < WARM_UP_ROUNDS; r++) {
                mapRate(inputs, tasks);
            }
            for (int r = 0; r < ROUNDS; r++) {
                warm[r] = mapRate(inputs, tasks);
            }
            for (int r = 0; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                List<TaskFuture<Integer>> futures = new ArrayList<>(MAP_CALLS);
                for (Integer i : inputs) {
                    futures.add(tasks.id(i));
                }
                long sum = 0;
                for (TaskFuture<Integer> f : futures) {
                    sum += f.get();
                }
                loop[r] = MAP_CALLS / ((System.nanoTime() - t0) / 1e9);
                check(sum);
            }
        }
        row(
                "1,000,000 id(int) through TaskFutures.map, pool of 2 just built (cold)",
                rate(cold),
                rate(median(loop)) + " (submit-all loop, warm)",
                ratio(cold / median(loop)),
                ">= 2,400,000 calls/s");
        row(
                "the same, warm (median of " + ROUNDS + " after " + WARM_UP_ROUNDS + " passes)",
                rate(median(warm)),
                rate(median(loop)) + " (submit-all loop, warm)",
                ratio(median(warm) / median(loop)),
                ">= 2,400,000 calls/s");
    }

    private static double mapRate(List<Integer> inputs, BenchTasks tasks) {
        long t0 = System.nanoTime();
        long sum;
        try (java.util.stream.Stream<Integer> ids =
                dev.paralleltask.runtime.TaskFutures.map(inputs, tasks::id)) {
            sum = ids.mapToLong(Integer::longValue).sum();
        }
        double rate = MAP_CALLS / ((System.nanoTime() - t0) / 1e9);
        check(sum);
        return rate;
    }

    private static void check(long sum) {
        if (sum != (long) MAP_CALLS * (MAP_CALLS - 1) / 2) {
            throw new AssertionError("map summed " + sum);
        }
    }

    // 4. A 100 MiB byte[] echoed through a worker, against the same bytes echoed by a bare child.
    private void bigEcho() throws Exception {
        byte[] data = new byte[BIG];
        new java.util.Random(7).nextBytes(data);
        double[] ours = new double[ROUNDS];
        double first;
        int warmUp = 0;
        boolean settled;
        try (ProcessPool pool = ProcessPool.builder().workers(1).jvmOptions("-Xmx1g").build()) {
            BenchTasks tasks = new BenchTasks(pool);
            long t = System.nanoTime();
            tasks.echo(data).get();
            first = millisSince(t);
            // Until this JVM's heap has settled: G1 places each new 100 MiB array in memory it has
            // not touched yet, page by page, until the heap has grown to the size it collects at.
            do {
                long faults = minorFaults();
                tasks.echo(data).get();
                settled = minorFaults() - faults < SETTLED_FAULTS;
                warmUp++;
            } while (!settled && warmUp < MAX_WARM_UP_ECHOES);
            for (int r = 0; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                tasks.echo(data).get();
                ours[r] = millisSince(t0);
            }
        }
        double[] floor = new double[ROUNDS];
        try (BareChildren bare = new BareChildren(1)) {
            ByteBuffer payload = ByteBuffer.wrap(data);
            bare.echo(0, payload);
            for (int r = 0; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                bare.echo(0, payload);
                floor[r] = millisSince(t0);
            }
        }
        double[] copies = fourCopies(data, true);
        double[] copiesInPlace = fourCopies(data, false);
        double mib = BIG / (1024.0 * 1024.0);
        row(
                "100 MiB byte[] echoed (median of "
                        + ROUNDS
                        + ", after "
                        + warmUp
                        + (settled ? ", when this JVM's heap had settled)" : ", heap unsettled)"),
                ms(median(ours)) + ", " + mibs(mib / median(ours) * 1000),
                ms(median(floor)) + ", " + mibs(mib / median(floor) * 1000) + " bare socket echo",
                String.format(Locale.ROOT, "%.0f%% of floor", 100 * median(floor) / median(ours)),
                ">= 50% of floor");
        row(
                "the same echo against its four copies through shared memory",
                ms(median(ours)) + ", " + mibs(mib / median(ours) * 1000),
                ms(median(copies))
                        + ", "
                        + mibs(mib / median(copies) * 1000)
                        + " (into a mapped file, out to a new array, back in, out to a new"
                        + " array; this JVM; "
                        + ms(median(copiesInPlace))
                        + " into arrays already there)",
                String.format(Locale.ROOT, "%.0f%% of floor", 100 * median(copies) / median(ours)),
                ">= 50% of floor");
        row(
                "the first echo on a pool just built",
                ms(first) + ", " + mibs(mib / first * 1000),
                "-",
                "-",
                "measured");
        double python = PythonPeer.echoMillis(BIG, ROUNDS);
        if (python > 0) {
            row(
                    "the same echo against Python's ProcessPoolExecutor",
                    mibs(mib / median(ours) * 1000),
                    mibs(mib / python * 1000)
                            + " (python3, max_workers=1, median of "
                            + ROUNDS
                            + ")",
                    ratio(python / median(ours)),
                    ">= 10x");
        }
    }

    private static final int SETTLED_FAULTS = 1_000;
    private static final int MAX_WARM_UP_ECHOES = 40;

    /** The page faults this process has taken that needed no disk (Linux). */
    private static long minorFaults() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        // after "pid (name) ": state ppid pgrp session tty tpgid flags minflt
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
    }

    /**
     * The echo's floor: the four copies it cannot do without, in this JVM, through a file in shared
     * memory mapped once (what a sender copies in, what its receiver copies out, both ways). Each
     * copy out is into a new array, as a receiver's must be; {@code fresh} false copies into arrays
     * allocated once instead.
     */
    private static double[] fourCopies(byte[] data, boolean fresh) throws IOException {
        double[] times = new double[ROUNDS];
        Path file = Files.createTempFile(Path.of("/dev/shm"), "echo-floor-", ".bin");
        try (FileChannel channel =
                FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer shared = channel.map(FileChannel.MapMode.READ_WRITE, 0, BIG);
            byte[] there = new byte[BIG];
            byte[] back = new byte[BIG];
            for (int r = -WARM_UP_ROUNDS; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                shared.put(0, data, 0, BIG);
                there = fresh ? new byte[BIG] : there;
                shared.get(0, there, 0, BIG);
                shared.put(0, there, 0, BIG);
                back = fresh ? new byte[BIG] : back;
                shared.get(0, back, 0, BIG);
                if (r >= 0) {
                    times[r] = millisSince(t0);
                }
            }
            if (!Arrays.equals(data, back)) {
                throw new AssertionError("the four copies changed the bytes");
            }
        } finally {
            Files.delete(file);
        }
        return times;
    }

    // 5. CPU-bound work over 2 workers, against the same work serially in this JVM.
    private void cpuSpeedup() throws Exception {
        int limit = 20_000_000;
        int chunks = 40;
        Primes.count(0, limit / 4); // warm-up
        long t0 = System.nanoTime();
        long serial = Primes.count(0, limit);
        double serialMs = millisSince(t0);
        double parallelMs;
        double warmChunkMs;
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            PrimesTasks tasks = new PrimesTasks(pool);
            tasks.count(0, limit / 4).get(); // warm-up, once on each worker
            tasks.count(0, limit / 4).get();
            t0 = System.nanoTime();
            List<TaskFuture<Long>> parts = new ArrayList<>();
            for (int i = 0; i < chunks; i++) {
                parts.add(tasks.count(limit / chunks * i, limit / chunks * (i + 1)));
            }
            long total = 0;
            for (TaskFuture<Long> p : parts) {
                total += p.get();
            }
            parallelMs = millisSince(t0);
            if (total != serial) {
                throw new AssertionError(total + " != " + serial);
            }
            warmChunkMs = firstChunkMillis(tasks, limit / chunks);
        }
        row(
                "primes below 20M in 40 chunks over 2 workers (the main sample)",
                ms(parallelMs),
                ms(serialMs) + " (serial, in-process)",
                String.format(Locale.ROOT, "%.2fx speed-up", serialMs / parallelMs),
                ">= 1.9x");
        double coldMs;
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            PrimesTasks tasks = new PrimesTasks(pool);
            t0 = System.nanoTime(); // the workers' first calls: their JIT starts from nothing
            List<TaskFuture<Long>> parts = new ArrayList<>();
            for (int i = 0; i < chunks; i++) {
                parts.add(tasks.count(limit / chunks * i, limit / chunks * (i + 1)));
            }
            for (TaskFuture<Long> p : parts) {
                p.get();
            }
            coldMs = millisSince(t0);
        }
        row(
                "the same on a pool just started (the workers' first calls)",
                ms(coldMs),
                ms(serialMs) + " (serial, in-process, warm)",
                String.format(Locale.ROOT, "%.2fx speed-up", serialMs / coldMs),
                ">= 1.85x");
        double[] firstChunk = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
                firstChunk[r] = firstChunkMillis(new PrimesTasks(pool), limit / chunks);
            }
        }
        row(
                "the first chunk (primes below "
                        + limit / chunks
                        + ") as a new worker's first call, median of "
                        + ROUNDS
                        + ": what the JIT costs it",
                ms(median(firstChunk)),
                ms(warmChunkMs) + " (the same call on a warm worker)",
                ratio(median(firstChunk) / warmChunkMs),
                "measured");
    }

    /** Times one call that counts the primes below {@code to}, alone on the pool. */
    private static double firstChunkMillis(PrimesTasks tasks, int to) throws Exception {
        long t0 = System.nanoTime();
        tasks.count(0, to).get();
        return millisSince(t0);
    }

    // 6. Resident memory of an idle worker, against a bare JVM child.
    private void idleMemory() throws Exception {
        long ours;
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            new BenchTasks(pool).noop().get();
            ours = rssKib(pool.workers().get(0).pid());
        }
        long floor;
        try (BareChildren bare = new BareChildren(1)) {
            floor = rssKib(bare.processes.get(0).pid());
        }
        row(
                "idle worker resident memory",
                ours / 1024 + " MiB",
                floor / 1024 + " MiB (bare JVM child)",
                ratio((double) ours / floor),
                "<= 1.15x");
    }

    private static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    static double millisSince(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static double p99(double[] sorted) {
        return sorted[(int) (sorted.length * 0.99)];
    }

    static String ms(double v) {
        return String.format(Locale.ROOT, "%.0f ms", v);
    }

    static String us(double v) {
        return String.format(Locale.ROOT, "%.1f us", v);
    }

    static String rate(double v) {
        return String.format(Locale.ROOT, "%,.0f calls/s", v);
    }

    static String mibs(double v) {
        return String.format(Locale.ROOT, "%.0f MiB/s", v);
    }

    static String ratio(double v) {
        return String.format(Locale.ROOT, "%.2fx", v);
    }
}
