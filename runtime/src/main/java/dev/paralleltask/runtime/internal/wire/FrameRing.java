package dev.paralleltask.runtime.internal.wire;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.concurrent.locks.LockSupport;

/**
 * Frames from one producer to one consumer through a file that both map, each in its own process.
 * Publishing a frame is a few stores to memory, with no system call, and a published frame stays
 * readable after its producer dies: it lives in the file's pages, which the consumer's mapping
 * keeps. Frames are laid out as {@link FrameFormat} says; one larger than {@link #MAX_FRAME_BYTES}
 * must travel another way.
 *
 * <p>The ring does not wake its consumer. A consumer that runs out of frames and waits elsewhere
 * says so with {@link #sleep}; the producer learns from {@link #takeWakeUp} that it must wake it
 * (the pool's socket carries a {@link Frame.Doorbell}).
 *
 * <p>Layout: the producer's position at byte 0, the consumer's at 64, the consumer's sleeping flag
 * at 128 (each on its own cache line), then {@link #CAPACITY} bytes of records. Positions count
 * bytes and only grow. A record is a frame padded to 8 bytes and never split by the end of the
 * data: where the next record would not fit, the producer writes {@link #WRAP} in place of a length
 * and starts again at the beginning.
 */
public final class FrameRing {
    /**
     * Bytes of records; a power of two. Small on purpose: a dead worker's ring is freed only when
     * the pool's mapping of it is collected.
     */
    static final int CAPACITY = 64 * 1024;

    /**
     * The largest frame, after its length field, that the ring carries. A call's answer is usually
     * a few dozen bytes, so the 256 answers a worker may owe its pool fit many times over; a
     * producer that finds no room waits for the consumer.
     */
    public static final int MAX_FRAME_BYTES = 1024;

    private static final int PUBLISHED = 0;
    private static final int CONSUMED = 64;
    private static final int SLEEPING = 128;
    private static final int DATA = 192;
    private static final int WRAP = -1;
    private static final VarHandle LONGS =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final MappedByteBuffer memory;

    /**
     * The producer's position; written only by the producer, under whatever lock makes it one;
     * volatile so that {@link #awaitRoom} may read it without that lock.
     */
    private volatile long published;

    /** The consumer's position; touched only by the consumer. */
    private long consumed;

    private FrameRing(MappedByteBuffer memory) {
        this.memory = memory;
        memory.order(ByteOrder.nativeOrder());
    }

