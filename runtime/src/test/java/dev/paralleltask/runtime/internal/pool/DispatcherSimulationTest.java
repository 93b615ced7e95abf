package dev.paralleltask.runtime.internal.pool;

import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link DispatcherSimulation} over many seeds. {@code -Dsim.seeds=N} runs N seeds (the long
 * mode: millions); {@code -Dsim.seed=S} replays one. A seed that ever failed is kept in {@link
 * #KEPT} and runs every time.
 */
class DispatcherSimulationTest {
    /** Seeds that found a defect once, each named by what it found. */
    private static final long[] KEPT = {
        // A worker that answered a call fatally (out of memory) and then answered the next call
        // before it was killed: the pool took that answer as out of turn, and the call ran again.
        1000,
        // shutdownNow() took the unstarted calls out of flight; the worker had started one and
        // answered it: out of turn.
        2505,
    };

    private static final long SEEDS = Long.getLong("sim.seeds", 100_000);

    @Test
    void everySeedKeepsThePoolsPromises() {
        Long one = Long.getLong("sim.seed");
        if (one != null) {
            new DispatcherSimulation(one).run();
            return;
        }
        long first = Long.getLong("sim.first", 0);
        AtomicLong runs = new AtomicLong();
        long start = System.nanoTime();
        LongStream.range(first, first + SEEDS)
                .parallel()
                .forEach(
                        seed -> {
                            new DispatcherSimulation(seed).run();
                            runs.incrementAndGet();
                        });
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "dispatcher simulation: %,d seeds from %d in %.1f s (%,.0f seeds/s)%n",
                runs.get(), first, seconds, runs.get() / seconds);
    }

    @Test
    void keptSeedsStillPass() {
        for (long seed : KEPT) {
            new DispatcherSimulation(seed).run();
        }
    }
}
