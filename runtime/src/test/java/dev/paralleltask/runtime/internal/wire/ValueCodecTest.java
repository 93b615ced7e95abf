package dev.paralleltask.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.EOFException;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ValueCodecTest {
    private static final ClassLoader LOADER = ValueCodecTest.class.getClassLoader();

    static Stream<Object> values() {
        return Stream.of(0, -1, Integer.MIN_VALUE, Long.MAX_VALUE, 3.25, Double.NaN, -0.0, 1.5f, (short) -7, (byte) 127,
                'é', true, false, "", "plain", "ünïcødé ✓ 𝄞", Map.of("k", List.of(1, 2)), new ArrayList<>(List.of("a")));
    }

    private static Object roundTrip(Object value) throws Exception {
        ByteSink out = new ByteSink(4);
        ValueCodec.write(out, value);
        return ValueCodec.read(new ByteSource(out.toByteArray()), LOADER);
    }

    @ParameterizedTest
    @MethodSource("values")
    void valueComesBackEqualAndOfTheSameClass(Object value) throws Exception {
        Object back = roundTrip(value);
        assertEquals(value, back);
        assertEquals(value.getClass(), back.getClass());
    }

    @Test
    void nullComesBackNull() throws Exception {
        assertNull(roundTrip(null));
    }

    @Test
    void primitiveArraysComeBackEqual() throws Exception {
        assertArrayEquals(new byte[] {1, -2, 3}, (byte[]) roundTrip(new byte[] {1, -2, 3}));
        assertArrayEquals(new int[] {Integer.MIN_VALUE, 0, 42}, (int[]) roundTrip(new int[] {Integer.MIN_VALUE, 0, 42}));
        assertArrayEquals(new long[] {Long.MIN_VALUE, 7}, (long[]) roundTrip(new long[] {Long.MIN_VALUE, 7}));
        assertArrayEquals(new double[] {0.5, -1e300}, (double[]) roundTrip(new double[] {0.5, -1e300}));
        assertArrayEquals(new String[] {"a", null}, (String[]) roundTrip(new String[] {"a", null}));
    }

    @Test
    void unserializableValueIsReportedAsSuch() {
        assertThrows(NotSerializableException.class, () -> ValueCodec.write(new ByteSink(4), new Object()));
    }

    @Test
    void unknownTagIsRejected() {
        assertThrows(StreamCorruptedException.class, () -> ValueCodec.read(new ByteSource(new byte[] {99}), LOADER));
    }

    @Test
    void truncatedValueIsRejected() throws Exception {
        ByteSink out = new ByteSink(4);
        ValueCodec.write(out, "a longer string");
        byte[] bytes = out.toByteArray();
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThrows(EOFException.class, () -> ValueCodec.read(new ByteSource(cut), LOADER));
    }

    @Test
    void callNamesTheArgumentThatCannotBeEncoded() {
        ValueCodingException e = assertThrows(ValueCodingException.class,
                () -> CallCodec.encode("x.Invoker", 0, null, new Object[] {"fine", new Object()}));
        assertEquals(1, e.position());
        assertInstanceOf(NotSerializableException.class, e.getCause());
    }

    @Test
    void callRoundTrips() throws Exception {
        byte[] body = CallCodec.encode("x.Invoker", 3, "target", new Object[] {1, "two", null});
        CallCodec.DecodedCall call = CallCodec.decode(body, LOADER);
        assertEquals("x.Invoker", call.invokerClass());
        assertEquals(3, call.method());
        assertEquals("target", call.target());
        assertArrayEquals(new Object[] {1, "two", null}, call.args());
    }

    @Test
    void failureKeepsItsDescriptionWhenItCannotBeRebuilt() throws IOException {
        Throwable thrown = new IllegalStateException("outer", new RuntimeException("inner"));
        ThrowableCodec.Decoded decoded = ThrowableCodec.decode(ThrowableCodec.encode(thrown), LOADER);
        assertEquals("outer", decoded.thrown().getMessage());
        assertEquals(2, decoded.chain().size());
        assertEquals(RuntimeException.class.getName(), decoded.chain().get(1).className());
        assertArrayEquals(thrown.getStackTrace(), decoded.chain().get(0).stackTrace());
    }
}
