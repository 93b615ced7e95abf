package dev.paralleltask.cluster.internal;

import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.shared.Locality;
import dev.paralleltask.runtime.internal.spi.CallCoding;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A call as a client sends it to a node ({@link Wire} has the node's replies).
 *
 * @param invokerClass the generated invoker that runs it, which the node loads
 * @param method the method's index in the invoker
 * @param displayName how messages name the method
 * @param timeoutMillis the limit its worker is killed at; 0 for the node's default
 * @param body the encoded call
 */
public record CallRequest(
        String invokerClass, int method, String displayName, long timeoutMillis, byte[] body) {
    /** Starts every request: a node refuses what an incompatible client sends. */
    private static final int MAGIC = 0x50544331; // "PTC1"

    /**
     * A call encoded here for a node, as the bytes of its request: its values as a pool encodes
     * them, shared objects refused (they live in one machine's memory).
     *
     * @throws Exception what encoding threw: a {@code TaskSerializationException} naming the value
     *     that cannot be sent
     */
    public static byte[] encode(TaskMethod method, Object target, Object[] args, long timeoutMillis)
            throws Exception {
        byte[] body =
                Locality.offMachine("a cluster node", () -> CallCoding.encode(method, target, args))
                        .body();
        byte[] header = header(method);
        return ByteBuffer.allocate(header.length + 12 + body.length)
                .put(header)
                .putLong(timeoutMillis)
                .putInt(body.length)
                .put(body)
                .array();
    }

    /** The last method's header, for the calls of a loop or a map: the same method each time. */
    private static volatile Header lastHeader;

    private record Header(TaskMethod method, byte[] bytes) {}

    /** What starts every request for {@code method}, as {@link #toBytes} writes it. */
    private static byte[] header(TaskMethod method) {
        Header last = lastHeader;
        if (last == null || last.method() != method) {
            byte[] written =
                    new CallRequest(
                                    method.invokerClassName(),
                                    method.index(),
                                    method.displayName(),
                                    0,
                                    new byte[0])
                            .toBytes();
            last = new Header(method, Arrays.copyOf(written, written.length - 12));
            lastHeader = last;
        }
        return last.bytes();
    }

    public byte[] toBytes() {
        return Wire.write(
                32 + 3 * (invokerClass.length() + displayName.length()) + body.length,
                out -> {
                    out.writeInt(MAGIC);
                    Wire.writeString(out, invokerClass);
                    out.writeInt(method);
                    Wire.writeString(out, displayName);
                    out.writeLong(timeoutMillis);
                    Wire.writeBytes(out, body);
                });
    }

    /**
     * @throws IOException if the bytes are not a request of this version
     */
    public static CallRequest fromBytes(byte[] bytes) throws IOException {
        DataInputStream in = Wire.reader(bytes);
        if (in.readInt() != MAGIC) {
            throw new IOException(
                    "not a call of this version of paralleltask: the client and the node run"
                            + " different versions of paralleltask-cluster");
        }
        String invoker = Wire.readString(in);
        int method = in.readInt();
        String displayName = Wire.readString(in);
        long timeout = in.readLong();
        return new CallRequest(invoker, method, displayName, timeout, Wire.readBytes(in));
    }

    /**
     * How long a request's header is, all that comes before its body (so that requests of one
     * method and timeout share it byte for byte), or -1 if the bytes are not a request.
     */
    static int headerLength(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length < 4 || in.getInt(0) != MAGIC) {
            return -1;
        }
        int at = skipString(in, 4);
        at = at < 0 ? -1 : skipString(in, at + 4); // the method's index, its name
        return at < 0 || at + 8 > bytes.length ? -1 : at + 8; // its timeout
    }

    /** The body of a request whose header is {@code header} bytes long. */
    static byte[] body(byte[] bytes, int header) throws IOException {
        int length = header + 4 <= bytes.length ? ByteBuffer.wrap(bytes).getInt(header) : -1;
        if (length < 0 || length != bytes.length - header - 4) {
            throw new IOException("malformed call: its body's length is wrong");
        }
        return Arrays.copyOfRange(bytes, header + 4, bytes.length);
    }

    /** Where what follows the string at {@code at} begins, or -1 if it overruns. */
    private static int skipString(ByteBuffer in, int at) {
        if (at + 4 > in.limit()) {
            return -1;
        }
        int length = in.getInt(at);
        return length < 0 || length > in.limit() - at - 4 ? -1 : at + 4 + length;
    }
}
