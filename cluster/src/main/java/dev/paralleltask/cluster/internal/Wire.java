package dev.paralleltask.cluster.internal;

import dev.paralleltask.cluster.NodeInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client and a node send each other, as bytes: Ignite carries only byte arrays, so neither
 * side needs the other's classes to read them, and the call's own bytes are the runtime's ({@code
 * CallCoding}), made on the caller's thread.
 *
 * <p>A {@link CallRequest} names the method (for the node's messages, timeout and its warm spares)
 * and carries the encoded call. A {@link Reply} is the worker's answer as it came ({@link Answer}),
 * or what the node's pool decided instead: the call timed out, its worker died, or the node could
 * not take it.
 */
public final class Wire {
    private Wire() {}

    /** What a node answers a request with. */
    public sealed interface Reply {
        byte[] toBytes();

        /**
         * @throws IOException if the bytes are not a reply
         */
        static Reply fromBytes(byte[] bytes) throws IOException {
            if (bytes.length > 0 && bytes[0] == Answer.KIND) {
                return Answer.read(bytes);
            }
            DataInputStream in = reader(bytes);
            int kind = in.readByte();
            return switch (kind) {
                case TimedOut.KIND -> TimedOut.read(in);
                case Crashed.KIND -> Crashed.read(in);
                case Refused.KIND -> new Refused(readString(in));
                case Unrunnable.KIND -> new Unrunnable(readString(in));
                case ActorStarted.KIND -> new ActorStarted(in.readLong(), readString(in));
                case ActorDied.KIND -> new ActorDied(readString(in));
                case ActorState.KIND ->
                        new ActorState(in.readLong(), in.readInt(), in.readBoolean());
                default -> throw new IOException("unknown reply kind " + kind);
            };
        }
    }

    /**
     * The worker answered: {@code kind} 0 a result (the body is the value), 1 a failure (the body
     * is what the task threw; {@code fatal} when it was a JVM error that cost the worker), 2 a
     * value that could not cross ({@code position}, {@code message}).
     */
    public record Answer(int kind, boolean fatal, int position, String message, byte[] body)
            implements Reply {
        static final int KIND = 0;
        public static final int RESULT = 0;
        public static final int FAILURE = 1;
        public static final int UNSENDABLE = 2;

        @Override
        public byte[] toBytes() {
            byte[] said = message.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(15 + said.length + body.length)
                    .put((byte) KIND)
                    .put((byte) kind)
                    .put((byte) (fatal ? 1 : 0))
                    .putInt(position)
                    .putInt(said.length)
                    .put(said)
                    .putInt(body.length)
                    .put(body)
                    .array();
        }

        /** Reads the bytes {@link #toBytes} wrote; the most common reply, read without streams. */
        static Answer read(byte[] bytes) throws IOException {
            try {
                ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
                int kind = in.get();
                boolean fatal = in.get() != 0;
                int position = in.getInt();
                String message = new String(readBytes(in), StandardCharsets.UTF_8);
                byte[] body = readBytes(in);
                if (in.hasRemaining()) {
                    throw new IOException("malformed answer: " + in.remaining() + " bytes past it");
                }
                return new Answer(kind, fatal, position, message, body);
            } catch (BufferUnderflowException e) {
                throw new IOException("malformed answer: it ends early", e);
            }
        }
    }

    /** The call ran past its timeout and its worker was killed; {@code where} says which. */
    public record TimedOut(
            long timeoutMillis, long elapsedMillis, String where, StackTraceElement[] stack)
            implements Reply {
        static final int KIND = 1;

        @Override
        public byte[] toBytes() {
            return write(
                    out -> {
                        out.writeByte(KIND);
                        out.writeLong(timeoutMillis);
                        out.writeLong(elapsedMillis);
                        writeString(out, where);
                        out.writeInt(stack.length);
                        for (StackTraceElement e : stack) {
                            writeString(out, e.getClassName());
                            writeString(out, e.getMethodName());
                            writeString(out, e.getFileName() == null ? "" : e.getFileName());
                            out.writeInt(e.getLineNumber());
                        }
                    });
        }

        static TimedOut read(DataInputStream in) throws IOException {
            long timeout = in.readLong();
            long elapsed = in.readLong();
            String where = readString(in);
            StackTraceElement[] stack = new StackTraceElement[in.readInt()];
            for (int i = 0; i < stack.length; i++) {
                String type = readString(in);
                String method = readString(in);
                String file = readString(in);
                stack[i] =
                        new StackTraceElement(
                                type, method, file.isEmpty() ? null : file, in.readInt());
            }
            return new TimedOut(timeout, elapsed, where, stack);
        }
    }

    /** The worker died under the call; the node's pool replaced it. Its words, as it wrote them. */
    public record Crashed(
            String message,
            String workerName,
            long pid,
            int exitCode,
            List<String> stderrTail,
            List<String> stdoutTail)
            implements Reply {
        static final int KIND = 2;

        @Override
        public byte[] toBytes() {
            return write(
                    out -> {
                        out.writeByte(KIND);
                        writeString(out, message);
                        writeString(out, workerName);
                        out.writeLong(pid);
                        out.writeInt(exitCode);
                        writeLines(out, stderrTail);
                        writeLines(out, stdoutTail);
                    });
        }

        static Crashed read(DataInputStream in) throws IOException {
            return new Crashed(
                    readString(in),
                    readString(in),
                    in.readLong(),
                    in.readInt(),
                    readLines(in),
                    readLines(in));
        }
    }

    /** The node did not take the call (it is shutting down): it never ran, and may go elsewhere. */
    public record Refused(String why) implements Reply {
        static final int KIND = 3;

        @Override
        public byte[] toBytes() {
            return kindAndText(KIND, why);
        }
    }

    /**
     * The node cannot run the call, and no node set up like it could: the method's invoker is not
     * on its classpath, or the request is not one it understands.
     */
    public record Unrunnable(String why) implements Reply {
        static final int KIND = 4;

        @Override
        public byte[] toBytes() {
            return kindAndText(KIND, why);
        }
    }

    /** Starts every actor request. */
    private static final int ACTOR_MAGIC = 0x50544141; // "PTAA"

    /**
     * What a client asks of an actor on a node ({@code ActorTask}): {@link #START} one from {@code
     * payload}, the encoded initial state, with {@code restarts} and {@code concurrency}; {@link
     * #CALL} actor {@code actor} with {@code payload}, a {@link Request} whose call carries no
     * target; {@link #DESCRIBE} it; {@link #CLOSE} it.
     */
    public record ActorRequest(
            int kind, long actor, int restarts, int concurrency, byte[] payload) {
        public static final int START = 0;
        public static final int CALL = 1;
        public static final int DESCRIBE = 2;
        public static final int CLOSE = 3;

        public byte[] toBytes() {
            return write(
                    out -> {
                        out.writeInt(ACTOR_MAGIC);
                        out.writeByte(kind);
                        out.writeLong(actor);
                        out.writeInt(restarts);
                        out.writeInt(concurrency);
                        writeBytes(out, payload);
                    });
        }

        /**
         * @throws IOException if the bytes are not an actor request of this version
         */
        public static ActorRequest fromBytes(byte[] bytes) throws IOException {
            DataInputStream in = reader(bytes);
            if (in.readInt() != ACTOR_MAGIC) {
                throw new IOException(
                        "not an actor request of this version of paralleltask: the client and the"
                                + " node run different versions of paralleltask-cluster");
            }
            int kind = in.readByte();
            if (kind < START || kind > CLOSE) {
                throw new IOException("unknown actor request " + kind);
            }
            return new ActorRequest(kind, in.readLong(), in.readInt(), in.readInt(), readBytes(in));
        }
    }

    /** The node started an actor: its number there, and its name. */
    public record ActorStarted(long actor, String name) implements Reply {
        static final int KIND = 5;

        @Override
        public byte[] toBytes() {
            return write(
                    out -> {
                        out.writeByte(KIND);
                        out.writeLong(actor);
                        writeString(out, name);
                    });
        }
    }

    /** The actor died with no restart left (or is gone from the node), in the node's words. */
    public record ActorDied(String why) implements Reply {
        static final int KIND = 6;

        @Override
        public byte[] toBytes() {
            return kindAndText(KIND, why);
        }
    }

    /** Where an actor is: its JVM's pid (-1 if none), its restarts, whether it takes calls. */
    public record ActorState(long pid, int restarts, boolean alive) implements Reply {
        static final int KIND = 7;

        @Override
        public byte[] toBytes() {
            return write(
                    out -> {
                        out.writeByte(KIND);
                        out.writeLong(pid);
                        out.writeInt(restarts);
                        out.writeBoolean(alive);
                    });
        }
    }

    private static byte[] kindAndText(int kind, String text) {
        return write(
                out -> {
                    out.writeByte(kind);
                    writeString(out, text);
                });
    }

    /** A node's workers, as {@code DescribeTask} reports them. */
    public record Workers(List<NodeInfo.Worker> workers, int held) {
        public byte[] toBytes() {
            return write(
                    out -> {
                        out.writeInt(held);
                        out.writeInt(workers.size());
                        for (NodeInfo.Worker w : workers) {
                            writeString(out, w.name());
                            out.writeLong(w.pid());
                            out.writeBoolean(w.alive());
                            out.writeLong(w.tasksCompleted());
                        }
                    });
        }

        public static Workers fromBytes(byte[] bytes) throws IOException {
            DataInputStream in = reader(bytes);
            int held = in.readInt();
            int n = in.readInt();
            List<NodeInfo.Worker> workers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                workers.add(
                        new NodeInfo.Worker(
                                readString(in), in.readLong(), in.readBoolean(), in.readLong()));
            }
            return new Workers(List.copyOf(workers), held);
        }
    }

    interface Writing {
        void to(DataOutputStream out) throws IOException;
    }

    static byte[] write(Writing writing) {
        return write(64, writing);
    }

    /** As {@link #write(Writing)}, into a buffer of {@code size} bytes to begin with. */
    static byte[] write(int size, Writing writing) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(size);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writing.to(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // never: it writes to memory
        }
        return bytes.toByteArray();
    }

    static DataInputStream reader(byte[] bytes) {
        return new DataInputStream(new ByteArrayInputStream(bytes));
    }

    static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IOException("malformed: " + length + " bytes announced");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /** Bytes written with their length before them, read from a buffer. */
    static byte[] readBytes(ByteBuffer in) throws IOException {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IOException("malformed: " + length + " bytes announced");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    static String readString(DataInputStream in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    private static void writeLines(DataOutputStream out, List<String> lines) throws IOException {
        out.writeInt(lines.size());
        for (String line : lines) {
            writeString(out, line);
        }
    }

    private static List<String> readLines(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("malformed list of " + n + " lines");
        }
        List<String> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lines.add(readString(in));
        }
        return List.copyOf(lines);
    }
}
