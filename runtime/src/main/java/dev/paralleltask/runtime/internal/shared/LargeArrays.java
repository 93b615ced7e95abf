package dev.paralleltask.runtime.internal.shared;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Large {@code byte[]}, {@code int[]}, {@code long[]} and {@code double[]} values cross between
 * processes through shared memory rather than the socket: the sender copies the elements into a
 * file of the {@link SharedDirectory} in {@code /dev/shm}, the value's bytes name the file, and the
 * receiver maps it, removes it and copies the elements out. One copy on each side, no system call
 * per byte; the 100 MiB echo is in the README's Performance table.
 *
 * <p>A call's files are removed by its pool once the call is done (a call may be sent again, to
 * another worker, when its worker dies); a result's or a queue element's by whoever reads it. One
 * that is never read (a result whose call was cancelled meanwhile) stays until the family's
 * directory goes, when its first process exits.
 */
public final class LargeArrays {
    /** Arrays of at least this many bytes go through a file. */
    public static final int THRESHOLD = 1 << 20;

    private static final String PREFIX = "array-";

    private LargeArrays() {}

    /** Whether an array of {@code bytes} goes through a file from this thread now. */
    public static boolean fits(long bytes) {
        return bytes >= THRESHOLD && Locality.destination() == null && SharedDirectory.inMemory();
    }

    /**
     * Copies the elements of {@code array} into a new file, and returns the file. Written, not
     * mapped: the pages of a new file cost less when the kernel fills them than when each write to
     * a mapping faults one in (43 against 70 ms for 100 MiB here).
     */
    public static Path write(Object array) throws IOException {
        int width = width(array.getClass());
        int length = java.lang.reflect.Array.getLength(array);
        Path file =
                Files.createTempFile(
                        SharedDirectory.get(),
                        PREFIX,
                        ".bin",
                        PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rw-------")));
        ByteBuffer chunk = CHUNK.get();
        int perChunk = chunk.capacity() / width;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (int from = 0; from < length; from += perChunk) {
                int n = Math.min(perChunk, length - from);
                chunk.clear().limit(n * width);
                copy(chunk, array, from, n, true);
                chunk.position(0).limit(n * width);
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return file;
    }

    /** Each thread's buffer between an array and a file it writes. */
    private static final ThreadLocal<ByteBuffer> CHUNK =
            ThreadLocal.withInitial(
                    () -> ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.nativeOrder()));

    /**
     * Reads an array of {@code length} elements of {@code type} ({@code byte[].class} and the like)
     * from the file a sender wrote, and removes it.
     *
     * @throws InvalidObjectException if the file is not such a file of this user's family, or has
     *     another size
     */
    public static Object read(String path, Class<?> type, int length, boolean remove)
            throws IOException {
        Path file = Path.of(path);
        if (!file.isAbsolute()
                || !file.getFileName().toString().startsWith(PREFIX)
                || !SharedDirectory.isSharedDirectory(file.getParent())
                || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidObjectException(path + " is not an array in shared memory");
        }
        int width = width(type);
        long size = (long) length * width;
        Object array = java.lang.reflect.Array.newInstance(type.getComponentType(), length);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() != size) {
                throw new InvalidObjectException(
                        path + " holds " + channel.size() + " bytes, not " + size);
            }
            for (long at = 0; at < size; at += SharedFile.SEGMENT_BYTES) {
                int n = (int) Math.min(SharedFile.SEGMENT_BYTES, size - at);
                copy(
                        channel.map(FileChannel.MapMode.READ_ONLY, at, n),
                        array,
                        (int) (at / width),
                        n / width,
                        false);
            }
        } finally {
            if (remove) {
                Files.deleteIfExists(file);
            }
        }
        return array;
    }

    /** Removes a file written for a value that will not be sent after all. */
    public static void discard(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // the family's directory goes when its first process exits
        }
    }

    /** The bytes of one element of an array of {@code type}; 0 if it does not go through files. */
    public static int width(Class<?> type) {
        if (type == byte[].class) {
            return Byte.BYTES;
        } else if (type == int[].class) {
            return Integer.BYTES;
        } else if (type == long[].class) {
            return Long.BYTES;
        } else if (type == double[].class) {
            return Double.BYTES;
        }
        return 0;
    }

    /**
     * Copies {@code n} elements from {@code from} on between {@code array} and {@code buffer}, from
     * its position on.
     */
    private static void copy(ByteBuffer buffer, Object array, int from, int n, boolean toFile) {
        ByteBuffer file = buffer.order(ByteOrder.nativeOrder());
        if (array instanceof byte[] a) {
            if (toFile) {
                file.put(a, from, n);
            } else {
                file.get(a, from, n);
            }
        } else if (array instanceof int[] a) {
            if (toFile) {
                file.asIntBuffer().put(a, from, n);
            } else {
                file.asIntBuffer().get(a, from, n);
            }
        } else if (array instanceof long[] a) {
            if (toFile) {
                file.asLongBuffer().put(a, from, n);
            } else {
                file.asLongBuffer().get(a, from, n);
            }
        } else {
            double[] a = (double[]) array;
            if (toFile) {
                file.asDoubleBuffer().put(a, from, n);
            } else {
                file.asDoubleBuffer().get(a, from, n);
            }
        }
    }
}
