package dev.paralleltask.runtime.internal.wire;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Reads what a {@link ByteSink} wrote. Not thread-safe. */
public final class ByteSource {
    private static final VarHandle INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] buf;
    private int pos;
    private final int limit;

    /** Whether large arrays read from here leave their files for the writer to remove. */
    private boolean keepsFiles;

    public ByteSource(byte[] buf) {
        this.buf = buf;
        this.limit = buf.length;
    }

    /**
     * Leaves the files of large arrays read from here in place: for a call, which may be sent again
     * (a retry), and whose files its pool removes once the call is done.
     */
    public ByteSource keepingFiles() {
        keepsFiles = true;
        return this;
    }

    boolean keepsFiles() {
        return keepsFiles;
    }

    int readByte() throws EOFException {
        need(1);
        return buf[pos++];
    }

    int readInt() throws EOFException {
        need(4);
        int v = (int) INT.get(buf, pos);
        pos += 4;
        return v;
    }

    long readLong() throws EOFException {
        need(8);
        long v = (long) LONG.get(buf, pos);
        pos += 8;
        return v;
    }

    /** How many bytes are left to read. */
    int remaining() {
        return limit - pos;
    }

    /** Reads a length of bytes written before them, checking it against what is left. */
    int readLength() throws WireLimitException {
        return readCount(1, "bytes");
    }

    /**
     * Reads a count of things that follow, each at least {@code width} bytes, and checks it against
     * the bytes left before anything is allocated for them.
     */
    int readCount(int width, String what) throws WireLimitException {
        if (limit - pos < Integer.BYTES) {
            throw new WireLimitException("a count of " + what + " is cut off");
        }
        int n = readIntUnchecked();
        if (n < 0 || (long) n * width > limit - pos) {
            throw new WireLimitException(
                    "it claims "
                            + n
                            + " "
                            + what
                            + (width > 1 ? " of " + width + " bytes or more each" : "")
                            + ", with "
                            + (limit - pos)
                            + " bytes left");
        }
        return n;
    }

    private int readIntUnchecked() {
        int v = (int) INT.get(buf, pos);
        pos += 4;
        return v;
    }

    byte[] readBytes(int length) throws EOFException {
        need(length);
        byte[] b = new byte[length];
        System.arraycopy(buf, pos, b, 0, length);
        pos += length;
        return b;
    }

    /** A little-endian view of the next {@code bytes} bytes, which count as read. */
    ByteBuffer take(int bytes) throws EOFException {
        need(bytes);
        ByteBuffer view = ByteBuffer.wrap(buf, pos, bytes).slice().order(ByteOrder.LITTLE_ENDIAN);
        pos += bytes;
        return view;
    }

    /** A string as {@link ByteSink#writeString} wrote it. */
    String readString() throws IOException {
        String s = readNullableString();
        if (s == null) {
            throw new ProtocolException("a string was expected, not null");
        }
        return s;
    }

    /** A string as {@link ByteSink#writeNullableString} wrote it. */
    String readNullableString() throws IOException {
        int header = readInt();
        if (header >= 0) {
            need(header);
            String s = new String(buf, pos, header, StandardCharsets.UTF_8);
            pos += header;
            return s;
        }
        if (header == -1) {
            return null;
        }
        long chars = -2L - header;
        need(2 * chars);
        char[] text = new char[(int) chars];
        for (int i = 0; i < text.length; i++) {
            text[i] = (char) ((buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8);
            pos += 2;
        }
        return new String(text);
    }

    /** The next {@code length} bytes as a stream, which count as read. */
    InputStream slice(int length) throws EOFException {
        need(length);
        InputStream in = new ByteArrayInputStream(buf, pos, length);
        pos += length;
        return in;
    }

    private void need(long n) throws EOFException {
        if (n < 0 || n > limit - pos) {
            throw new EOFException("message ends " + (n - (limit - pos)) + " bytes early");
        }
    }
}
