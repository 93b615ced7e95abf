package dev.paralleltask.benchmarks.micro;

import dev.paralleltask.runtime.internal.wire.CallCodec;
import dev.paralleltask.runtime.internal.wire.ClassAdmission;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One small call's arguments, encoded and decoded: paralleltask's codec against JDK serialization
 * (its fallback, and what a naive process pool uses) and against a hand-written encoding of the
 * same fields (the floor). Run: {@code java -cp benchmarks/target/paralleltask-benchmarks.jar
 * org.openjdk.jmh.Main CodecBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    /** A typical small argument: a record of a string, an int, a double and a short list. */
    public record Order(String id, int quantity, double price, List<String> tags)
            implements Serializable {}

    private static final ClassLoader LOADER = CodecBenchmark.class.getClassLoader();
    private static final String INVOKER = "com.acme.OrdersTasks$Invoker";

    private final Order order = new Order("order-42", 3, 9.99, List.of("red", "fast"));
    private final ByteBuffer handBuffer = ByteBuffer.allocate(256);

    @Benchmark
    public Object paralleltaskCodec() throws Exception {
        byte[] body = CallCodec.encode(INVOKER, 0, null, new Object[] {order}).body();
        return CallCodec.decode(body, LOADER, false).args()[0];
    }

    /** Decoding only, of an answer the checks look at most: counts, lengths, nesting. */
    private final byte[] nestedResult = encodeResult(nested());

    private final byte[] intsResult = encodeResult(new int[4096]);

    private static Object nested() {
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            rows.add(Map.of("id", i, "tags", List.of("a", "b"), "scores", new long[] {i, i + 1}));
        }
        return rows;
    }

    private static byte[] encodeResult(Object value) {
        try {
            return CallCodec.encodeResult(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A result of 64 maps, each of a list and a long[]: 321 values nested 3 deep. */
    @Benchmark
    public Object decodeNestedResult() throws Exception {
        return CallCodec.decodeResult(nestedResult, LOADER, ClassAdmission.ANY);
    }

    /** A result that is an int[] of 4,096 elements. */
    @Benchmark
    public Object decodeIntArrayResult() throws Exception {
        return CallCodec.decodeResult(intsResult, LOADER, ClassAdmission.ANY);
    }

    @Benchmark
    public Object jdkSerialization() throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeUTF(INVOKER);
            out.writeInt(0);
            out.writeObject(new Object[] {order});
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            in.readUTF();
            in.readInt();
            return ((Object[]) in.readObject())[0];
        }
    }

    @Benchmark
    public Object handWritten() {
        ByteBuffer b = handBuffer.clear();
        putString(b, INVOKER);
        b.putInt(0);
        putString(b, order.id());
        b.putInt(order.quantity()).putDouble(order.price()).putInt(order.tags().size());
        order.tags().forEach(t -> putString(b, t));
        byte[] body = new byte[b.position()];
        b.flip().get(body);
        ByteBuffer in = ByteBuffer.wrap(body);
        getString(in);
        in.getInt();
        String id = getString(in);
        int quantity = in.getInt();
        double price = in.getDouble();
        String[] tags = new String[in.getInt()];
        for (int i = 0; i < tags.length; i++) {
            tags[i] = getString(in);
        }
        return new Order(id, quantity, price, List.of(tags));
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        b.putInt(utf8.length).put(utf8);
    }

    private static String getString(ByteBuffer b) {
        byte[] utf8 = new byte[b.getInt()];
        b.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
