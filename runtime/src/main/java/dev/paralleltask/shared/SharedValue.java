package dev.paralleltask.shared;

import dev.paralleltask.runtime.internal.shared.LargeArrays;
import dev.paralleltask.runtime.internal.shared.SharedFile;
import dev.paralleltask.runtime.internal.wire.ByteSink;
import dev.paralleltask.runtime.internal.wire.ByteSource;
import dev.paralleltask.runtime.internal.wire.ValueCodec;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A value put once in shared memory and read everywhere, as Ray's {@code put}: {@link #of} encodes
 * it once; passing the {@code SharedValue} to a task sends a handle of a few bytes, and each
 * process decodes the value the first time it calls {@link #get}, then keeps that copy while the
 * object is open. A large model goes to a hundred calls on four workers as one encoding and four
 * decodings, not a hundred copies through the calls' sockets.
 *
 * <p>The value is a snapshot taken at {@code of}: what changes the original later is not seen, and
 * every process, the one that made it included, gets its own decoded copy from {@link #get}. Large
 * arrays in it ({@code byte[]}, {@code int[]}, {@code long[]}, {@code double[]} of 1 MiB and more)
 * wait in files of their own beside it, as a call's do, and go with it at {@link #close}.
 *
 * <p>What a process decodes was written by another, maybe a compromised worker, so it is rebuilt as
 * a call's result is: the runtime's values, and the value's own class (named by the process that
 * made it), with its subclasses and its fields' classes.
 *
 * @param <T> the value's type
 */
public final class SharedValue<T> extends SharedObject {
    private static final long serialVersionUID = 1L;
    static final int KIND = 10;

    /** The value as this process decoded it; {@link #UNREAD} until then. */
    private transient volatile Object value = UNREAD;

    private static final Object UNREAD = new Object();

    private SharedValue(SharedFile file, List<Class<?>> classes) {
        super(file, classes);
    }

    /**
     * Encodes {@code value} once into shared memory.
     *
     * @throws IllegalArgumentException if it cannot be encoded (not serializable), naming its class
     */
    public static <T> SharedValue<T> of(T value) {
        ByteSink sink = new ByteSink(256);
        try {
            ValueCodec.write(sink, value);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "SharedValue.of: cannot encode a "
                            + value.getClass().getName()
                            + ": "
                            + e
                            + "; a value of a class of yours must be Serializable",
                    e);
        }
        byte[] encoded = sink.toByteArray();
        List<byte[]> names =
                sink.files().stream()
                        .map(f -> f.toString().getBytes(StandardCharsets.UTF_8))
                        .toList();
        long size = Integer.BYTES + (long) encoded.length;
        for (byte[] name : names) {
            size += Integer.BYTES + name.length;
        }
        if (size > Integer.MAX_VALUE - 8) {
            sink.files().forEach(LargeArrays::discard);
            throw new IllegalArgumentException(
                    "SharedValue.of: a value of " + size + " bytes encoded, past 2 GiB");
        }
        // The files of its large arrays first, so that close() finds them without decoding it.
        ByteBuffer layout = ByteBuffer.allocate((int) size).putInt(names.size());
        names.forEach(name -> layout.putInt(name.length).put(name));
        byte[] bytes = layout.put(encoded).array();
        SharedFile file;
        try {
            file =
                    SharedFile.create(
                            KIND,
                            bytes.length,
                            bytes.length,
                            "SharedValue of " + bytes.length + " bytes");
        } catch (RuntimeException e) {
            sink.files().forEach(LargeArrays::discard);
            throw e;
        }
        for (int at = 0; at < bytes.length; ) {
            ByteBuffer segment = file.segment(at);
            int in = SharedFile.inSegment(at);
            int n = Math.min(bytes.length - at, segment.capacity() - in);
            segment.put(in, bytes, at, n);
            at += n;
        }
        return new SharedValue<>(file, value == null ? List.of() : List.of(value.getClass()));
    }

    /** The value a handle names, mapped in this process. */
    static SharedValue<?> opened(SharedFile file, List<String> classNames)
            throws InvalidObjectException {
        return new SharedValue<>(file, classesNamed(classNames, "the value of a SharedValue"));
    }

    @Override
    int kind() {
        return KIND;
    }

    /**
     * The value: decoded the first time this process asks, the same object after that.
     *
     * @throws IllegalStateException if it is closed, or its value cannot be rebuilt here (a class
     *     that is not on this process's classpath), naming why
     */
    @SuppressWarnings("unchecked")
    public T get() {
        ensureOpen();
        Object v = value;
        if (v == UNREAD) {
            synchronized (this) {
                v = value;
                if (v == UNREAD) {
                    v = decode();
                    value = v;
                }
            }
        }
        return (T) v;
    }

    private Object decode() {
        ByteBuffer bytes = ByteBuffer.wrap(bytes());
        files(bytes);
        byte[] encoded = new byte[bytes.remaining()];
        bytes.get(encoded);
        return rebuild(
                new ByteSource(encoded).keepingFiles(),
                "the value of " + this,
                "which is not the class it was made of");
    }

    /** The files of its large arrays, read from the start of its bytes. */
    private List<Path> files(ByteBuffer bytes) {
        List<Path> files = new ArrayList<>();
        try {
            int n = bytes.getInt();
            for (int i = 0; i < n; i++) {
                byte[] name = new byte[bytes.getInt()];
                bytes.get(name);
                files.add(Path.of(new String(name, StandardCharsets.UTF_8)));
            }
        } catch (RuntimeException e) { // a negative or too large count or length
            throw new IllegalStateException(this + " is corrupt: " + e, e);
        }
        return files;
    }

    /** The bytes in shared memory. */
    private byte[] bytes() {
        long length = file.length();
        if (length < 0 || length > file.dataBytes() || length > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(this + " is corrupt: " + length + " bytes");
        }
        byte[] bytes = new byte[(int) length];
        for (int at = 0; at < bytes.length; ) {
            ByteBuffer segment = file.segment(at);
            int in = SharedFile.inSegment(at);
            int n = Math.min(bytes.length - at, segment.capacity() - in);
            segment.get(in, bytes, at, n);
            at += n;
        }
        return bytes;
    }

    /** Frees the value for every process, the files of its large arrays with it. */
    @Override
    public void close() {
        if (!isClosed()) {
            try {
                files(ByteBuffer.wrap(bytes())).forEach(LargeArrays::discard);
            } catch (RuntimeException e) {
                // its files go with the family's directory
            }
        }
        super.close();
    }
}
