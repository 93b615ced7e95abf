package dev.paralleltask.shared;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A queue's memory written over by another process (a bug, or a compromised worker): what a taker
 * reads from it fails cleanly, with an {@link IllegalStateException} naming the queue (or an {@link
 * UncheckedIOException} for an element file that is not there), allocates no more than the queue
 * holds, and never throws an {@link Error}. {@code -Dfuzz.queues=N} corrupted queues (default 500),
 * {@code -Dfuzz.seed=S} replays one.
 */
@Timeout(600)
class SharedQueueFuzzTest {
    private static final int QUEUES = Integer.getInteger("fuzz.queues", 500);
    private static final Long ONE = Long.getLong("fuzz.seed");

    private static final int[] EXTREMES = {
        0, 1, -1, -2, 127, 1 << 16, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 15
    };

    private static final List<Object> ELEMENTS =
            List.of("text", List.of(1, 2, 3), new long[64], Map.of("k", "v"), new byte[300_000]);

    @Test
    void corruptElementsFailCleanly() throws Exception {
        long start = System.nanoTime();
        int runs = ONE != null ? 1 : QUEUES;
        int refused = 0;
        for (int i = 0; i < runs; i++) {
            refused += corruptAndDrain(ONE != null ? ONE : i);
        }
        System.out.printf(
                Locale.ROOT,
                "fuzz sharedQueue: %,d corrupted queues in %.1f s, %,d takes refused cleanly%n",
                runs,
                (System.nanoTime() - start) / 1e9,
                refused);
        assertTrue(ONE != null || refused > runs / 10, "the corruptions are seen: " + refused);
    }

    /** Returns how many takes failed cleanly. */
    private static int corruptAndDrain(long seed) throws Exception {
        Random random = new Random(seed);
        try (SharedQueue<Object> queue = SharedQueue.create(16)) {
            int n = 1 + random.nextInt(4);
            for (int i = 0; i < n; i++) {
                queue.put(ELEMENTS.get(random.nextInt(ELEMENTS.size())));
            }
            ByteBuffer data = queue.file.segment(0);
            int written = 400; // the elements' records lie at the front of the ring
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                int at = random.nextInt(written);
                if (random.nextBoolean()) {
                    data.putInt(at, EXTREMES[random.nextInt(EXTREMES.length)]);
                } else {
                    data.put(at, (byte) random.nextInt());
                }
            }
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            int refused = 0;
            for (int i = 0; i < n; i++) {
                try {
                    queue.poll(Duration.ZERO);
                } catch (IllegalStateException | UncheckedIOException e) {
                    // a clean failure, which names the queue
                    assertTrue(e.getMessage().contains("SharedQueue"), e::getMessage);
                    refused++;
                } catch (RuntimeException | Error e) {
                    throw new AssertionError(
                            "seed " + seed + " (replay: -Dfuzz.seed=" + seed + ") threw " + e, e);
                }
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(
                    allocated < 16L << 20,
                    "seed " + seed + " allocated " + allocated + " bytes draining " + n);
            return refused;
        }
    }
}
