package dev.paralleltask.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.internal.TaskMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The ring of sent calls against a sorted map of them, the structure it replaced. */
class SentCallsTest {
    private static final TaskMethod METHOD =
            new TaskMethod((m, t, a) -> null, 0, "Test.call", List.of(), 0, 0);

    private static ClusterCall call(long index) {
        ClusterCall call = new ClusterCall(METHOD, new byte[0], 0, (c, interrupt) -> {});
        call.index = index;
        return call;
    }

    @Test
    void aCallMustFollowTheLastOneSent() {
        SentCalls sent = new SentCalls();
        sent.add(call(5));
        sent.add(call(6));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> sent.add(call(8)));
        assertEquals("call 8 sent where 7 was next", e.getMessage());
        sent.remove(5);
        sent.remove(6);
        sent.add(call(40)); // none is held: a new run of numbers may start anywhere
        assertEquals(40, sent.values().get(0).index);
    }

    @Test
    void aLongCallDoesNotStretchTheRingOverTheCallsAfterIt() {
        SentCalls sent = new SentCalls();
        ClusterCall longCall = call(1);
        sent.add(longCall);
        for (long index = 2; index < 1_000_000; index++) {
            sent.add(call(index));
            if (index > 501) { // 500 in flight behind the long call
                sent.remove(index - 500);
            }
        }
        assertEquals(501, sent.size());
        assertTrue(sent.ringLength() <= 4_096, "a ring of " + sent.ringLength());
        assertSame(longCall, sent.get(1));
        assertEquals(500, sent.countAfter(1));
        assertSame(longCall, sent.values().get(0));
        assertSame(longCall, sent.remove(1));
        assertEquals(500, sent.size());
    }

    /**
     * A thousand random runs of what a line does (send batches, answers in any order, batches
     * admitted in part, calls given back, a lost session), each step checked against a TreeMap.
     */
    @Test
    void everyOperationAgreesWithASortedMap() {
        for (long seed = 0; seed < 1_000; seed++) {
            Random random = new Random(seed);
            // a small slack in most runs: calls left behind move to the stragglers often
            SentCalls sent = new SentCalls(random.nextInt(4) == 0 ? 1_024 : random.nextInt(8));
            TreeMap<Long, ClusterCall> model = new TreeMap<>();
            long next = 1 + random.nextInt(1_000);
            for (int step = 0; step < 200; step++) {
                switch (random.nextInt(6)) {
                    case 0, 1 -> { // a batch
                        for (int n = random.nextInt(300); n > 0; n--) {
                            ClusterCall c = call(next++);
                            sent.add(c);
                            model.put(c.index, c);
                        }
                    }
                    case 2 -> { // answers, mostly the oldest first
                        for (int n = random.nextInt(200); n > 0 && !model.isEmpty(); n--) {
                            long index =
                                    random.nextInt(4) > 0
                                            ? model.firstKey()
                                            : model.firstKey()
                                                    + random.nextInt(
                                                            (int)
                                                                    (model.lastKey()
                                                                            - model.firstKey()
                                                                            + 2));
                            assertSame(model.remove(index), sent.remove(index), "seed " + seed);
                        }
                    }
                    case 3 -> { // admitted in part: the numbers past the cut are sent again
                        if (!model.isEmpty()) {
                            long from = model.firstKey() - 1;
                            long cut = from + random.nextInt((int) (next - from));
                            List<ClusterCall> expected =
                                    new ArrayList<>(model.tailMap(cut, true).values());
                            expected.forEach(c -> model.remove(c.index));
                            assertEquals(expected, sent.removeFrom(cut), "seed " + seed);
                            if (!model.isEmpty()) {
                                next = cut;
                            }
                        }
                    }
                    case 4 -> { // calls given back, the last sent first
                        List<Long> held = new ArrayList<>(model.keySet());
                        for (int n = random.nextInt(20); n > 0 && !held.isEmpty(); n--) {
                            long index = held.remove(held.size() - 1);
                            assertSame(model.remove(index), sent.remove(index));
                        }
                    }
                    default -> {
                        if (random.nextInt(20) == 0) { // the session is lost
                            assertEquals(new ArrayList<>(model.values()), sent.values());
                            sent.clear();
                            model.clear();
                        }
                    }
                }
                agree(model, sent, random, seed);
            }
        }
    }

    private static void agree(
            TreeMap<Long, ClusterCall> model, SentCalls sent, Random random, long seed) {
        String where = "seed " + seed;
        assertEquals(model.size(), sent.size(), where);
        assertEquals(model.isEmpty(), sent.isEmpty(), where);
        assertEquals(new ArrayList<>(model.values()), sent.values(), where);
        long low = model.isEmpty() ? 0 : model.firstKey() - 2;
        long high = model.isEmpty() ? 10 : model.lastKey() + 2;
        long at = low + random.nextInt((int) (high - low + 1));
        assertEquals(model.get(at), sent.get(at), where);
        assertEquals(model.tailMap(at, false).size(), sent.countAfter(at), where);
        int n = random.nextInt(50);
        long nth = Long.MIN_VALUE;
        int left = n;
        for (Map.Entry<Long, ClusterCall> e : model.tailMap(at, false).entrySet()) {
            if (left-- <= 0) {
                break;
            }
            nth = e.getKey();
        }
        assertEquals(nth, sent.nthAfter(at, n), where);
        if (model.isEmpty()) {
            assertNull(sent.get(at), where);
        }
    }
}
