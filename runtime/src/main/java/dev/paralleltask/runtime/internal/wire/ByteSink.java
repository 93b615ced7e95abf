package dev.paralleltask.runtime.internal.wire;

import dev.paralleltask.runtime.internal.shared.LargeArrays;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** A growable little-endian byte buffer that values are encoded into. Not thread-safe. */
public final class ByteSink {
    private static final VarHandle INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] buf;
    private int size;

    /** The files that large arrays written here went to, in order; null until there is one. */
    private List<Path> files;

    public ByteSink(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public int size() {
        return size;
    }

    /**
     * The bytes written so far; the sink must not be written after. When the buffer is exactly
     * full, as after one large array (the buffer grows to fit it exactly), it is returned as it is:
     * a 100 MiB argument is not copied once more.
     */
    public byte[] toByteArray() {
        return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }

    /** Forgets everything written after the first {@code size} bytes. */
    /** Files that large arrays written here went to ({@link ValueCodec}), oldest first. */
    public List<Path> files() {
        return files == null ? List.of() : Collections.unmodifiableList(files);
    }

    /** How many {@link #files} there are. */
    int fileCount() {
        return files == null ? 0 : files.size();
    }

    void addFile(Path file) {
        if (files == null) {
            files = new ArrayList<>(1);
        }
        files.add(file);
    }

    /** Removes the files added after the first {@code keep}: what they held will not be sent. */
    public void discardFiles(int keep) {
        while (fileCount() > keep) {
            LargeArrays.discard(files.remove(files.size() - 1));
        }
    }

    void truncate(int size) {
        if (size < 0 || size > this.size) {
            throw new IndexOutOfBoundsException(size);
        }
        this.size = size;
    }

    void writeByte(int b) {
        ensure(1);
        buf[size++] = (byte) b;
    }

    void writeInt(int v) {
        ensure(4);
        INT.set(buf, size, v);
        size += 4;
    }

    void writeLong(long v) {
        ensure(8);
        LONG.set(buf, size, v);
        size += 8;
    }

    void setInt(int position, int v) {
        INT.set(buf, position, v);
    }

    /**
     * Writes {@code s} exactly, every UTF-16 code unit as it is, for {@link
     * ByteSource#readString()}: as its UTF-8 length and bytes when UTF-8 carries it unchanged, else
     * (an unpaired surrogate, which UTF-8 would turn into {@code '?'}) as {@code -2 - length} and
     * its chars, two bytes each.
     */
    void writeString(String s) {
        if (!hasUnpairedSurrogate(s)) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            writeInt(utf8.length);
            write(utf8, 0, utf8.length);
            return;
        }
        writeInt(-2 - s.length());
        ensure(2 * s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            buf[size++] = (byte) c;
            buf[size++] = (byte) (c >>> 8);
        }
    }

    /** Writes {@code s} as {@link #writeString} does, or null as -1. */
    void writeNullableString(String s) {
        if (s == null) {
            writeInt(-1);
        } else {
            writeString(s);
        }
    }

    private static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    /** A little-endian view of the next {@code bytes} bytes, which count as written. */
    ByteBuffer reserve(int bytes) {
        ensure(bytes);
        ByteBuffer view = ByteBuffer.wrap(buf, size, bytes).slice().order(ByteOrder.LITTLE_ENDIAN);
        size += bytes;
        return view;
    }

    /** An {@code OutputStream} that appends to this sink, for JDK serialization. */
    OutputStream asOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                writeByte(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                ByteSink.this.write(b, off, len);
            }
        };
    }

    private void ensure(int more) {
        int needed = size + more;
        if (needed < 0) {
            throw new OutOfMemoryError("an encoded value cannot exceed 2 GiB");
        }
        if (needed > buf.length) {
            int grown = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * buf.length));
            buf = Arrays.copyOf(buf, Math.max(grown, needed));
        }
    }
}
