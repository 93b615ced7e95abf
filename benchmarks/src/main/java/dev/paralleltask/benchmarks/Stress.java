package dev.paralleltask.benchmarks;

import dev.paralleltask.runtime.PoolStats;
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskTimeoutException;
import dev.paralleltask.runtime.WorkerCrashedException;
import dev.paralleltask.shared.SharedLongArray;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The pool's promises under sustained load, against real worker JVMs (issue 23): {@code java -cp
 * benchmarks/target/paralleltask-benchmarks.jar dev.paralleltask.benchmarks.Stress <test> [minutes
 * or calls]}, where a test is
 *
 * <ul>
 *   <li>{@code hang [minutes, default 30]}: rounds of 20,000 calls with 8 KiB arguments and 1 KiB
 *       results, a dependent stage on each (one in eight sleeps 1-5 ms), and random {@code
 *       cancel(false)}, on a pool of 2, for that long; a round that does not finish within two
 *       minutes is a stall: the threads are dumped and the run fails;
 *   <li>{@code chaos [calls, default 1,000,000] [from to, default 50 200]}: that many calls on a
 *       pool of 2 with 2 spares, a worker taking calls killed every {@code from}-{@code to} ms;
 *       every future must complete, and no call may run more often than its retries allow (each run
 *       is counted in shared memory);
 *   <li>{@code timeouts [calls, default 300]}: calls that spin past a 200 ms timeout, two at a
 *       time, with four CPU-bound processes per core beside them: how many came with the task's
 *       stack, and by how much each timeout overshot.
 * </ul>
 *
 * Each prints one line of figures and exits non-zero if a promise broke.
 */
public final class Stress {
    private Stress() {}

    public static void main(String[] args) throws Exception {
        String test = args.length > 0 ? args[0] : "";
        boolean kept;
        switch (test) {
            case "hang":
                kept = hang(args.length > 1 ? Double.parseDouble(args[1]) : 30);
                break;
            case "chaos":
                kept =
                        chaos(
                                args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000,
                                args.length > 2 ? Integer.parseInt(args[2]) : 50,
                                args.length > 3 ? Integer.parseInt(args[3]) : 200);
                break;
            case "timeouts":
                kept =
                        timeouts(
                                args.length > 1 ? Integer.parseInt(args[1]) : 300,
                                args.length > 2 ? Integer.parseInt(args[2]) : 4);
                break;
            default:
                System.err.println(
                        "usage: Stress hang [minutes] | chaos [calls [kill every from-to ms]] | timeouts [calls [burners per core]]");
                System.exit(2);
                return;
        }
        System.exit(kept ? 0 : 1);
    }

    private static final int ROUND = 20_000;

