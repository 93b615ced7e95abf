package dev.paralleltask.runtime.internal.wire;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * Frames over a connected socket channel, laid out as {@link FrameFormat} says: one reader thread
 * and any number of writers at once. Writers may {@linkplain #append append} several frames and
 * {@linkplain #flush flush} them with one system call; {@link #write} is both.
 */
public final class FrameChannel implements Closeable {
    private static final int HEADER_AFTER_LENGTH = FrameFormat.HEADER_AFTER_LENGTH;
    private static final int BUFFER_BYTES = 64 * 1024;

    private final SocketChannel channel;

    /** Guarded by {@code writeLock}; always in write mode between writes. */
    private final ByteBuffer out =
            ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);

    private final Object writeLock = new Object();

    /** Touched only by the reader thread; in read mode between reads. */
    private final ByteBuffer in =
            ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN).limit(0);

    public FrameChannel(SocketChannel channel) {
        this.channel = channel;
    }

    /** Sends one frame now. */
    public void write(Frame frame) throws IOException {
        synchronized (writeLock) {
            append(frame);
            flush();
        }
    }

    /**
     * Buffers a frame, writing out only what no longer fits; {@link #flush} sends the rest. Frames
     * leave in the order they were appended.
     */
    public void append(Frame frame) throws IOException {
        FrameFormat.encode(frame, this::put);
    }

    /**
     * Reads the next frame. Only one thread may read.
     *
     * @param maxBody the largest body accepted; a larger frame is a protocol error
     * @throws EOFException when the peer closed the channel
     * @throws ProtocolException when the bytes are not a frame this protocol knows
     */
    public Frame read(int maxBody) throws IOException {
        fill(Integer.BYTES);
        int length = in.getInt();
        if (length < HEADER_AFTER_LENGTH || length - HEADER_AFTER_LENGTH > maxBody) {
            throw new ProtocolException(
                    "frame of " + length + " bytes; at most " + maxBody + " bytes of body allowed");
        }
        fill(HEADER_AFTER_LENGTH);
        byte type = in.get();
        long id = in.getLong();
        int aux = in.getInt();
        byte[] body = new byte[length - HEADER_AFTER_LENGTH];
        readFully(body);
        return FrameFormat.decode(type, id, aux, body);
    }

    /** Writes out every appended frame. */
    public void flush() throws IOException {
        synchronized (writeLock) {
            drain();
        }
    }

    /**
     * Whether a whole frame is already buffered, so {@link #read} returns without waiting. A reader
     * that handles frames in batches ends a batch when this turns false.
     */
    public boolean hasBufferedFrame() {
        return in.remaining() >= Integer.BYTES
                && in.remaining() - Integer.BYTES >= in.getInt(in.position());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Buffers one frame, draining the buffer whenever it fills. */
    private void put(byte type, long id, int aux, byte[] body) throws IOException {
        synchronized (writeLock) {
            if (out.remaining() < Integer.BYTES + HEADER_AFTER_LENGTH) {
                drain();
            }
            out.putInt(HEADER_AFTER_LENGTH + body.length).put(type).putLong(id).putInt(aux);
            int offset = 0;
            while (offset < body.length) {
                if (!out.hasRemaining()) {
                    drain();
                }
                int n = Math.min(out.remaining(), body.length - offset);
                out.put(body, offset, n);
                offset += n;
            }
        }
    }

    /** Writes out everything buffered; guarded by {@code writeLock}. */
    private void drain() throws IOException {
        if (out.position() == 0) {
            return;
        }
        out.flip();
        try {
            while (out.hasRemaining()) {
                channel.write(out);
            }
        } finally {
            out.clear();
        }
    }

    private void fill(int bytes) throws IOException {
        while (in.remaining() < bytes) {
            in.compact();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                throw new EOFException(
                        in.hasRemaining() ? "channel closed inside a frame" : "channel closed");
            }
        }
    }

    private void readFully(byte[] body) throws IOException {
        int offset = Math.min(in.remaining(), body.length);
        in.get(body, 0, offset);
        while (offset < body.length) {
            // Read in windows the size of our buffer: a large heap target would make the JDK
            // allocate a temporary direct buffer as large as the whole remainder.
            ByteBuffer window =
                    ByteBuffer.wrap(body, offset, Math.min(BUFFER_BYTES, body.length - offset));
            int n = channel.read(window);
            if (n < 0) {
                throw new EOFException("channel closed inside a frame");
            }
            offset += n;
        }
    }
}
