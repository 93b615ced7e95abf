package dev.paralleltask.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SharedQueue} as a {@link BlockingQueue}: random runs of every method against an {@link
 * ArrayBlockingQueue} of the same capacity, which must answer alike ({@code -Dmodel.runs=N},
 * default 300; {@code -Dmodel.seed=S} replays one); and what only a shared queue has to say.
 */
@Timeout(300)
class SharedQueueModelTest {
    private static final int RUNS = Integer.getInteger("model.runs", 300);
    private static final Long ONE = Long.getLong("model.seed");

    /**
     * Elements: short strings, and now and then one too long for the ring, which waits in a file.
     */
    private static String element(Random random) {
        return random.nextInt(20) == 0
                ? "big-" + random.nextInt(5) + "-" + "x".repeat(20_000)
                : "e" + random.nextInt(12);
    }

    @Test
    void everyMethodAnswersAsArrayBlockingQueueDoes() throws Exception {
        if (ONE != null) {
            run(ONE);
            return;
        }
        for (long seed = 0; seed < RUNS; seed++) {
            run(seed);
        }
    }

    private static void run(long seed) throws Exception {
        Random random = new Random(seed);
        int capacity = 1 + random.nextInt(8);
        BlockingQueue<String> model = new ArrayBlockingQueue<>(capacity);
        try (SharedQueue<String> queue = SharedQueue.create(capacity)) {
            for (int step = 0; step < 60; step++) {
                int op = random.nextInt(17);
                String e = element(random);
                int now = step;
                String at = "seed " + seed + ", step " + step + ", op " + op;
                Function<BlockingQueue<String>, Object> call =
                        q -> {
                            try {
                                return apply(q, op, e, random(seed, now));
                            } catch (Exception ex) {
                                return ex.getClass();
                            }
                        };
                assertEquals(call.apply(model), call.apply(queue), at);
                assertEquals(List.copyOf(model), new ArrayList<>(queue), at);
                assertEquals(model.size(), queue.size(), at);
                assertEquals(model.remainingCapacity(), queue.remainingCapacity(), at);
            }
        }
    }

    /** The same random choices for both queues within one step. */
    private static Random random(long seed, int step) {
        return new Random(seed * 1_000 + step);
    }

    private static Object apply(BlockingQueue<String> q, int op, String e, Random r)
            throws Exception {
        switch (op) {
            case 0:
                return q.offer(e);
            case 1:
                return q.add(e);
            case 2:
                return q.offer(e, 1, TimeUnit.MILLISECONDS);
            case 3:
                return q.poll();
            case 4:
                return q.peek();
            case 5:
                return q.remove();
            case 6:
                return q.element();
            case 7:
                return q.remove(e);
            case 8:
                return q.contains(e);
            case 9:
                {
                    List<String> into = new ArrayList<>();
                    int n = q.drainTo(into, r.nextInt(4));
                    return List.of(n, into);
                }
            case 10:
                q.clear();
                return null;
            case 11:
                {
                    int skip = r.nextInt(4);
                    List<String> seen = new ArrayList<>();
                    for (Iterator<String> it = q.iterator(); it.hasNext(); ) {
                        String x = it.next();
                        seen.add(x);
                        if (skip-- == 0) {
                            it.remove();
                        }
                    }
                    return seen;
                }
            case 12:
                return q.removeIf(x -> x.hashCode() % 3 == 0);
            case 13:
                return q.addAll(List.of(e, "e" + r.nextInt(12)));
            case 14:
                return q.retainAll(List.of(e, "e1", "e2", "e3"));
            case 15:
                return q.poll(1, TimeUnit.MILLISECONDS);
            default:
                return List.of(q.toArray(new String[0]));
        }
    }

    @Test
    void nullIsRefusedAsEveryBlockingQueueRefusesIt() {
        try (SharedQueue<String> queue = SharedQueue.create(2)) {
            NullPointerException e =
                    assertThrows(NullPointerException.class, () -> queue.put(null));
            assertTrue(e.getMessage().contains("a BlockingQueue takes no nulls"), e::getMessage);
            assertThrows(NullPointerException.class, () -> queue.offer(null));
            assertFalse(queue.contains(null));
            assertEquals(0, queue.size());
        }
    }

    @Test
    void aFullQueueAndAnEmptyOneSaySo() {
        try (SharedQueue<String> queue = SharedQueue.create(1)) {
            queue.add("a");
            IllegalStateException full =
                    assertThrows(IllegalStateException.class, () -> queue.add("b"));
            assertTrue(
                    full.getMessage().endsWith("is full: it holds at most 1 elements"),
                    full::getMessage);
            assertEquals("a", queue.remove());
            assertThrows(NoSuchElementException.class, queue::remove);
            assertThrows(NoSuchElementException.class, queue::element);
            assertThrows(IllegalArgumentException.class, () -> queue.drainTo(queue));
        }
    }

    @Test
    void anIteratorGoesOnAsAnotherThreadTakes() throws Exception {
        try (SharedQueue<Integer> queue = SharedQueue.create(100)) {
            for (int i = 0; i < 100; i++) {
                queue.put(i);
            }
            Iterator<Integer> it = queue.iterator();
            Thread taker =
                    new Thread(
                            () -> {
                                for (int i = 0; i < 50; i++) {
                                    queue.poll();
                                }
                            });
            taker.start();
            taker.join();
            int seen = 0;
            while (it.hasNext()) {
                assertEquals(seen++, it.next(), "the elements there when it was made, in order");
            }
            assertEquals(100, seen);
            assertEquals(50, queue.size());
            assertEquals(50, queue.peek());
        }
    }
}