    static boolean hang(double minutes) throws Exception {
        long end = System.nanoTime() + (long) (minutes * 60e9);
        long calls = 0;
        long cancelled = 0;
        int rounds = 0;
        Random random = new Random(23);
        byte[] argument = new byte[8 << 10];
        random.nextBytes(argument);
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            BenchTasks tasks = new BenchTasks(pool);
            while (System.nanoTime() < end) {
                List<CompletableFuture<?>> stages = new ArrayList<>(ROUND);
                List<TaskFuture<byte[]>> futures = new ArrayList<>(ROUND);
                for (int i = 0; i < ROUND; i++) {
                    TaskFuture<byte[]> f = tasks.digest(argument, 1_000);
                    futures.add(f);
                    boolean sleeps = random.nextInt(8) == 0; // one call in eight
                    stages.add(
                            f.thenApply(
                                    answer -> {
                                        if (sleeps) {
                                            LockSupport.parkNanos(
                                                    1_000_000L
                                                            * (1
                                                                    + ThreadLocalRandom.current()
                                                                            .nextInt(5)));
                                        }
                                        return answer.length;
                                    }));
                    if (random.nextInt(16) == 0) {
                        TaskFuture<byte[]> victim = futures.get(random.nextInt(futures.size()));
                        if (victim.cancel(false)) {
                            cancelled++;
                        }
                    }
                }
                CompletableFuture<Void> all =
                        CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new));
                try {
                    all.get(2, TimeUnit.MINUTES);
                } catch (ExecutionException e) {
                    // cancelled calls fail their stages: expected
                } catch (TimeoutException e) {
                    long done = futures.stream().filter(TaskFuture::isDone).count();
                    System.out.printf(
                            Locale.ROOT,
                            "STALL in round %d after %,d calls: %,d of %,d futures done; %s%n",
                            rounds + 1,
                            calls,
                            done,
                            ROUND,
                            pool.stats());
                    dumpThreads();
                    return false;
                }
                for (TaskFuture<byte[]> f : futures) {
                    if (!f.isDone()) {
                        System.out.println("a future of round " + (rounds + 1) + " is not done");
                        return false;
                    }
                }
                calls += ROUND;
                rounds++;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "hang recipe: %.1f min, %d rounds, %,d calls (%,d cancelled with cancel(false)),"
                        + " no stall%n",
                minutes,
                rounds,
                calls,
                cancelled);
        return true;
    }

    static boolean chaos(int calls, int fromMillis, int toMillis) throws Exception {
        SharedLongArray runs = SharedLongArray.allocate(calls);
        AtomicBoolean stop = new AtomicBoolean();
        int kills = 0;
        long ok = 0;
        long crashed = 0;
        long other = 0;
        long start = System.nanoTime();
        // Two spares take a killed worker's place at once, as in a pool that expects crashes;
        // without them a worker killed every 50-200 ms is mostly being replaced (about 25 calls/s).
        try (ProcessPool pool = ProcessPool.builder().workers(2).spareWorkers(2).build()) {
            BenchTasks tasks = new BenchTasks(pool);
            CompletableFuture<Integer> killer =
                    CompletableFuture.supplyAsync(
                            () -> {
                                int n = 0;
                                Random random = new Random(7);
                                while (!stop.get()) {
                                    LockSupport.parkNanos(
                                            TimeUnit.MILLISECONDS.toNanos(
                                                    fromMillis
                                                            + random.nextInt(
                                                                    toMillis - fromMillis + 1)));
                                    // Connected workers only: one killed before its handshake
                                    // counts as a worker that cannot start, and three in a row
                                    // fail the queued calls, as they should.
                                    List<PoolStats.Worker> live =
                                            pool.stats().workers().stream()
                                                    .filter(w -> w.state().equals("READY"))
                                                    .toList();
                                    if (!live.isEmpty()) {
                                        PoolStats.Worker victim =
                                                live.get(random.nextInt(live.size()));
                                        ProcessHandle.of(victim.pid())
                                                .ifPresent(ProcessHandle::destroyForcibly);
                                        n++;
                                    }
                                }
                                return n;
                            });
            int window = 10_000;
            List<TaskFuture<Integer>> futures = new ArrayList<>(window);
            for (int from = 0; from < calls; from += window) {
                futures.clear();
                for (int i = from; i < Math.min(calls, from + window); i++) {
                    futures.add(
                            i % 2 == 0 ? tasks.countOnce(runs, i) : tasks.countRetried(runs, i));
                }
                for (TaskFuture<Integer> f : futures) {
                    try {
                        f.get(2, TimeUnit.MINUTES);
                        ok++;
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof WorkerCrashedException) {
                            crashed++;
                        } else {
                            other++;
                            System.out.println("unexpected failure: " + e.getCause());
                        }
                    } catch (TimeoutException e) {
                        System.out.println("a future did not complete in 2 minutes: STALL");
                        dumpThreads();
                        stop.set(true);
                        return false;
                    }
                }
            }
            stop.set(true);
            kills = killer.get(10, TimeUnit.SECONDS);
        }
        long twice = 0;
        long overRetries = 0;
        for (int i = 0; i < calls; i++) {
            long n = runs.get(i);
            int allowed = i % 2 == 0 ? 1 : 2;
            if (n > allowed) {
                overRetries++;
            }
            if (i % 2 == 0 && n > 1) {
                twice++;
            }
        }
        runs.close();
        System.out.printf(
                Locale.ROOT,
                "chaos: %,d calls in %.0f s, a worker killed every %d-%d ms, %d in all; %,d ok, %,d"
                        + " failed as crashed,"
                        + " %,d other failures; retries=0 calls run twice: %d; calls run more"
                        + " often than retries allow: %d%n",
                calls,
                (System.nanoTime() - start) / 1e9,
                fromMillis,
                toMillis,
                kills,
                ok,
                crashed,
                other,
                twice,
                overRetries);
        return twice == 0 && overRetries == 0 && other == 0 && ok + crashed == calls;
    }

    static boolean timeouts(int calls, int burnersPerCore) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        List<Process> burners = new ArrayList<>();
        for (int i = 0; i < burnersPerCore * cores; i++) {
            burners.add(new ProcessBuilder("bash", "-c", "while :; do :; done").start());
        }
        int withStack = 0;
        double[] overshoot = new double[calls];
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            BenchTasks tasks = new BenchTasks(pool);
            for (int i = 0; i < calls; i += 2) {
                List<TaskFuture<Long>> pair =
                        List.of(tasks.spinUntilStopped(), tasks.spinUntilStopped());
                for (int j = 0; j < 2 && i + j < calls; j++) {
                    try {
                        pair.get(j).get(1, TimeUnit.MINUTES);
                        throw new AssertionError("a spinning call returned");
                    } catch (ExecutionException e) {
                        TaskTimeoutException t = (TaskTimeoutException) e.getCause();
                        if (t.taskStackTrace().length > 0
                                && Arrays.stream(t.taskStackTrace())
                                        .anyMatch(
                                                f ->
                                                        f.getMethodName()
                                                                .equals("spinUntilStopped"))) {
                            withStack++;
                        }
                        overshoot[i + j] = t.elapsed().minus(t.timeout()).toNanos() / 1e6;
                    } catch (CancellationException e) {
                        throw new AssertionError(e);
                    }
                }
            }
        } finally {
            burners.forEach(Process::destroyForcibly);
        }
        Arrays.sort(overshoot);
        double share = 100.0 * withStack / calls;
        double p99 = overshoot[(int) Math.min(calls - 1, Math.ceil(calls * 0.99) - 1)];
        System.out.printf(
                Locale.ROOT,
                "timeouts beside %d CPU-bound processes on %d cores: %d of %d (%.1f%%) with the"
                        + " task's stack; overshoot median %.0f ms, p99 %.0f ms, max %.0f ms%n",
                burnersPerCore * cores,
                cores,
                withStack,
                calls,
                share,
                overshoot[calls / 2],
                p99,
                overshoot[calls - 1]);
        return share >= 99 && p99 <= 100;
    }

    private static void dumpThreads() {
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            System.out.print(t);
        }
    }
}
