package dev.paralleltask.benchmarks;

import static dev.paralleltask.benchmarks.EndToEnd.median;
import static dev.paralleltask.benchmarks.EndToEnd.millisSince;
import static dev.paralleltask.benchmarks.EndToEnd.ratio;

import dev.paralleltask.runtime.MapOptions;
import dev.paralleltask.runtime.PoolListener;
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.Progress;
import dev.paralleltask.runtime.TaskFutures;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a {@link PoolListener} and a console {@link Progress} cost: a map of 1,000,000 no-op calls
 * over a pool of 2, without either (the floor), with a listener that counts every event, and with a
 * progress line redrawn as on a terminal (to a stream that discards it); the runs alternate, each
 * pool warmed up first, and each ratio is the median of the rounds' own ratios (a run against the
 * floor run just before it), which this machine's drifts move less than the rates themselves.
 */
final class ListenerFigures {
    private static final int CALLS = 1_000_000;
    private static final int ROUNDS = 9;

    private ListenerFigures() {}

    /** Counts every event, as a cheap listener would. */
    private static final class Counting implements PoolListener {
        final LongAdder events = new LongAdder();

        @Override
        public void callQueued(Call call) {
            events.increment();
        }

        @Override
        public void callStarted(Call call, String worker, int attempt) {
            events.increment();
        }

        @Override
        public void callCompleted(
                Call call, String worker, Outcome outcome, Duration ran, Throwable failure) {
            events.increment();
        }
    }

    /** Counts completions only: the usual listener, for metrics. */
    private static final class Completions implements PoolListener {
        final LongAdder events = new LongAdder();

        @Override
        public void callCompleted(
                Call call, String worker, Outcome outcome, Duration ran, Throwable failure) {
            events.increment();
        }
    }

    static void measure(EndToEnd bench) throws Exception {
        List<Integer> inputs = new ArrayList<>(CALLS);
        for (int i = 0; i < CALLS; i++) {
            inputs.add(i);
        }
        Counting counting = new Counting();
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        double[] plain = new double[ROUNDS];
        double[] heard = new double[ROUNDS];
        double[] drawn = new double[ROUNDS];
        double[] completions = new double[ROUNDS];
        Completions completed = new Completions();
        try (ProcessPool bare = ProcessPool.builder().workers(2).build();
                ProcessPool listened = ProcessPool.builder().workers(2).listener(counting).build();
                ProcessPool counted =
                        ProcessPool.builder().workers(2).listener(completed).build()) {
            BenchTasks onBare = new BenchTasks(bare);
            BenchTasks onListened = new BenchTasks(listened);
            BenchTasks onCounted = new BenchTasks(counted);
            rate(inputs, onBare, MapOptions.defaults()); // warm-ups
            rate(inputs, onListened, MapOptions.defaults());
            rate(inputs, onCounted, MapOptions.defaults());
            drained(counting.events, 3L * CALLS);
            drained(completed.events, CALLS);
            for (int r = 0; r < ROUNDS; r++) {
                // The four runs of a round in a turning order, so that none is always first or
                // always after a listener's garbage; each listener catches up before the next run.
                for (int k = 0; k < 4; k++) {
                    switch ((r + k) % 4) {
                        case 0 -> plain[r] = rate(inputs, onBare, MapOptions.defaults());
                        case 1 -> {
                            long before = counting.events.sum();
                            heard[r] = rate(inputs, onListened, MapOptions.defaults());
                            drained(counting.events, before + 3L * CALLS);
                        }
                        case 2 -> {
                            long before = completed.events.sum();
                            completions[r] = rate(inputs, onCounted, MapOptions.defaults());
                            drained(completed.events, before + CALLS);
                        }
                        default ->
                                drawn[r] =
                                        rate(
                                                inputs,
                                                onBare,
                                                MapOptions.defaults()
                                                        .progress(
                                                                Progress.console(
                                                                        "bench", discard, true)));
                    }
                }
            }
        }
        row(bench, "with a listener hearing every event", heard, plain);
        row(bench, "with a listener of completions only", completions, plain);
        row(bench, "with Progress.console drawing as on a terminal", drawn, plain);
    }

    private static void row(EndToEnd bench, String what, double[] with, double[] without) {
        double[] ratios = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            ratios[r] = with[r] / without[r];
        }
        bench.row(
                "map of 1,000,000 no-op calls, pool of 2, "
                        + what
                        + " (calls/s, median of "
                        + ROUNDS
                        + ")",
                format(median(with)),
                format(median(without)) + " (without)",
                ratio(median(ratios)) + " (median of the rounds' ratios)",
                ">= 0.95x");
    }

    /** Waits until a listener has heard {@code events}. */
    private static void drained(LongAdder heard, long events) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (heard.sum() < events) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the listener heard " + heard.sum() + " of " + events);
            }
            Thread.sleep(5);
        }
    }

    private static double rate(List<Integer> inputs, BenchTasks tasks, MapOptions options) {
        long t0 = System.nanoTime();
        long n = TaskFutures.map(inputs, tasks::id, options).count();
        if (n != inputs.size()) {
            throw new AssertionError("lost calls");
        }
        return inputs.size() / millisSince(t0) * 1000;
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }
}
