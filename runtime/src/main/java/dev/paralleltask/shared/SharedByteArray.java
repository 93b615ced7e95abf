package dev.paralleltask.shared;

import dev.paralleltask.runtime.internal.shared.SharedFile;

/**
 * An array of bytes in memory that the caller and its workers share: what one process sets, the
 * others get. Passing it to a task passes a handle; the worker maps the memory once and keeps it
 * mapped while the array is open. Lengths past 2<sup>31</sup> work.
 *
 * <p>{@link #get} and {@link #set} are plain accesses, as on a {@code byte[]}: what one process
 * sets is seen by another once they synchronize, through a {@link SharedLock}, a {@link
 * SharedEvent}, a {@link SharedQueue}, or a call's start and answer.
 */
public final class SharedByteArray extends SharedArray {
    private static final long serialVersionUID = 1L;
    static final int KIND = 3;

    SharedByteArray(SharedFile file) {
        super(file, 1);
    }

    /**
     * A new array of {@code length} zeros.
     *
     * @throws IllegalArgumentException if the length is negative, or more than the shared-memory
     *     file system ({@code /dev/shm}) has room for
     */
    public static SharedByteArray allocate(long length) {
        return new SharedByteArray(allocate(KIND, "SharedByteArray", length, 1));
    }

    @Override
    int kind() {
        return KIND;
    }

    public byte get(long index) {
        long at = offset(index);
        return file.segment(at).get(SharedFile.inSegment(at));
    }

    public void set(long index, byte value) {
        long at = offset(index);
        file.segment(at).put(SharedFile.inSegment(at), value);
    }

    /** Copies {@code count} elements from {@code index} into {@code dst} at {@code dstOffset}. */
    public void get(long index, byte[] dst, int dstOffset, int count) {
        copy(index, dst.length, dstOffset, count, (p, from, n) -> p.get(0, dst, from, n));
    }

    /** Copies {@code count} elements of {@code src} from {@code srcOffset} to {@code index} on. */
    public void set(long index, byte[] src, int srcOffset, int count) {
        copy(index, src.length, srcOffset, count, (p, from, n) -> p.put(0, src, from, n));
    }
}
