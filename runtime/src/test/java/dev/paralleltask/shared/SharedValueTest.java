package dev.paralleltask.shared;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.internal.wire.ByteSink;
import dev.paralleltask.runtime.internal.wire.ByteSource;
import dev.paralleltask.runtime.internal.wire.ClassAdmission;
import dev.paralleltask.runtime.internal.wire.ValueCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link SharedValue} in one process; passed to workers, each decoding it once, in {@code
 * SharedObjectsTest}.
 */
@Timeout(60)
class SharedValueTest {
    record Model(String name, double[] weights, Map<String, Integer> vocabulary)
            implements java.io.Serializable {}

    @Test
    void aValueIsASnapshotDecodedOnceAndKept() {
        List<Integer> original = new ArrayList<>(List.of(1, 2, 3));
        try (SharedValue<List<Integer>> shared = SharedValue.of(original)) {
            original.add(4); // after of(): not seen
            List<Integer> got = shared.get();
            assertEquals(List.of(1, 2, 3), got);
            assertNotSame(original, got, "a decoded copy, here as everywhere");
            assertSame(got, shared.get(), "decoded once");
        }
    }

    @Test
    void aModelWithLargeArraysComesBackWhole() throws Exception {
        double[] weights = new double[300_000]; // 2.4 MB: waits in a file of its own
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.sin(i);
        }
        Model model = new Model("m", weights, Map.of("a", 1, "b", 2));
        SharedValue<Model> shared = SharedValue.of(model);
        Model got = shared.get();
        assertEquals("m", got.name());
        assertArrayEquals(weights, got.weights());
        assertEquals(model.vocabulary(), got.vocabulary());
        // As a worker would: the handle resolves to the same object in this process.
        ByteSink sink = new ByteSink(64);
        ValueCodec.write(sink, shared);
        Object again =
                ValueCodec.read(
                        new ByteSource(sink.toByteArray()),
                        getClass().getClassLoader(),
                        ClassAdmission.ANY);
        assertSame(shared, again);
        shared.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, shared::get);
        assertTrue(closed.getMessage().endsWith("is closed"), closed::getMessage);
    }

    @Test
    void aValueThatCannotBeEncodedIsRefusedNamingItsClass() {
        Object notSerializable = new Object();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> SharedValue.of(notSerializable));
        assertTrue(
                e.getMessage().startsWith("SharedValue.of: cannot encode a java.lang.Object"),
                e::getMessage);
    }
}