    /**
     * Creates the ring's file, which must not exist, readable by this user only, and maps it. The
     * file is written in full first, so a full file system fails here, with an IOException, not
     * later with a fault in a mapped page.
     */
    public static FrameRing create(Path file) throws IOException {
        try (FileChannel channel =
                FileChannel.open(
                        file,
                        EnumSet.of(
                                StandardOpenOption.CREATE_NEW,
                                StandardOpenOption.READ,
                                StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer zeros = ByteBuffer.allocate(DATA + CAPACITY);
            while (zeros.hasRemaining()) {
                channel.write(zeros, zeros.position());
            }
            return new FrameRing(channel.map(FileChannel.MapMode.READ_WRITE, 0, DATA + CAPACITY));
        }
    }

    /** Maps a ring that {@link #create} made, in another process. */
    public static FrameRing open(Path file) throws IOException {
        try (FileChannel channel =
                FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (channel.size() != DATA + CAPACITY) {
                throw new IOException(
                        file
                                + " is not a paralleltask ring: "
                                + channel.size()
                                + " bytes, not "
                                + (DATA + CAPACITY));
            }
            return new FrameRing(channel.map(FileChannel.MapMode.READ_WRITE, 0, DATA + CAPACITY));
        }
    }

    // ---- Producer ----

    /** What {@link #tryOffer} did. */
    public enum Offer {
        /** The frame is published. */
        PUBLISHED,
        /** Not enough room now: nothing is published; {@link #awaitRoom} and try again. */
        NO_ROOM,
        /** The frame is larger than {@link #MAX_FRAME_BYTES}: it must travel another way. */
        TOO_LARGE
    }

    /**
     * Publishes a frame if it fits with {@code keepFree} bytes to spare, without waiting. Those who
     * must never wait for the consumer publish with {@code keepFree} 0 into room that the others
     * left free (see {@link AnswerChannel}).
     */
    public Offer tryOffer(Frame frame, int keepFree) throws IOException {
        Offer[] offer = {null};
        FrameFormat.encode(
                frame, (type, id, aux, body) -> offer[0] = put(type, id, aux, body, keepFree));
        return offer[0];
    }

    /**
     * Publishes a frame, waiting for room if the consumer is that far behind. Returns false, and
     * publishes nothing, when the frame is larger than {@link #MAX_FRAME_BYTES}.
     */
    public boolean offer(Frame frame) throws IOException {
        while (true) {
            switch (tryOffer(frame, 0)) {
                case PUBLISHED:
                    return true;
                case TOO_LARGE:
                    return false;
                default:
                    awaitRoom(roomFor(MAX_FRAME_BYTES));
            }
        }
    }

    /**
     * Waits until the consumer has left {@code bytes} of room, spinning briefly and then parking.
     * Touches nothing the producer owns, so it may wait outside the producer's lock.
     */
    public void awaitRoom(int bytes) {
        for (int spins = 0; free() < bytes; spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(50_000);
            }
        }
    }

    /** The bytes a record of a frame with this body takes at most, a wrap included. */
    public static int roomFor(int bodyBytes) {
        return 2 * align(Integer.BYTES + FrameFormat.HEADER_AFTER_LENGTH + bodyBytes);
    }

    /**
     * Whether the consumer went to sleep and nobody has woken it yet; if so the caller must wake
     * it. Call after {@link #tryOffer}.
     */
    public boolean takeWakeUp() {
        return (int) INTS.getVolatile(memory, SLEEPING) == 1
                && INTS.compareAndSet(memory, SLEEPING, 1, 0);
    }

    private long free() {
        return CAPACITY - (published - (long) LONGS.getAcquire(memory, CONSUMED));
    }

    private Offer put(byte type, long id, int aux, byte[] body, int keepFree) {
        int length = FrameFormat.HEADER_AFTER_LENGTH + body.length;
        if (length > MAX_FRAME_BYTES) {
            return Offer.TOO_LARGE;
        }
        int record = align(Integer.BYTES + length);
        int index = index(published);
        int skip = index + record > CAPACITY ? CAPACITY - index : 0;
        if (free() < (long) skip + record + keepFree) {
            return Offer.NO_ROOM;
        }
        if (skip > 0) {
            memory.putInt(DATA + index, WRAP);
            index = 0;
        }
        int at = DATA + index;
        memory.putInt(at, length)
                .put(at + 4, type)
                .putLong(at + 5, id)
                .putInt(at + 13, aux)
                .put(at + 17, body);
        // Volatile, not just release: the store must be seen before takeWakeUp reads the flag.
        published += skip + record;
        LONGS.setVolatile(memory, PUBLISHED, published);
        return Offer.PUBLISHED;
    }

    // ---- Consumer ----

    /**
     * The next published frame, or null if there is none now.
     *
     * @throws ProtocolException when the ring holds something that is not a frame; a {@link
     *     WireLimitException} when a record claims more than was published
     */
    public Frame poll() throws IOException {
        long published = (long) LONGS.getAcquire(memory, PUBLISHED);
        if (published == consumed) {
            return null;
        }
        int index = index(consumed);
        int length = memory.getInt(DATA + index);
        if (length == WRAP) {
            consumed += CAPACITY - index;
            index = 0;
            length = memory.getInt(DATA);
        }
        if (length < FrameFormat.HEADER_AFTER_LENGTH
                || length > MAX_FRAME_BYTES
                || index + Integer.BYTES + length > CAPACITY
                || consumed + Integer.BYTES + length > published) {
            throw new WireLimitException(
                    "ring record of "
                            + length
                            + " bytes at position "
                            + consumed
                            + ", of "
                            + (published - consumed)
                            + " bytes published");
        }
        int at = DATA + index;
        byte type = memory.get(at + 4);
        long id = memory.getLong(at + 5);
        int aux = memory.getInt(at + 13);
        byte[] body = new byte[length - FrameFormat.HEADER_AFTER_LENGTH];
        memory.get(at + 17, body);
        consumed += align(Integer.BYTES + length);
        LONGS.setRelease(memory, CONSUMED, consumed);
        return FrameFormat.decode(type, id, aux, body);
    }

    /**
     * Says the consumer is about to wait elsewhere for a wake-up. Returns false, and takes that
     * back, when a frame was published meanwhile: poll instead of waiting. A wake-up may still come
     * after a false; it is harmless.
     */
    public boolean sleep() {
        INTS.setVolatile(memory, SLEEPING, 1);
        if ((long) LONGS.getVolatile(memory, PUBLISHED) == consumed) {
            return true;
        }
        INTS.compareAndSet(memory, SLEEPING, 1, 0);
        return false;
    }

    private static int index(long position) {
        return (int) (position & (CAPACITY - 1));
    }

    private static int align(int bytes) {
        return (bytes + 7) & ~7;
    }
}
