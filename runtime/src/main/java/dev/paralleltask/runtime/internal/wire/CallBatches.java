package dev.paralleltask.runtime.internal.wire;

import java.net.ProtocolException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Many small calls as one: the bodies of the calls a batch carries, and a worker's answers to them,
 * each packed into one byte array. A batch is a call of its own, so it travels, runs and fails as
 * one; the pool unpacks its answers into the futures of its calls.
 */
public final class CallBatches {
    private static final byte RESULT = 0;
    private static final byte FAILURE = 1;
    private static final byte UNSENDABLE = 2;

    private CallBatches() {}

    /** The bodies of the calls, as {@link CallCodec} encoded them, in one array. */
    public static byte[] packCalls(List<byte[]> bodies) {
        int size = Integer.BYTES;
        for (byte[] body : bodies) {
            size += Integer.BYTES + body.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putInt(bodies.size());
        for (byte[] body : bodies) {
            out.putInt(body.length).put(body);
        }
        return out.array();
    }

    /** The bodies {@link #packCalls} packed. */
    public static List<byte[]> unpackCalls(byte[] packed) throws ProtocolException {
        try {
            ByteBuffer in = ByteBuffer.wrap(packed);
            int n = in.getInt();
            List<byte[]> bodies =
                    new ArrayList<>(Math.max(0, Math.min(n, packed.length / Integer.BYTES)));
            for (int i = 0; i < n; i++) {
                bodies.add(bytes(in));
            }
            return bodies;
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("a batch of calls is cut short");
        }
    }

    /**
     * A worker's answers to the calls of a batch, in their order: {@link Frame.Result}s, {@link
     * Frame.Failure}s that are not fatal, and {@link Frame.Unsendable}s.
     */
    public static byte[] packAnswers(List<? extends Frame.Answer> answers) {
        List<byte[]> parts = new ArrayList<>(answers.size());
        int size = Integer.BYTES;
        for (Frame.Answer answer : answers) {
            byte[] part;
            if (answer instanceof Frame.Result r) {
                part = tagged(RESULT, 0, r.body());
            } else if (answer instanceof Frame.Failure f && !f.fatal()) {
                part = tagged(FAILURE, 0, f.body());
            } else if (answer instanceof Frame.Unsendable u) {
                part =
                        tagged(
                                UNSENDABLE,
                                u.position(),
                                u.message().getBytes(StandardCharsets.UTF_8));
            } else {
                throw new IllegalArgumentException("not an answer a batch carries: " + answer);
            }
            parts.add(part);
            size += part.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putInt(answers.size());
        parts.forEach(out::put);
        return out.array();
    }

    /**
     * The answers {@link #packAnswers} packed; each answer's id is its call's place in the batch.
     */
    public static List<Frame.Answer> unpackAnswers(byte[] packed) throws ProtocolException {
        try {
            ByteBuffer in = ByteBuffer.wrap(packed);
            int n = in.getInt();
            List<Frame.Answer> answers = new ArrayList<>(Math.max(0, Math.min(n, packed.length)));
            for (int i = 0; i < n; i++) {
                byte tag = in.get();
                int position = in.getInt();
                byte[] body = bytes(in);
                answers.add(
                        switch (tag) {
                            case RESULT -> new Frame.Result(i, body);
                            case FAILURE -> new Frame.Failure(i, false, body);
                            case UNSENDABLE ->
                                    new Frame.Unsendable(
                                            i, position, new String(body, StandardCharsets.UTF_8));
                            default -> throw new ProtocolException("answer of kind " + tag);
                        });
            }
            return answers;
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("the answers to a batch are cut short");
        }
    }

    private static byte[] tagged(byte tag, int position, byte[] body) {
        return ByteBuffer.allocate(1 + 2 * Integer.BYTES + body.length)
                .put(tag)
                .putInt(position)
                .putInt(body.length)
                .put(body)
                .array();
    }

    /** A length and that many bytes; a length past the end is refused before any allocation. */
    private static byte[] bytes(ByteBuffer in) throws ProtocolException {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new ProtocolException(
                    "a part of " + length + " bytes in a batch of " + in.capacity());
        }
        byte[] body = new byte[length];
        in.get(body);
        return body;
    }
}
