package dev.paralleltask.runtime.internal.shared;

import dev.paralleltask.runtime.internal.wire.WireLimitException;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Large {@code byte[]}, {@code int[]}, {@code long[]} and {@code double[]} values cross between
 * processes through shared memory rather than the socket: the sender writes the elements into a
 * file of the {@link SharedDirectory} in {@code /dev/shm}, a megabyte per system call, the value's
 * bytes name the file, and the receiver maps it and copies the elements out. A file that is done
 * with becomes a spare whose pages the next large value reuses ({@link #discard}); the 100 MiB echo
 * is in the README's Performance table.
 *
 * <p>A call's files are given up by its pool once the call is done (a call may be sent again, to
 * another worker, when its worker dies); a result's or a queue element's by whoever reads it. One
 * that is never read (a result whose call was cancelled meanwhile) stays until the family's
 * directory goes, when its first process exits.
 */
public final class LargeArrays {
    /** Arrays of at least this many bytes go through a file. */
    public static final int THRESHOLD = 1 << 20;

    private static final String PREFIX = "array-";

    /**
     * The files this process writes are named {@code array-<pid>-...}: see {@link #removeAllOf}.
     */
    private static final String OWN_PREFIX = PREFIX + ProcessHandle.current().pid() + "-";

    /**
     * Removes the files that process {@code pid} wrote and nobody read: once a worker has exited
     * and its pool has read all it answered, what is left (a result whose answer it never sent, as
     * it was killed) is nobody's.
     */
    public static void removeAllOf(long pid) {
        try (DirectoryStream<Path> left =
                Files.newDirectoryStream(SharedDirectory.get(), PREFIX + pid + "-*")) {
            for (Path file : left) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | UncheckedIOException e) {
            // The family's directory goes when its first process exits.
        }
    }

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
        Path file = newFile();
        ByteBuffer chunk = CHUNK.get();
        int perChunk = chunk.capacity() / width;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate((long) length * width); // a spare may have been larger
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
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() != size) { // before anything is allocated for the claim
                throw new WireLimitException(
                        path + " holds " + channel.size() + " bytes, not the " + size + " claimed");
            }
            Object array = java.lang.reflect.Array.newInstance(type.getComponentType(), length);
            for (long at = 0; at < size; at += SharedFile.SEGMENT_BYTES) {
                int n = (int) Math.min(SharedFile.SEGMENT_BYTES, size - at);
                copy(
                        channel.map(FileChannel.MapMode.READ_ONLY, at, n),
                        array,
                        (int) (at / width),
                        n / width,
                        false);
            }
            return array;
        } catch (InternalError e) { // the file shrank under its mapping: a fault, not a crash
            throw new WireLimitException(path + " was cut short while it was read");
        } finally {
            if (remove) {
                discard(file);
            }
        }
    }

    /**
     * Done with a file: it becomes one of the family's spares, whose pages the next large value
     * written reuses (filling a new file's pages costs three times the copy), or is removed when
     * there are spares enough. A spare unused for {@value #SPARE_MILLIS} ms is removed.
     */
    public static void discard(Path file) {
        try {
            Path dir = file.getParent();
            if (Files.size(file) <= MAX_SPARE_BYTES && spares(dir) < MAX_SPARES) {
                Path spare = Files.createTempFile(dir, SPARE, ".bin", OWNER_ONLY);
                Files.move(
                        file,
                        spare,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                Files.setLastModifiedTime(spare, FileTime.fromMillis(System.currentTimeMillis()));
                sweepLater(dir);
                return;
            }
            Files.deleteIfExists(file);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException again) {
                // the family's directory goes when its first process exits
            }
        }
    }

    /** A file to write a value into, with a spare's pages if one can be had. */
    private static Path newFile() throws IOException {
        Path dir = SharedDirectory.get();
        Path file = Files.createTempFile(dir, OWN_PREFIX, ".bin", OWNER_ONLY);
        try (DirectoryStream<Path> spares = Files.newDirectoryStream(dir, SPARE + "*")) {
            for (Path spare : spares) {
                try {
                    Files.move(
                            spare,
                            file,
                            StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                    return file;
                } catch (NoSuchFileException e) {
                    // another thread or process took it: try the next
                }
            }
        }
        return file;
    }

    private static int spares(Path dir) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> spares = Files.newDirectoryStream(dir, SPARE + "*")) {
            for (Path ignored : spares) {
                n++;
            }
        }
        return n;
    }

    /** Removes, in a while, the spares that are old by then; again while any are left. */
    private static void sweepLater(Path dir) {
        if (SWEEP_PENDING.compareAndSet(false, true)) {
            CompletableFuture.delayedExecutor(SPARE_MILLIS, TimeUnit.MILLISECONDS, SWEEPER)
                    .execute(() -> sweep(dir));
        }
    }

    private static void sweep(Path dir) {
        SWEEP_PENDING.set(false);
        boolean left = false;
        long old = System.currentTimeMillis() - SPARE_MILLIS;
        try (DirectoryStream<Path> spares = Files.newDirectoryStream(dir, SPARE + "*")) {
            for (Path spare : spares) {
                try {
                    if (Files.getLastModifiedTime(spare).toMillis() <= old) {
                        Files.deleteIfExists(spare);
                    } else {
                        left = true;
                    }
                } catch (IOException e) {
                    // taken meanwhile
                }
            }
        } catch (IOException e) {
            return; // the directory is gone
        }
        if (left) {
            sweepLater(dir);
        }
    }

    private static final String SPARE = "spare-";
    private static final int MAX_SPARES = 4;
    private static final long MAX_SPARE_BYTES = 256L << 20;
    static final long SPARE_MILLIS = 5_000;

    private static final FileAttribute<?> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private static final AtomicBoolean SWEEP_PENDING = new AtomicBoolean();

    /** Runs the sweeps, on a daemon thread: a JVM exits whatever spares are left. */
    private static final Executor SWEEPER =
            task -> {
                Thread t = new Thread(task, "paralleltask-spare-sweeper");
                t.setDaemon(true);
                t.start();
            };

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
