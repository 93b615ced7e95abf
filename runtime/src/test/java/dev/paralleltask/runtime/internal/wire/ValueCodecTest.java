package dev.paralleltask.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ValueCodecTest {
    private static final ClassLoader LOADER = ValueCodecTest.class.getClassLoader();

    enum Colour {
        RED,
        GREEN {
            @Override
            public String toString() {
                return "a constant with a body of its own";
            }
        }
    }

    record Point(int x, int y, String label) implements Serializable {}

    record Line(Point from, Point to, List<Point> via) implements Serializable {}

    record Positive(int n) implements Serializable {
        Positive {
            if (n <= 0) {
                throw new IllegalArgumentException("n must be positive, was " + n);
            }
        }
    }

    record Plain(int n) {}

    static Stream<Object> values() {
        Map<String, Integer> linked = new LinkedHashMap<>();
        linked.put("z", 1);
        linked.put("a", null);
        return Stream.of(
                0,
                -1,
                Integer.MIN_VALUE,
                Long.MAX_VALUE,
                3.25,
                Double.NaN,
                -0.0,
                1.5f,
                (short) -7,
                (byte) 127,
                'é',
                true,
                false,
                "",
                "plain",
                "ünïcødé ✓ 𝄞",
                Map.of("k", List.of(1, 2)),
                new ArrayList<>(List.of("a")),
                Colour.RED,
                Colour.GREEN,
                new Point(1, -2, "p"),
                new Line(
                        new Point(0, 0, null), new Point(3, 4, "b"), List.of(new Point(1, 1, "v"))),
                List.of(),
                List.of(1),
                List.of(1, 2, 3),
                Set.of(),
                Set.of("x"),
                Set.of(1, 2, 3),
                Map.of(),
                Map.of(1, 2, 3, 4),
                linked,
                new HashMap<>(Map.of("k", 0)),
                new HashSet<>(Set.of(Colour.RED)),
                new LinkedHashSet<>(List.of(3, 1, 2)),
                new ArrayList<>(Arrays.asList(null, "after null")),
                Stream.of("a", null).toList(),
                new ArrayList<>(List.of(new Point(5, 6, "in a list"))));
    }

    private static Object roundTrip(Object value) throws Exception {
        ByteSink out = new ByteSink(4);
        ValueCodec.write(out, value);
        return ValueCodec.read(new ByteSource(out.toByteArray()), LOADER, ClassAdmission.ANY);
    }

    @ParameterizedTest
    @MethodSource("values")
    void valueComesBackEqualAndOfTheSameClass(Object value) throws Exception {
        Object back = roundTrip(value);
        assertEquals(value, back);
        assertEquals(value.getClass(), back.getClass());
    }

    @Test
    void recordsAndCollectionsOfCommonValuesAreNotJdkSerialized() throws Exception {
        for (Object value :
                List.of(
                        new Line(new Point(0, 0, "a"), new Point(1, 1, "b"), List.of()),
                        new ArrayList<>(List.of(1, "two", Colour.RED)),
                        Map.of("k", new Point(1, 2, "v")))) {
            assertTrue(
                    encode(value)[0] != SERIALIZED_TAG,
                    () -> value + " went through JDK serialization");
        }
    }

    @Test
    void anArrayHeldTwiceComesBackHeldTwice() throws Exception {
        int[] shared = {1, 2, 3};
        List<int[]> twice = new ArrayList<>(List.of(shared, shared));
        @SuppressWarnings("unchecked")
        List<int[]> back = (List<int[]>) roundTrip(twice);
        assertSame(back.get(0), back.get(1), "aliasing is kept, as JDK serialization keeps it");
        assertArrayEquals(shared, back.get(0));
    }

    @Test
    void aListThatHoldsItselfComesBackHoldingItself() throws Exception {
        List<Object> cycle = new ArrayList<>();
        cycle.add("head");
        cycle.add(cycle);
        List<?> back = (List<?>) roundTrip(cycle);
        assertEquals("head", back.get(0));
        assertSame(back, back.get(1));
    }

    @Test
    void aDeeplyNestedValueFallsBackToSerializationAndComesBackEqual() throws Exception {
        Object nested = "bottom";
        for (int i = 0; i < 100; i++) {
            nested = new ArrayList<>(List.of(nested));
        }
        assertEquals(SERIALIZED_TAG, encode(nested)[0]);
        assertEquals(nested, roundTrip(nested));
    }

    @Test
    void aRecordIsRebuiltThroughItsCanonicalConstructor() throws Exception {
        byte[] bytes = encode(new Positive(1));
        int n = bytes.length;
        // The component is the last 5 bytes (tag, int); make it 0, which the constructor refuses.
        bytes[n - 4] = 0;
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> ValueCodec.read(new ByteSource(bytes), LOADER, ClassAdmission.ANY));
        assertTrue(e.getMessage().contains("n must be positive, was 0"), e.getMessage());
    }

    @Test
    void aRecordThatIsNotSerializableFailsAsJdkSerializationWould() {
        assertThrows(NotSerializableException.class, () -> encode(new Plain(1)));
        assertThrows(
                NotSerializableException.class,
                () -> encode(new ArrayList<>(List.of(new Plain(1)))));
    }

    @Test
    void immutableCollectionsComeBackImmutable() throws Exception {
        List<?> list = (List<?>) roundTrip(List.of(1, 2, 3));
        assertThrows(UnsupportedOperationException.class, () -> list.remove(0));
        Map<?, ?> map = (Map<?, ?>) roundTrip(Map.of("a", 1));
        assertThrows(UnsupportedOperationException.class, map::clear);
    }

    private static final byte SERIALIZED_TAG = 14;

    private static byte[] encode(Object value) throws IOException {
        ByteSink out = new ByteSink(4);
        ValueCodec.write(out, value);
        return out.toByteArray();
    }

    @Test
    void nullComesBackNull() throws Exception {
        assertNull(roundTrip(null));
    }

    @Test
    void primitiveArraysComeBackEqual() throws Exception {
        assertArrayEquals(new byte[] {1, -2, 3}, (byte[]) roundTrip(new byte[] {1, -2, 3}));
        assertArrayEquals(
                new int[] {Integer.MIN_VALUE, 0, 42},
                (int[]) roundTrip(new int[] {Integer.MIN_VALUE, 0, 42}));
        assertArrayEquals(
                new long[] {Long.MIN_VALUE, 7}, (long[]) roundTrip(new long[] {Long.MIN_VALUE, 7}));
        assertArrayEquals(
                new double[] {0.5, -1e300}, (double[]) roundTrip(new double[] {0.5, -1e300}));
        assertArrayEquals(new String[] {"a", null}, (String[]) roundTrip(new String[] {"a", null}));
    }

    @Test
    void unserializableValueIsReportedAsSuch() {
        assertThrows(
                NotSerializableException.class,
                () -> ValueCodec.write(new ByteSink(4), new Object()));
    }

    @Test
    void unknownTagIsRejected() {
        assertThrows(
                StreamCorruptedException.class,
                () -> ValueCodec.read(new ByteSource(new byte[] {99}), LOADER, ClassAdmission.ANY));
    }

    @Test
    void truncatedValueIsRejected() throws Exception {
        ByteSink out = new ByteSink(4);
        ValueCodec.write(out, "a longer string");
        byte[] bytes = out.toByteArray();
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThrows(
                EOFException.class,
                () -> ValueCodec.read(new ByteSource(cut), LOADER, ClassAdmission.ANY));
    }

    @Test
    void callNamesTheArgumentThatCannotBeEncoded() {
        ValueCodingException e =
                assertThrows(
                        ValueCodingException.class,
                        () ->
                                CallCodec.encode(
                                        "x.Invoker", 0, null, new Object[] {"fine", new Object()}));
        assertEquals(1, e.position());
        assertInstanceOf(NotSerializableException.class, e.getCause());
    }

    @Test
    void callRoundTrips() throws Exception {
        byte[] body =
                CallCodec.encode("x.Invoker", 3, "target", new Object[] {1, "two", null}).body();
        CallCodec.DecodedCall call = CallCodec.decode(body, LOADER, false);
        assertEquals("x.Invoker", call.invokerClass());
        assertEquals(3, call.method());
        assertEquals("target", call.target());
        assertArrayEquals(new Object[] {1, "two", null}, call.args());
    }

    @Test
    void failureKeepsItsDescriptionWhenItCannotBeRebuilt() throws IOException {
        Throwable thrown = new IllegalStateException("outer", new RuntimeException("inner"));
        ThrowableCodec.Decoded decoded =
                ThrowableCodec.decode(ThrowableCodec.encode(thrown), LOADER, ClassAdmission.ANY);
        assertEquals("outer", decoded.thrown().getMessage());
        assertEquals(2, decoded.chain().size());
        assertEquals(RuntimeException.class.getName(), decoded.chain().get(1).className());
        assertArrayEquals(thrown.getStackTrace(), decoded.chain().get(0).stackTrace());
    }

    @Test
    void everyCharArrivesExactlyAloneAndInAString() throws Exception {
        for (int c = 0; c <= 0xFFFF; c++) {
            assertEquals((char) c, roundTrip((char) c));
            String s = "a" + (char) c + "b";
            assertEquals(s, roundTrip(s), () -> "char " + Integer.toHexString(s.charAt(1)));
        }
    }

    @Test
    void stringsOfRandomCodeUnitsArriveExactly() throws Exception {
        java.util.Random random = new java.util.Random(20261129);
        for (int i = 0; i < 2_000; i++) {
            char[] units = new char[random.nextInt(40)];
            for (int j = 0; j < units.length; j++) {
                // Half of them surrogates, so unpaired ones and pairs both come often.
                units[j] =
                        random.nextBoolean()
                                ? (char) (0xD800 + random.nextInt(0x800))
                                : (char) random.nextInt(0x10000);
            }
            String s = new String(units);
            assertEquals(s, roundTrip(s));
        }
        assertEquals("a\uDC00b", roundTrip("a\uDC00b"));
        assertEquals("\uD83D\uDE00 paired", roundTrip("\uD83D\uDE00 paired"));
    }

    @Test
    void failureTextArrivesExactly() throws IOException {
        Throwable thrown = new IllegalStateException("lone \uD800 surrogate");
        ThrowableCodec.Decoded decoded =
                ThrowableCodec.decode(ThrowableCodec.encode(thrown), LOADER, ClassAdmission.ANY);
        assertEquals("lone \uD800 surrogate", decoded.thrown().getMessage());
        assertEquals("lone \uD800 surrogate", decoded.chain().get(0).message());
        Frame[] back = new Frame[1];
        FrameFormat.encode(
                new Frame.Unsendable(1, 0, "bad \uDFFF"),
                (type, id, aux, body) -> back[0] = FrameFormat.decode(type, id, aux, body));
        assertEquals("bad \uDFFF", ((Frame.Unsendable) back[0]).message());
    }

    @Test
    void aHelpfulNullPointerMessageArrives() throws IOException {
        NullPointerException thrown = assertThrows(NullPointerException.class, () -> length(null));
        String helpful = thrown.getMessage();
        assertTrue(helpful != null && helpful.contains("because"), helpful);
        ThrowableCodec.Decoded decoded =
                ThrowableCodec.decode(ThrowableCodec.encode(thrown), LOADER, ClassAdmission.ANY);
        assertEquals(helpful, decoded.thrown().getMessage());
        assertArrayEquals(thrown.getStackTrace(), decoded.thrown().getStackTrace());
    }

    private static int length(int[] array) {
        return array.length;
    }

    private static long arrayFiles() throws Exception {
        try (var files =
                java.nio.file.Files.list(
                        dev.paralleltask.runtime.internal.shared.SharedDirectory.get())) {
            // Not the spares (spare-*) that reading or discarding a file leaves for the next one.
            return files.filter(f -> f.getFileName().toString().startsWith("array-")).count();
        }
    }

    @Test
    void largeArraysTravelThroughSharedMemoryAndTheirReaderRemovesTheFile() throws Exception {
        long before = arrayFiles();
        byte[] bytes = new byte[3 << 20];
        long[] longs = new long[1 << 18];
        double[] doubles = new double[1 << 18];
        int[] ints = new int[1 << 19];
        for (int i = 0; i < longs.length; i++) {
            bytes[i * 3] = (byte) i;
            longs[i] = i * 31L;
            doubles[i] = i / 7.0;
            ints[i * 2] = -i;
        }
        for (Object array : List.of(bytes, longs, doubles, ints)) {
            ByteSink out = new ByteSink(64);
            ValueCodec.write(out, array);
            assertTrue(out.size() < 1_000, "a file's name, not its contents: " + out.size());
            assertEquals(before + 1, arrayFiles());
            Object back =
                    ValueCodec.read(new ByteSource(out.toByteArray()), LOADER, ClassAdmission.ANY);
            assertTrue(java.util.Objects.deepEquals(array, back), array.getClass().getSimpleName());
            assertEquals(before, arrayFiles(), "the reader removed it");
        }
    }

    @Test
    void aCallsLargeArraysStayForARetryUntilItsSenderRemovesThem() throws Exception {
        long before = arrayFiles();
        CallCodec.Encoded call =
                CallCodec.encode("x.Invoker", 0, null, new Object[] {new long[1 << 18], 1});
        assertEquals(1, call.files().size());
        for (int attempt = 0; attempt < 2; attempt++) {
            CallCodec.DecodedCall decoded = CallCodec.decode(call.body(), LOADER, true);
            assertEquals(1 << 18, ((long[]) decoded.args()[0]).length);
        }
        call.files().forEach(dev.paralleltask.runtime.internal.shared.LargeArrays::discard);
        assertEquals(before, arrayFiles());
    }

    @Test
    void aLargeArrayInAValueThatFallsBackToSerializationLeavesNoFile() throws Exception {
        long before = arrayFiles();
        ByteSink out = new ByteSink(64);
        ValueCodec.write(
                out, new ArrayList<>(List.of(new byte[2 << 20], new java.util.TreeSet<>())));
        assertEquals(before, arrayFiles(), "serialized whole, the array inline");
        assertThrows(
                ValueCodingException.class,
                () ->
                        CallCodec.encode(
                                "x.Invoker",
                                0,
                                null,
                                new Object[] {new byte[2 << 20], new Object()}));
        assertEquals(before, arrayFiles(), "a call that cannot be sent leaves no file");
    }
}
