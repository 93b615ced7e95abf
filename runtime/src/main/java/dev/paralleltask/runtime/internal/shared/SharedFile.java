package dev.paralleltask.runtime.internal.shared;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One shared object's memory: a file in the {@link SharedDirectory}, mapped into every process that
 * uses the object, read and written through {@link VarHandle}s, so atomic operations are atomic
 * across processes.
 *
 * <p>Layout: a header page, then the object's data. The header holds a magic number, the object's
 * kind, whether it was closed, its length, a few words the object uses (each on a cache line of its
 * own), and the slots of its {@link Doorbell}. The data is mapped in pieces of {@value
 * #SEGMENT_BYTES} bytes, so data past 2 GiB works on every JDK; an element never straddles two
 * pieces.
 */
public final class SharedFile {
    public static final int HEADER_BYTES = 4096;

    /** The first of the words an object may use: {@link #word}(0) is here, each 64 bytes on. */
    private static final int WORDS_AT = 64;

    /** The header's last two cache lines are the object's {@link Doorbell}'s slots. */
    public static final int MAX_WORDS = (HEADER_BYTES - WORDS_AT) / 64 - 2;

    static final int DOORBELL_AT = WORDS_AT + 64 * MAX_WORDS;

    static final int SEGMENT_BYTES = 1 << 30;

    private static final long MAGIC = 0x50_54_53_48_41_52_45_44L; // "PTSHARED"
    private static final int KIND_AT = 8;
    private static final int CLOSED_AT = 12;
    private static final int LENGTH_AT = 16;

    public static final VarHandle LONGS =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    public static final VarHandle INTS =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    public static final VarHandle DOUBLES =
            MethodHandles.byteBufferViewVarHandle(double[].class, ByteOrder.nativeOrder());

    private final Path path;
    private final MappedByteBuffer header;
    private final ByteBuffer[] segments;
    private final long dataBytes;

    private SharedFile(Path path, MappedByteBuffer header, ByteBuffer[] segments, long dataBytes) {
        this.path = path;
        this.header = header;
        this.segments = segments;
        this.dataBytes = dataBytes;
    }

    /**
     * Makes a new object's file with {@code dataBytes} of zeroed data.
     *
     * @param what the object, for messages: "SharedLongArray of 10 elements"
     * @throws IllegalArgumentException if the directory's file system has not that much room
     */
    public static SharedFile create(int kind, long length, long dataBytes, String what) {
        Path dir = SharedDirectory.get();
        try {
            long free = Files.getFileStore(dir).getUsableSpace();
            if (dataBytes > free) {
                throw new IllegalArgumentException(
                        "cannot allocate "
                                + what
                                + ": it takes "
                                + dataBytes
                                + " bytes and "
                                + dir.getParent()
                                + " has "
                                + free
                                + " free");
            }
            Path path =
                    Files.createTempFile(
                            dir,
                            "object-",
                            ".shm",
                            PosixFilePermissions.asFileAttribute(
                                    PosixFilePermissions.fromString("rw-------")));
            SharedFile file = map(path, HEADER_BYTES + dataBytes);
            file.header.putInt(KIND_AT, kind);
            file.header.putLong(LENGTH_AT, length);
            LONGS.setRelease(file.header, 0, MAGIC); // last: a file with its magic is complete
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot allocate " + what + ": " + e.getMessage(), e);
        }
    }

    /**
     * Maps an existing object's file, as a handle names it.
     *
     * @throws InvalidObjectException if it is not a shared object of this user of that kind, or it
     *     was closed
     */
    public static SharedFile open(Path path, int kind, String what) throws InvalidObjectException {
        Path dir = path.getParent();
        if (!path.isAbsolute() || !SharedDirectory.isSharedDirectory(dir)) {
            throw new InvalidObjectException(
                    what + " " + path + " is not in a directory of shared objects of this user");
        }
        try {
            if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                throw new NoSuchFileException(path.toString());
            }
            long size = Files.size(path);
            if (size < HEADER_BYTES) {
                throw new InvalidObjectException(what + " " + path + " is not a shared object");
            }
            SharedFile file = map(path, size);
            if ((long) LONGS.getAcquire(file.header, 0) != MAGIC
                    || file.header.getInt(KIND_AT) != kind) {
                throw new InvalidObjectException(what + " " + path + " is not a " + what);
            }
            if (file.isClosed()) {
                throw new NoSuchFileException(path.toString());
            }
            return file;
        } catch (NoSuchFileException e) {
            throw new InvalidObjectException(
                    what + " " + path + " was closed before it arrived here");
        } catch (IOException e) {
            InvalidObjectException failure =
                    new InvalidObjectException("cannot map " + what + " " + path + ": " + e);
            failure.initCause(e);
            throw failure;
        }
    }

    private static SharedFile map(Path path, long size) throws IOException {
        try (FileChannel channel =
                FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (channel.size() < size) {
                channel.write(ByteBuffer.allocate(1), size - 1); // sparse: pages come when touched
            }
            MappedByteBuffer header = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER_BYTES);
            long dataBytes = size - HEADER_BYTES;
            int n = (int) ((dataBytes + SEGMENT_BYTES - 1) / SEGMENT_BYTES);
            ByteBuffer[] segments = new ByteBuffer[n];
            for (int i = 0; i < n; i++) {
                long at = (long) i * SEGMENT_BYTES;
                segments[i] =
                        channel.map(
                                        FileChannel.MapMode.READ_WRITE,
                                        HEADER_BYTES + at,
                                        Math.min(SEGMENT_BYTES, dataBytes - at))
                                .order(ByteOrder.nativeOrder());
            }
            return new SharedFile(path, header, segments, dataBytes);
        }
    }

    public Path path() {
        return path;
    }

    /** The length the object was made with. */
    public long length() {
        return header.getLong(LENGTH_AT);
    }

    public long dataBytes() {
        return dataBytes;
    }

    public boolean isClosed() {
        return (int) INTS.getOpaque(header, CLOSED_AT) != 0;
    }

    /**
     * Marks the object closed for every process and removes its file; the memory goes once no
     * process maps it. Returns false if it was closed already.
     */
    public boolean close() {
        if ((int) INTS.getAndSet(header, CLOSED_AT, 1) != 0) {
            return false;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // the family's directory goes when its first process exits
        }
        return true;
    }

    /** The header buffer and the byte offset of word {@code i}, for {@link #LONGS} and the like. */
    public ByteBuffer header() {
        return header;
    }

    public static int word(int i) {
        if (i < 0 || i >= MAX_WORDS) {
            throw new IndexOutOfBoundsException(i);
        }
        return WORDS_AT + 64 * i;
    }

    /** The piece of data that holds byte {@code offset}. */
    public ByteBuffer segment(long offset) {
        return segments[(int) (offset >>> 30)];
    }

    /** Where byte {@code offset} is inside its {@link #segment}. */
    public static int inSegment(long offset) {
        return (int) (offset & (SEGMENT_BYTES - 1));
    }
}
