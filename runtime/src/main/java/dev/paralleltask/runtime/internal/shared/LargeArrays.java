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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Large {@code byte[]}, {@code int[]}, {@code long[]} and {@code double[]} values cross between
 * processes through shared memory rather than the socket: the sender copies the elements into a
 * file of the {@link SharedDirectory} in {@code /dev/shm}, the value's bytes name the file, and the
 * receiver copies them out. A file that is done with becomes a spare whose pages the next large
 * value reuses ({@link #discard}), and a process that uses a file again copies through its own
 * mapping of it ({@link ArrayMappings}): the pages are allocated and mapped once, not per value.
 * The 100 MiB echo is in the README's Performance table.
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
                remove(file);
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
     * Copies the elements of {@code array} into a file, and returns the file: a spare if there is
     * one, whose pages are in place, through this process's mapping of it if it has used the file
     * before ({@link ArrayMappings}); otherwise written through the kernel, which costs less than
     * faulting in a fresh mapping page by page.
     */
    public static Path write(Object array) throws IOException {
        int width = width(array.getClass());
        int length = java.lang.reflect.Array.getLength(array);
        long bytes = (long) length * width;
        Path file = newFile();
        try (FileChannel channel = FileChannel.open(file, READ_WRITE)) {
            if (channel.size() > 2 * bytes) {
                channel.truncate(bytes); // a spare much larger than needed gives its pages back
            }
            ByteBuffer mapped = ArrayMappings.reuse(file, channel, bytes); // null if it is short
            if (mapped != null) {
                copy(mapped, array, 0, length, true);
                return file;
            }
            ByteBuffer chunk = CHUNK.get();
            int perChunk = chunk.capacity() / width;
            for (int from = 0; from < length; from += perChunk) {
                int n = Math.min(perChunk, length - from);
                chunk.clear().limit(n * width);
                copy(chunk, array, from, n, true);
                chunk.position(0).limit(n * width);
                long at = (long) from * width;
                while (chunk.hasRemaining()) {
                    channel.write(chunk, at + chunk.position());
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            remove(file);
            throw e;
        }
        return file;
    }

    private static final Set<StandardOpenOption> READ_WRITE =
            Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE);

    /** Each thread's buffer between an array and a file it writes. */
    private static final ThreadLocal<ByteBuffer> CHUNK =
            ThreadLocal.withInitial(
                    () -> ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.nativeOrder()));

    /**
     * Reads an array of {@code length} elements of {@code type} ({@code byte[].class} and the like)
     * from the file a sender wrote, and lets it go unless {@code remove} is false. The file may be
     * larger than the array: a spare keeps its pages.
     *
     * @throws InvalidObjectException if the file is not such a file of this user's family, or holds
     *     less than the array
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
        try (FileChannel channel = FileChannel.open(file, READ_WRITE)) {
            if (channel.size() < size) { // before anything is allocated for the claim
                throw new WireLimitException(
                        path + " holds " + channel.size() + " bytes, not the " + size + " claimed");
            }
            Object array = java.lang.reflect.Array.newInstance(type.getComponentType(), length);
            ByteBuffer mapped = ArrayMappings.reuse(file, channel, size);
            if (mapped != null) {
                copy(mapped, array, 0, length, false);
                return array;
            }
            ByteBuffer chunk = CHUNK.get();
            int perChunk = chunk.capacity() / width;
            for (int from = 0; from < length; from += perChunk) {
                int n = Math.min(perChunk, length - from);
                chunk.clear().limit(n * width);
                long at = (long) from * width;
                while (chunk.hasRemaining()) {
                    if (channel.read(chunk, at + chunk.position()) < 0) {
                        throw new WireLimitException(path + " was cut short while it was read");
                    }
                }
                copy(chunk.flip(), array, from, n, false);
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
        } catch (IOException e) {
            // removed below
        }
        remove(file);
    }

    /**
     * Removes a file this thread holds, cutting it to nothing first: a process may keep a mapping
     * of it ({@link ArrayMappings}), and its pages would stay until that mapping went.
     */
    static void remove(Path file) {
        try {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(0);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // gone already, or the family's directory goes when its first process exits
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
                    if (Files.getLastModifiedTime(spare).toMillis() > old) {
                        left = true;
                        continue;
                    }
                    // taken from the others first, as a write takes one
                    Path doomed = Files.createTempFile(dir, OWN_PREFIX, ".bin", OWNER_ONLY);
                    try {
                        Files.move(
                                spare,
                                doomed,
                                StandardCopyOption.ATOMIC_MOVE,
                                StandardCopyOption.REPLACE_EXISTING);
                    } finally {
                        remove(doomed);
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
    static final long MAX_SPARE_BYTES = 256L << 20;
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
