package dev.paralleltask.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SharedMap} as a {@link ConcurrentMap}: random runs of its methods against a {@link
 * ConcurrentHashMap}, small enough that its entries move between its halves often ({@code
 * -Dmodel.runs=N}, default 200; {@code -Dmodel.seed=S} replays one); atomic updates from threads;
 * what only a shared map has to say. Across worker processes, with writers that die, in {@code
 * SharedObjectsTest}.
 */
@Timeout(300)
class SharedMapModelTest {
    private static final int RUNS = Integer.getInteger("model.runs", 200);
    private static final Long ONE = Long.getLong("model.seed");

    @Test
    void everyMethodAnswersAsConcurrentHashMapDoes() {
        if (ONE != null) {
            run(ONE);
            return;
        }
        for (long seed = 0; seed < RUNS; seed++) {
            run(seed);
        }
    }

    private static void run(long seed) {
        Random random = new Random(seed);
        ConcurrentMap<String, String> model = new ConcurrentHashMap<>();
        try (SharedMap<String, String> map = SharedMap.create(4_096)) {
            for (int step = 0; step < 300; step++) {
                int op = random.nextInt(16);
                String k = "k" + random.nextInt(16);
                String v = "v".repeat(random.nextInt(40)) + random.nextInt(4);
                String at = "seed " + seed + ", step " + step + ", op " + op;
                Function<ConcurrentMap<String, String>, Object> call = m -> apply(m, op, k, v);
                assertEquals(call.apply(model), call.apply(map), at);
                assertEquals(model.size(), map.size(), at);
                assertEquals(model, new HashMap<>(map), at);
            }
            assertTrue(map.equals(model) && model.equals(Map.copyOf(map)), "equal as maps");
        }
    }

    private static Object apply(ConcurrentMap<String, String> m, int op, String k, String v) {
        return switch (op) {
            case 0, 1 -> m.put(k, v);
            case 2 -> m.get(k);
            case 3 -> m.remove(k);
            case 4 -> m.putIfAbsent(k, v);
            case 5 -> m.remove(k, v.substring(v.length() - 1));
            case 6 -> m.replace(k, v.substring(v.length() - 1), v);
            case 7 -> m.replace(k, v);
            case 8 -> m.containsKey(k);
            case 9 -> m.containsValue(v);
            case 10 -> m.merge(k, v, (a, b) -> (a + b).length() > 60 ? null : a + b);
            case 11 ->
                    m.compute(
                            k,
                            (key, old) -> old == null ? v : old.length() > 30 ? null : old + "x");
            case 12 -> m.computeIfAbsent(k, key -> v);
            case 13 ->
                    m.computeIfPresent(k, (key, old) -> old.length() % 2 == 0 ? null : old + "y");
            case 14 -> m.getOrDefault(k, "none");
            default -> {
                if (k.endsWith("0")) {
                    m.clear();
                }
                yield m.size();
            }
        };
    }

    @Test
    void mergesFromManyThreadsAreEachCounted() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (SharedMap<String, Long> counts = SharedMap.create(1 << 16)) {
            List<Future<?>> all = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                all.add(
                        threads.submit(
                                () -> {
                                    for (int i = 0; i < 2_000; i++) {
                                        counts.merge("n" + (i % 8), 1L, Long::sum);
                                    }
                                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
            for (int i = 0; i < 8; i++) {
                assertEquals(1_000L, counts.get("n" + i));
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void badInputSaysWhatIsWrong() {
        IllegalArgumentException size =
                assertThrows(IllegalArgumentException.class, () -> SharedMap.create(0));
        assertEquals(
                "SharedMap.create: bytes must be between 1 and 268435456, was 0",
                size.getMessage());
        try (SharedMap<String, String> map = SharedMap.create(1_000)) {
            NullPointerException nul =
                    assertThrows(NullPointerException.class, () -> map.put("k", null));
            assertTrue(nul.getMessage().startsWith("a null value for SharedMap["), nul::getMessage);
            IllegalStateException full =
                    assertThrows(
                            IllegalStateException.class, () -> map.put("k", "x".repeat(2_000)));
            assertTrue(full.getMessage().contains(" is full: an entry of 2"), full::getMessage);
            assertTrue(full.getMessage().endsWith("make it with more bytes"), full::getMessage);
            map.put("k", "fits");
            assertEquals("fits", map.get("k"), "a refused put changed nothing else");
        }
        try (SharedMap<String, Object> map = SharedMap.create(1_000)) {
            IllegalArgumentException big =
                    assertThrows(
                            IllegalArgumentException.class, () -> map.put("a", new byte[2 << 20]));
            assertTrue(
                    big.getMessage()
                            .endsWith("put it in a SharedValue, and the SharedValue in the map"),
                    big::getMessage);
        }
    }
}
