package dev.paralleltask.runtime.internal.shared;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * This process's mappings of the large-array files it uses again and again. A large value's file is
 * a spare afterwards, and the next value takes a spare, so a few files go round between a caller
 * and its workers; a process that maps a file once and keeps the mapping copies through it at
 * memory speed from then on, where each fresh mapping first takes a page fault for every page (on a
 * virtual machine, more than the copy itself) and a read or write through the kernel copies twice.
 *
 * <p>A file is mapped the second time this process uses it, so that a value sent once never pays
 * for the faults; until then, and for files larger than {@link #MAX_FILE_BYTES}, {@link
 * LargeArrays} reads and writes through the kernel. A file is known by its key (device and inode):
 * a mapping holds its inode, so the key cannot name another file while it is kept. A file removed
 * is cut to nothing first ({@link LargeArrays#remove}), so a mapping kept here of a removed file
 * holds no memory, only its address range, until it is evicted.
 *
 * <p>A mapping is used only by the thread that holds its file (the one that took it as a spare to
 * write, or was handed it to read), or by readers of a file nobody writes ({@code SharedValue});
 * each gets a slice of its own.
 */
final class ArrayMappings {
    /** Files larger than this are never spares, so are not mapped to be used again. */
    static final long MAX_FILE_BYTES = LargeArrays.MAX_SPARE_BYTES;

    /** The files this process remembers, mapped or seen once. */
    private static final int MAX_FILES = 16;

    /** Address space kept mapped, at most. */
    private static final long MAX_MAPPED_BYTES = 1L << 30;

    private static final class Known {
        MappedByteBuffer mapping; // null: seen once
    }

    /** By file key, least recently used first. */
    private static final Map<Object, Known> KNOWN = new LinkedHashMap<>(32, 0.75f, true);

    private static long mappedBytes;

    private ArrayMappings() {}

    /**
     * The first {@code bytes} of the file open in {@code channel} at {@code file}, mapped, if this
     * process has used the file before; otherwise null, and the file is remembered. The file must
     * already hold at least {@code bytes}.
     */
    static ByteBuffer reuse(Path file, FileChannel channel, long bytes) throws IOException {
        long size = channel.size();
        if (size > MAX_FILE_BYTES || bytes > size) {
            return null;
        }
        Object key =
                Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .fileKey();
        if (key == null) {
            return null; // a file system that does not say
        }
        MappedByteBuffer mapping;
        synchronized (KNOWN) {
            Known known = KNOWN.get(key);
            if (known == null) {
                KNOWN.put(key, new Known());
                evict();
                return null;
            }
            mapping = known.mapping;
            if (mapping == null || mapping.capacity() < bytes) {
                if (mapping != null) {
                    mappedBytes -= mapping.capacity();
                }
                // the whole file: the next value through it may be larger than this one
                mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
                known.mapping = mapping;
                mappedBytes += size;
                evict();
            }
        }
        return mapping.slice(0, (int) bytes);
    }

    /** Forgets the least recently used files while too many are remembered or mapped. */
    private static void evict() {
        Iterator<Known> oldest = KNOWN.values().iterator();
        while ((KNOWN.size() > MAX_FILES || mappedBytes > MAX_MAPPED_BYTES) && oldest.hasNext()) {
            Known known = oldest.next();
            if (known.mapping != null) {
                mappedBytes -= known.mapping.capacity();
            }
            oldest.remove(); // its mapping goes when the collector finds it unreachable
        }
    }
}
