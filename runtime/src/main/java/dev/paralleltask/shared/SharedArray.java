package dev.paralleltask.shared;

import dev.paralleltask.runtime.internal.shared.SharedFile;
import java.nio.ByteBuffer;
import java.util.Objects;

/** What the shared arrays have in common: a length, element offsets, bulk copies in pieces. */
abstract sealed class SharedArray extends SharedObject
        permits SharedLongArray, SharedDoubleArray, SharedByteArray {
    private static final long serialVersionUID = 1L;

    final transient long length;
    private final transient int elementBytes;

    SharedArray(SharedFile file, int elementBytes) {
        super(file);
        this.length = file.length();
        this.elementBytes = elementBytes;
    }

    /** Makes the file of a new array, after checking its length. */
    static SharedFile allocate(int kind, String type, long length, int elementBytes) {
        if (length < 0 || length > (Long.MAX_VALUE - SharedFile.HEADER_BYTES) / elementBytes) {
            throw new IllegalArgumentException(
                    type
                            + ".allocate: length must be between 0 and what memory holds, was "
                            + length);
        }
        return SharedFile.create(
                kind, length, length * elementBytes, type + " of " + length + " elements");
    }

    /** How many elements it holds. */
    public long length() {
        return length;
    }

    /** The byte offset of element {@code index}, once it is checked and the object is open. */
    final long offset(long index) {
        Objects.checkIndex(index, length);
        ensureOpen();
        return index * elementBytes;
    }

    /** Copies elements {@code index..index+count} to or from a Java array, one piece at a time. */
    final void copy(long index, int arrayLength, int arrayOffset, int count, Piece piece) {
        Objects.checkFromIndexSize(arrayOffset, count, arrayLength);
        Objects.checkFromIndexSize(index, count, length);
        ensureOpen();
        long at = index * elementBytes;
        for (int done = 0; done < count; ) {
            ByteBuffer segment = file.segment(at);
            int in = SharedFile.inSegment(at);
            int n = Math.min(count - done, (segment.capacity() - in) / elementBytes);
            piece.copy(
                    segment.slice(in, n * elementBytes).order(segment.order()),
                    arrayOffset + done,
                    n);
            done += n;
            at += (long) n * elementBytes;
        }
    }

    interface Piece {
        /** Copies {@code n} elements between {@code part} and the array at {@code from}. */
        void copy(ByteBuffer part, int from, int n);
    }
}
