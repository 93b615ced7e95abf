package dev.paralleltask.benchmarks;

import static dev.paralleltask.benchmarks.EndToEnd.median;
import static dev.paralleltask.benchmarks.EndToEnd.millisSince;
import static dev.paralleltask.benchmarks.EndToEnd.ratio;

import dev.paralleltask.runtime.Actor;
import dev.paralleltask.runtime.ProcessPool;
import java.util.Locale;

/**
 * An actor's figures, each beside its floor in the same run: a no-op call's round trip on an actor
 * against the same on a pool of one worker (and against a call through a Python {@code Manager}
 * proxy, the nearest thing Python has), and an actor's start, from {@code actor(...)} to its first
 * answer, against a pool of one worker's, from {@code build()} to its first answer.
 */
final class ActorFigures {
    private static final int ROUNDS = 5;
    private static final int CALLS = 2_000;

    private ActorFigures() {}

    static void measure(EndToEnd bench) throws Exception {
        roundTrip(bench);
        start(bench);
    }

    private static void roundTrip(EndToEnd bench) throws Exception {
        double[] actor = new double[ROUNDS];
        double[] pool = new double[ROUNDS];
        try (ProcessPool one = ProcessPool.builder().workers(1).build();
                Actor<Count> count = one.actor(new Count())) {
            CountTasks counter = new CountTasks(count);
            BenchTasks tasks = new BenchTasks(one);
            for (int r = -1; r < ROUNDS; r++) { // round -1 warms up
                long t0 = System.nanoTime();
                for (int i = 0; i < CALLS; i++) {
                    counter.bump().get();
                }
                double actorMicros = millisSince(t0) * 1000 / CALLS;
                t0 = System.nanoTime();
                for (int i = 0; i < CALLS; i++) {
                    tasks.noop().get();
                }
                double poolMicros = millisSince(t0) * 1000 / CALLS;
                if (r >= 0) {
                    actor[r] = actorMicros;
                    pool[r] = poolMicros;
                }
            }
            if (counter.bump().get() != (ROUNDS + 1L) * CALLS + 1) {
                throw new AssertionError("the actor lost a call");
            }
        }
        double python = PythonPeer.managerProxyMicros(ROUNDS, CALLS);
        bench.row(
                "actor call round trip, one at a time (us, median of "
                        + ROUNDS
                        + " x "
                        + CALLS
                        + ")",
                format(median(actor)),
                format(median(pool)) + " (a pool call)",
                ratio(median(actor) / median(pool)),
                "about 1x a pool call");
        bench.row(
                "actor call round trip against Python's Manager proxy (us)",
                format(median(actor)),
                python < 0 ? "(no python3)" : format(python),
                python < 0 ? "-" : ratio(median(actor) / python),
                "faster than Python's");
    }

    private static void start(EndToEnd bench) throws Exception {
        double[] actor = new double[ROUNDS];
        double[] pool = new double[ROUNDS];
        try (ProcessPool host = ProcessPool.builder().workers(1).build()) {
            for (int r = -1; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                try (Actor<Count> count = host.actor(new Count())) {
                    new CountTasks(count).bump().get();
                    if (r >= 0) {
                        actor[r] = millisSince(t0);
                    }
                }
                t0 = System.nanoTime();
                try (ProcessPool one = ProcessPool.builder().workers(1).build()) {
                    new BenchTasks(one).noop().get();
                    if (r >= 0) {
                        pool[r] = millisSince(t0);
                    }
                }
            }
        }
        bench.row(
                "actor start to first answer (ms, median of " + ROUNDS + ")",
                format(median(actor)),
                format(median(pool)) + " (a pool of 1 worker)",
                ratio(median(actor) / median(pool)),
                "about 1x a worker's start");
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
