package dev.paralleltask.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes every decoder a worker's bytes reach in the caller (and the caller's reach in a worker):
 * the compact codec with the JDK path behind its filter, throwable descriptions, calls, frames and
 * the answer ring. Each input comes from a seed: random bytes, or a valid encoding mutated (bytes
 * flipped, lengths and counts overwritten with extreme values, cut short, spliced). Every input
 * must end in a clean failure (an {@link IOException}, {@link ClassNotFoundException} or {@link
 * ValueCodingException}) or a value, never another exception or an {@link Error}, and allocate at
 * most {@link #allocationBound}.
 *
 * <p>{@code -Dfuzz.inputs=N} inputs per decoder (default 20,000), from seed {@code -Dfuzz.first};
 * {@code -Dfuzz.seed=S} replays one input of every decoder and prints it. Seeds that found a defect
 * are in {@link #KEPT} and run every time.
 */
@Timeout(1800)
class DecoderFuzzTest {
    private static final int INPUTS = Integer.getInteger("fuzz.inputs", 20_000);
    private static final long FIRST = Long.getLong("fuzz.first", 0);
    private static final Long ONE = Long.getLong("fuzz.seed");

    /** Seeds that found a defect, by decoder: each one runs in every build. */
    private static final Map<String, long[]> KEPT =
            Map.of(
                    // Set.of of a duplicate or null: NullPointerException,
                    // IllegalArgumentException;
                    // a malformed JDK stream: ClassCastException from ObjectInputStream.
                    "values", new long[] {16, 5430},
                    // A stack frame with no class: StackTraceElement's NullPointerException.
                    "frames", new long[] {591},
                    "throwables", new long[] {1858});

    private static final ClassLoader LOADER = DecoderFuzzTest.class.getClassLoader();

    /** What a caller's pool admits of a worker's answer to a method returning Object: the JDK's. */
    private static final ClassAdmission JDK_ONLY = type -> type.getName().startsWith("java.");

    private static final int[] EXTREMES = {
        0,
        1,
        -1,
        -2,
        2,
        7,
        127,
        128,
        255,
        65_535,
        1 << 20,
        Integer.MAX_VALUE,
        Integer.MIN_VALUE,
        Integer.MAX_VALUE - 15,
        Integer.MAX_VALUE - 64,
        1 << 30,
        -1 << 30
    };

    interface Decoder {
        void decode(byte[] input) throws Exception;
    }

    @Test
    void values() throws Exception {
        List<byte[]> corpus = new ArrayList<>();
        for (Object value : corpusValues()) {
            ByteSink out = new ByteSink(64);
            ValueCodec.write(out, value);
            corpus.add(out.toByteArray());
        }
        fuzz("values", corpus, input -> ValueCodec.read(new ByteSource(input), LOADER, JDK_ONLY));
    }

    @Test
    void throwables() throws Exception {
        List<byte[]> corpus =
                List.of(
                        ThrowableCodec.encode(
                                new IllegalStateException("outer", new IOException("inner"))),
                        ThrowableCodec.encode(new StackOverflowError()),
                        ThrowableCodec.encodeStack(
                                "where", Thread.currentThread().getStackTrace()));
        fuzz("throwables", corpus, input -> ThrowableCodec.decode(input, LOADER, JDK_ONLY));
    }

    @Test
    void calls() throws Exception {
        List<byte[]> corpus = new ArrayList<>();
        for (Object value : corpusValues()) {
            corpus.add(
                    CallCodec.encode("a.b.Invoker", 3, null, new Object[] {value, 1, "x"}).body());
        }
        fuzz("calls", corpus, input -> CallCodec.decode(input, LOADER, true));
    }

    @Test
    void frames() throws Exception {
        List<byte[]> corpus = new ArrayList<>();
        for (Frame frame :
                List.of(
                        new Frame.Result(1, new byte[] {5, 1, 0, 0, 0}),
                        new Frame.Failure(2, true, ThrowableCodec.encode(new Error("x"))),
                        new Frame.Unsendable(
                                3, -2, "could not", ThrowableCodec.encode(new Error("y"))),
                        new Frame.Stack(
                                4, ThrowableCodec.encodeStack("at", new StackTraceElement[0])),
                        new Frame.Hello(5, 1, new byte[32]),
                        new Frame.Dropped(6))) {
            FrameFormat.encode(
                    frame,
                    (type, id, aux, body) -> {
                        ByteBuffer b = ByteBuffer.allocate(1 + body.length);
                        corpus.add(b.put(type).put(body).array());
                    });
        }
        fuzz(
                "frames",
                corpus,
                input -> {
                    if (input.length > 0) {
                        Frame frame =
                                FrameFormat.decode(
                                        input[0],
                                        7,
                                        0,
                                        java.util.Arrays.copyOfRange(input, 1, input.length));
                        if (frame instanceof Frame.Unsendable u && u.cause().length > 0) {
                            ThrowableCodec.decode(u.cause(), LOADER, JDK_ONLY);
                        }
                    }
                });
    }

    /** Random bytes as the ring's records, with a published count that may lie. */
    @Test
    void answerRing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("r.ring");
        FrameRing consumer = FrameRing.create(file);
        try (FileChannel channel =
                FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer memory =
                    channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size())
                            .order(ByteOrder.nativeOrder());
            List<byte[]> corpus = new ArrayList<>();
            FrameRing producer = FrameRing.open(file);
            producer.offer(new Frame.Result(1, new byte[40]));
            producer.offer(new Frame.Failure(2, false, ThrowableCodec.encode(new Error())));
            byte[] valid = new byte[4096];
            memory.get(192, valid);
            corpus.add(valid);
            long consumedSoFar = 0;
            while (consumer.poll() != null) {
                consumedSoFar++;
            }
            long[] position = {memory.getLong(0)}; // what was published, and so consumed
            fuzz(
                    "answerRing",
                    corpus,
                    input -> {
                        // The consumer is where it is; the producer claims input.length more.
                        for (int i = 0; i < input.length && i < FrameRing.CAPACITY; i++) {
                            memory.put(
                                    192 + (int) ((position[0] + i) & (FrameRing.CAPACITY - 1)),
                                    input[i]);
                        }
                        memory.putLong(0, position[0] + input.length);
                        try {
                            for (int i = 0; i < 64 && consumer.poll() != null; i++) {}
                        } finally {
                            position[0] = memory.getLong(64); // as far as it consumed
                            memory.putLong(0, position[0]);
                        }
                    },
                    ring -> true);
        }
    }

    // ---- The harness ----

    private static void fuzz(String name, List<byte[]> corpus, Decoder decoder) throws Exception {
        fuzz(name, corpus, decoder, ring -> false);
    }

    /**
     * Runs the decoder on each seed's input; with {@code recovers}, a failure of one input (a
     * refused ring record) leaves state the next input resets.
     */
    private static void fuzz(
            String name,
            List<byte[]> corpus,
            Decoder decoder,
            java.util.function.Predicate<Object> recovers)
            throws Exception {
        LongFunction<byte[]> inputs =
                seed -> input(new Random(seed * 0x9E3779B97F4A7C15L + name.hashCode()), corpus);
        if (ONE != null) {
            byte[] input = inputs.apply(ONE);
            System.out.println(name + " seed " + ONE + ": " + HexFormat.of().formatHex(input));
            check(name, ONE, input, decoder);
            return;
        }
        for (long seed : KEPT.getOrDefault(name, new long[0])) {
            check(name, seed, inputs.apply(seed), decoder);
        }
        long start = System.nanoTime();
        for (long seed = FIRST; seed < FIRST + INPUTS; seed++) {
            check(name, seed, inputs.apply(seed), decoder);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "fuzz %s: %,d inputs from seed %d in %.1f s (%,.0f inputs/s)%n",
                name,
                INPUTS,
                FIRST,
                seconds,
                INPUTS / seconds);
    }

    private static void check(String name, long seed, byte[] input, Decoder decoder)
            throws Exception {
        Throwable[] thrown = {null};
        long allocated =
                WireLimitsTest.allocatedWhile(
                        () -> {
                            try {
                                decoder.decode(input);
                            } catch (IOException
                                    | ClassNotFoundException
                                    | ValueCodingException e) {
                                // a clean failure
                            } catch (Throwable t) {
                                thrown[0] = t;
                            }
                        });
        if (thrown[0] != null) {
            AssertionError failure =
                    new AssertionError(
                            name
                                    + " seed "
                                    + seed
                                    + " (replay: -Dfuzz.seed="
                                    + seed
                                    + ") threw "
                                    + thrown[0]
                                    + " on "
                                    + HexFormat.of()
                                            .formatHex(input, 0, Math.min(input.length, 256)),
                            thrown[0]);
            throw failure;
        }
        if (allocated > allocationBound(input)) {
            fail(
                    name
                            + " seed "
                            + seed
                            + " allocated "
                            + allocated
                            + " bytes for an input of "
                            + input.length);
        }
    }

    /**
     * The most an input may make a decoder allocate: a fixed allowance (the JDK path's stream
     * buffers, a first use's classes) and a multiple of its length (a map entry per two bytes).
     */
    static long allocationBound(byte[] input) {
        return (8L << 20) + 128L * input.length;
    }

    private static byte[] input(Random random, List<byte[]> corpus) {
        if (random.nextInt(5) == 0) {
            byte[] noise = new byte[random.nextInt(random.nextBoolean() ? 16 : 512)];
            random.nextBytes(noise);
            return noise;
        }
        byte[] input = corpus.get(random.nextInt(corpus.size())).clone();
        for (int n = 1 + random.nextInt(4); n > 0 && input.length > 0; n--) {
            input = mutate(random, input);
        }
        return input;
    }

    private static byte[] mutate(Random random, byte[] input) {
        int at = random.nextInt(input.length);
        switch (random.nextInt(6)) {
            case 0 -> input[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> input[at] = (byte) random.nextInt(32); // often a tag or a frame type
            case 2 -> {
                if (at + 4 <= input.length) { // a length or count, little-endian
                    ByteBuffer.wrap(input)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .putInt(at, EXTREMES[random.nextInt(EXTREMES.length)]);
                }
            }
            case 3 -> {
                if (at + 4 <= input.length) { // the JDK path's lengths are big-endian
                    ByteBuffer.wrap(input).putInt(at, EXTREMES[random.nextInt(EXTREMES.length)]);
                }
            }
            case 4 -> input = java.util.Arrays.copyOf(input, at); // cut short
            default -> { // a piece of itself spliced in elsewhere: nesting, repetition
                int from = random.nextInt(input.length);
                int length = Math.min(input.length - from, 1 + random.nextInt(64));
                byte[] spliced = new byte[input.length + length];
                System.arraycopy(input, 0, spliced, 0, at);
                System.arraycopy(input, from, spliced, at, length);
                System.arraycopy(input, at, spliced, at + length, input.length - at);
                input = spliced;
            }
        }
        return input;
    }

    private static List<Object> corpusValues() {
        Map<String, Object> linked = new LinkedHashMap<>();
        linked.put("z", 1);
        linked.put("a", null);
        Object deep = "leaf";
        for (int i = 0; i < 34; i++) {
            deep = new ArrayList<>(List.of(deep)); // compact inside, serialized outside
        }
        return List.of(
                0,
                Long.MAX_VALUE,
                3.25,
                "ünïcødé ✓ 𝄞",
                new byte[] {1, 2, 3},
                new int[] {1, 2, 3},
                new long[] {4, 5},
                new double[] {0.5},
                List.of(1, 2, 3),
                java.util.Set.of("x", "y"),
                Map.of(1, 2, 3, 4),
                linked,
                new ArrayList<>(List.of(List.of(List.of("nested")))),
                java.util.concurrent.TimeUnit.SECONDS,
                new TreeMap<>(Map.of("sorted", 1)), // through the JDK path
                new Date(0),
                new java.math.BigDecimal("1.5"),
                deep);
    }
}
