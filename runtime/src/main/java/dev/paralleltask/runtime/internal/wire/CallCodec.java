package dev.paralleltask.runtime.internal.wire;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Encodes a call (which method, on which target, with which arguments) into the body of a {@link
 * Frame.Call}, and decodes it in the worker.
 *
 * <p>Layout: invoker class name, method index, target, argument count, arguments; each value as
 * {@link ValueCodec} writes it.
 */
public final class CallCodec {
    private CallCodec() {}

    /**
     * An encoded call: the frame's body, and the files its large arrays went to ({@link
     * ValueCodec}), which its sender removes once the call is done.
     */
    public record Encoded(byte[] body, List<Path> files) {}

    /** A decoded call, ready to hand to the invoker. */
    public record DecodedCall(String invokerClass, int method, Object target, Object[] args) {}

    /**
     * Encodes a call. Runs on the caller's thread, so the bytes are a snapshot of the arguments as
     * they were when the call was made.
     *
     * @throws ValueCodingException naming the target or argument that could not be encoded
     */
    public static Encoded encode(String invokerClass, int method, Object target, Object[] args)
            throws ValueCodingException {
        ByteSink out = new ByteSink(64);
        out.writeString(invokerClass);
        out.writeInt(method);
        try {
            writeAt(out, ValueCodingException.TARGET, target);
            out.writeInt(args.length);
            for (int i = 0; i < args.length; i++) {
                writeAt(out, i, args[i]);
            }
        } catch (ValueCodingException | RuntimeException | Error e) {
            out.discardFiles(0); // the earlier arguments' files: the call will not be sent
            throw e;
        }
        return new Encoded(out.toByteArray(), out.files());
    }

    /**
     * Decodes a call in the worker. With {@code keepFiles}, the files of its large arrays stay for
     * the caller to remove, since the call may be sent again.
     *
     * @throws IOException if the body is malformed
     * @throws ValueCodingException naming the target or argument that could not be rebuilt
     */
    public static DecodedCall decode(byte[] body, ClassLoader loader, boolean keepFiles)
            throws IOException, ValueCodingException {
        ByteSource in = keepFiles ? new ByteSource(body).keepingFiles() : new ByteSource(body);
        String invokerClass = in.readString();
        int method = in.readInt();
        Object target = readAt(in, ValueCodingException.TARGET, loader, ClassAdmission.ANY);
        int count = in.readCount(1, "arguments");
        Object[] args = new Object[count];
        for (int i = 0; i < count; i++) {
            args[i] = readAt(in, i, loader, ClassAdmission.ANY);
        }
        return new DecodedCall(invokerClass, method, target, args);
    }

    /**
     * Encodes one value on its own, as an argument is encoded (large arrays go to files, which the
     * caller removes when the bytes are no longer needed).
     *
     * @throws ValueCodingException naming {@code position}
     */
    public static Encoded encodeValue(int position, Object value) throws ValueCodingException {
        ByteSink out = new ByteSink(64);
        try {
            writeAt(out, position, value);
        } catch (ValueCodingException | RuntimeException | Error e) {
            out.discardFiles(0);
            throw e;
        }
        return new Encoded(out.toByteArray(), out.files());
    }

    /**
     * Decodes a value {@link #encodeValue} encoded, leaving the files of its large arrays for the
     * caller to remove, since the bytes may be decoded again.
     */
    public static Object decodeValue(byte[] body, int position, ClassLoader loader)
            throws ValueCodingException {
        return readAt(new ByteSource(body).keepingFiles(), position, loader, ClassAdmission.ANY);
    }

    /** Encodes a call's result. */
    public static byte[] encodeResult(Object result) throws ValueCodingException {
        ByteSink out = new ByteSink(16);
        writeAt(out, ValueCodingException.RESULT, result);
        return out.toByteArray();
    }

    /** Decodes a call's result in the parent, building only classes {@code admission} admits. */
    public static Object decodeResult(byte[] body, ClassLoader loader, ClassAdmission admission)
            throws ValueCodingException {
        return readAt(new ByteSource(body), ValueCodingException.RESULT, loader, admission);
    }

    private static void writeAt(ByteSink out, int position, Object value)
            throws ValueCodingException {
        try {
            ValueCodec.write(out, value);
        } catch (IOException | RuntimeException e) {
            throw new ValueCodingException(position, e);
        }
    }

    private static Object readAt(
            ByteSource in, int position, ClassLoader loader, ClassAdmission admission)
            throws ValueCodingException {
        try {
            return ValueCodec.read(in, loader, admission);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            throw new ValueCodingException(position, e);
        }
    }
}
