package dev.paralleltask.shared;

import static dev.paralleltask.runtime.internal.shared.SharedFile.LONGS;

import dev.paralleltask.runtime.internal.shared.SharedFile;

/**
 * An array of {@code long}s in memory that the caller and its workers share: what one process sets,
 * the others get, and {@link #getAndAdd} and {@link #compareAndSet} are atomic across all of them.
 * Passing it to a task passes a handle; the worker maps the memory once and keeps it mapped while
 * the array is open. Lengths past 2<sup>31</sup> work.
 *
 * <p>{@link #get} and {@link #set} are plain accesses, as on a {@code long[]}: what one process
 * sets is seen by another once they synchronize, through a {@link SharedLock}, a {@link
 * SharedEvent}, a {@link SharedQueue}, the atomic methods here, or a call's start and answer.
 */
public final class SharedLongArray extends SharedArray {
    private static final long serialVersionUID = 1L;
    static final int KIND = 1;

    SharedLongArray(SharedFile file) {
        super(file, Long.BYTES);
    }

    /**
     * A new array of {@code length} zeros.
     *
     * @throws IllegalArgumentException if the length is negative, or more than the shared-memory
     *     file system ({@code /dev/shm}) has room for
     */
    public static SharedLongArray allocate(long length) {
        return new SharedLongArray(allocate(KIND, "SharedLongArray", length, Long.BYTES));
    }

    @Override
    int kind() {
        return KIND;
    }

    public long get(long index) {
        long at = offset(index);
        return (long) LONGS.get(file.segment(at), SharedFile.inSegment(at));
    }

    public void set(long index, long value) {
        long at = offset(index);
        LONGS.set(file.segment(at), SharedFile.inSegment(at), value);
    }

    /** Adds {@code delta} to element {@code index} atomically; returns the value before. */
    public long getAndAdd(long index, long delta) {
        long at = offset(index);
        return (long) LONGS.getAndAdd(file.segment(at), SharedFile.inSegment(at), delta);
    }

    /** Sets element {@code index} to {@code newValue} if it is {@code expected}, atomically. */
    public boolean compareAndSet(long index, long expected, long newValue) {
        long at = offset(index);
        return LONGS.compareAndSet(file.segment(at), SharedFile.inSegment(at), expected, newValue);
    }

    /** Copies {@code count} elements from {@code index} into {@code dst} at {@code dstOffset}. */
    public void get(long index, long[] dst, int dstOffset, int count) {
        copy(
                index,
                dst.length,
                dstOffset,
                count,
                (p, from, n) -> p.asLongBuffer().get(dst, from, n));
    }

    /** Copies {@code count} elements of {@code src} from {@code srcOffset} to {@code index} on. */
    public void set(long index, long[] src, int srcOffset, int count) {
        copy(
                index,
                src.length,
                srcOffset,
                count,
                (p, from, n) -> p.asLongBuffer().put(src, from, n));
    }
}
