package dev.paralleltask.runtime.internal.wire;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Frames over a connected socket channel, laid out as {@link FrameFormat} says: one reader thread
 * and any number of writers at once. Writers may {@linkplain #append append} several frames and
 * {@linkplain #flush flush} them with one system call; {@link #write} is both.
 *
 * <p>A channel made {@linkplain #makeNonBlocking non-blocking} (the pool's end of a worker's
 * channel) reads and writes as before, waiting in a selector when the socket has nothing to read or
 * no room, and also offers {@link #tryAppend} and {@link #tryFlush}, which never wait: for a thread
 * that must not wait on a peer (runtime/CONCURRENCY.md).
 */
public final class FrameChannel implements Closeable {
    private static final int HEADER_AFTER_LENGTH = FrameFormat.HEADER_AFTER_LENGTH;
    private static final int BUFFER_BYTES = 64 * 1024;

    /** The largest body allocated whole before its bytes arrive: see {@link #readBody}. */
    static final int WHOLE_BODY_BYTES = 1 << 20;

    private final SocketChannel channel;

    /** Guarded by {@code writeLock}; always in write mode between writes. */
    private final ByteBuffer out =
            ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);

    private final ReentrantLock writeLock = new ReentrantLock();

    /** Where a non-blocking channel's reader waits for bytes; null while it blocks. */
    private volatile Selector readable;

    /** Where a non-blocking channel's writer waits for room, under {@code writeLock}. */
    private volatile Selector writable;

    /** Touched only by the reader thread; in read mode between reads. */
    private final ByteBuffer in =
            ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN).limit(0);

    public FrameChannel(SocketChannel channel) {
        this.channel = channel;
    }

    /** Sends one frame now. */
    public void write(Frame frame) throws IOException {
        writeLock.lock();
        try {
            append(frame);
            flush();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Puts the channel in non-blocking mode. Call once, before any other thread uses it; reads and
     * writes then wait in selectors instead of the socket.
     */
    public void makeNonBlocking() throws IOException {
        channel.configureBlocking(false);
        Selector forReads = Selector.open();
        Selector forWrites = Selector.open();
        channel.register(forReads, SelectionKey.OP_READ);
        channel.register(forWrites, SelectionKey.OP_WRITE);
        readable = forReads;
        writable = forWrites;
    }

    /**
     * Buffers a frame if it fits in what is buffered already and no other thread is writing; never
     * waits. False if it did not: nothing was buffered.
     */
    public boolean tryAppend(Frame frame) throws IOException {
        if (!writeLock.tryLock()) {
            return false;
        }
        try {
            boolean[] fits = {false};
            FrameFormat.encode(
                    frame,
                    (type, id, aux, body) -> {
                        if (out.remaining() >= Integer.BYTES + HEADER_AFTER_LENGTH + body.length) {
                            out.putInt(HEADER_AFTER_LENGTH + body.length)
                                    .put(type)
                                    .putLong(id)
                                    .putInt(aux)
                                    .put(body);
                            fits[0] = true;
                        }
                    });
            return fits[0];
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Writes what the socket takes now, of what is buffered, and keeps the rest for the next flush;
     * never waits. True if nothing is left buffered; false if some is, or another thread is
     * writing. Only for a non-blocking channel.
     */
    public boolean tryFlush() throws IOException {
        if (!writeLock.tryLock()) {
            return false;
        }
        try {
            out.flip();
            try {
                while (out.hasRemaining() && channel.write(out) > 0) {
                    // the socket took some: offer it the rest
                }
                return !out.hasRemaining();
            } finally {
                out.compact();
            }
        } finally {
            writeLock.unlock();
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
        // A body is allocated as its bytes arrive (readBody): a claim of 2 GiB costs nothing.
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
        return FrameFormat.decode(type, id, aux, readBody(length - HEADER_AFTER_LENGTH));
    }

    /** Writes out every appended frame. */
    public void flush() throws IOException {
        writeLock.lock();
        try {
            drain();
        } finally {
            writeLock.unlock();
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
        for (Selector selector : new Selector[] {readable, writable}) {
            if (selector != null) {
                selector.close(); // which wakes a thread waiting in it
            }
        }
    }

    /** Buffers one frame, draining the buffer whenever it fills. */
    private void put(byte type, long id, int aux, byte[] body) throws IOException {
        writeLock.lock();
        try {
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
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes out everything buffered, waiting for room; under {@code writeLock}. */
    private void drain() throws IOException {
        if (out.position() == 0) {
            return;
        }
        out.flip();
        try {
            while (out.hasRemaining()) {
                if (channel.write(out) == 0) {
                    await(writable);
                }
            }
        } finally {
            out.clear();
        }
    }

    /** Waits in a non-blocking channel's selector until the socket is ready. */
    private void await(Selector selector) throws IOException {
        if (selector == null) {
            return; // a blocking channel never returns 0 but for an empty buffer
        }
        if (!selector.isOpen() || !channel.isOpen()) {
            throw new ClosedChannelException();
        }
        try {
            selector.select(); // a closed peer makes the socket ready: the next call says so
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            throw new ClosedChannelException();
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
            if (n == 0) {
                await(readable);
            }
        }
    }

    /**
     * Reads a body of {@code size} bytes. One of up to {@link #WHOLE_BODY_BYTES} is allocated at
     * once; a larger one grows, doubling, as its bytes arrive, so a peer that claims more than it
     * sends makes this side allocate at most twice what it sent.
     */
    private byte[] readBody(int size) throws IOException {
        byte[] body = new byte[Math.min(size, WHOLE_BODY_BYTES)];
        int offset = readFully(body, 0);
        while (offset < size) {
            body = Arrays.copyOf(body, (int) Math.min(size, 2L * body.length));
            offset = readFully(body, offset);
        }
        return body;
    }

    /** Fills {@code body} from {@code offset} on; returns its length. */
    private int readFully(byte[] body, int offset) throws IOException {
        int buffered = Math.min(in.remaining(), body.length - offset);
        in.get(body, offset, buffered);
        offset += buffered;
        while (offset < body.length) {
            // Read in windows the size of our buffer: a large heap target would make the JDK
            // allocate a temporary direct buffer as large as the whole remainder.
            ByteBuffer window =
                    ByteBuffer.wrap(body, offset, Math.min(BUFFER_BYTES, body.length - offset));
            int n = channel.read(window);
            if (n < 0) {
                throw new EOFException("channel closed inside a frame");
            }
            if (n == 0) {
                await(readable);
            }
            offset += n;
        }
        return offset;
    }
}
