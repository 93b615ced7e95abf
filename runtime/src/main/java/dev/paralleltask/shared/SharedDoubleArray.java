package dev.paralleltask.shared;

import static dev.paralleltask.runtime.internal.shared.SharedFile.DOUBLES;

import dev.paralleltask.runtime.internal.shared.SharedFile;

/**
 * An array of {@code double}s in memory that the caller and its workers share: what one process
 * sets, the others get. Passing it to a task passes a handle; the worker maps the memory once and
 * keeps it mapped while the array is open. Lengths past 2<sup>31</sup> work.
 *
 * <p>{@link #get} and {@link #set} are plain accesses, as on a {@code double[]}: what one process
 * sets is seen by another once they synchronize, through a {@link SharedLock}, a {@link
 * SharedEvent}, a {@link SharedQueue}, or a call's start and answer.
 */
public final class SharedDoubleArray extends SharedArray {
    private static final long serialVersionUID = 1L;
    static final int KIND = 2;

    SharedDoubleArray(SharedFile file) {
        super(file, Double.BYTES);
    }

    /**
     * A new array of {@code length} zeros.
     *
     * @throws IllegalArgumentException if the length is negative, or more than the shared-memory
     *     file system ({@code /dev/shm}) has room for
     */
    public static SharedDoubleArray allocate(long length) {
        return new SharedDoubleArray(allocate(KIND, "SharedDoubleArray", length, Double.BYTES));
    }

    @Override
    int kind() {
        return KIND;
    }

    public double get(long index) {
        long at = offset(index);
        return (double) DOUBLES.get(file.segment(at), SharedFile.inSegment(at));
    }

    public void set(long index, double value) {
        long at = offset(index);
        DOUBLES.set(file.segment(at), SharedFile.inSegment(at), value);
    }

    /** Copies {@code count} elements from {@code index} into {@code dst} at {@code dstOffset}. */
    public void get(long index, double[] dst, int dstOffset, int count) {
        copy(
                index,
                dst.length,
                dstOffset,
                count,
                (p, from, n) -> p.asDoubleBuffer().get(dst, from, n));
    }

    /** Copies {@code count} elements of {@code src} from {@code srcOffset} to {@code index} on. */
    public void set(long index, double[] src, int srcOffset, int count) {
        copy(
                index,
                src.length,
                srcOffset,
                count,
                (p, from, n) -> p.asDoubleBuffer().put(src, from, n));
    }
}
