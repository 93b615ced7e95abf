package dev.paralleltask.cluster.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The calls a {@link NodeLine} sent in its session and not yet answered, by number. A session
 * numbers its calls one after another, so their numbers index a ring: a call is found, added and
 * taken off without a search and without boxing its number (a sorted map of them cost the client
 * about a third of its time per call in a map of short calls). Answered calls leave gaps until
 * those before them are answered too. Guarded by the dispatcher's lock, as its line is.
 */
final class SentCalls {
    private ClusterCall[] ring = new ClusterCall[64];

    /** The number of the oldest slot, at {@link #head}: every number held is at or past it. */
    private long first;

    private int head;

    /** Slots from {@link #first} on, answered ones included: the next number is first + span. */
    private int span;

    /** Calls held. */
    private int size;

    /**
     * Holds a call numbered right after the last one held (after any number once none is held).
     *
     * @throws IllegalArgumentException if its number does not follow on
     */
    void add(ClusterCall call) {
        if (size == 0) {
            first = call.index;
            head = 0;
            span = 0;
        } else if (call.index != first + span) {
            throw new IllegalArgumentException(
                    "call " + call.index + " sent where " + (first + span) + " was next");
        }
        if (span == ring.length) {
            ClusterCall[] larger = new ClusterCall[2 * ring.length];
            for (int i = 0; i < span; i++) {
                larger[i] = ring[slot(i)];
            }
            ring = larger;
            head = 0;
        }
        ring[slot(span++)] = call;
        size++;
    }

    /** The call of that number, or null if none is held. */
    ClusterCall get(long index) {
        return index < first || index >= first + span ? null : ring[slot((int) (index - first))];
    }

    /** Takes off the call of that number; null if none was held. */
    ClusterCall remove(long index) {
        ClusterCall call = get(index);
        if (call != null) {
            ring[slot((int) (index - first))] = null;
            size--;
            trim();
        }
        return call;
    }

    /** Takes off the calls numbered {@code index} and later, in order. */
    List<ClusterCall> removeFrom(long index) {
        List<ClusterCall> taken = new ArrayList<>();
        int from = offset(index);
        for (int i = from; i < span; i++) {
            ClusterCall call = ring[slot(i)];
            if (call != null) {
                taken.add(call);
                ring[slot(i)] = null;
            }
        }
        size -= taken.size();
        span = from;
        trim();
        return taken;
    }

    /** How many calls held are numbered after {@code index}. */
    int countAfter(long index) {
        int n = 0;
        for (int i = offset(index + 1); i < span; i++) {
            if (ring[slot(i)] != null) {
                n++;
            }
        }
        return n;
    }

    /**
     * The number of the {@code n}th call held after {@code index}, or of the last one if fewer are;
     * {@link Long#MIN_VALUE} if none is.
     */
    long nthAfter(long index, int n) {
        long found = Long.MIN_VALUE;
        for (int i = offset(index + 1); i < span && n > 0; i++) {
            if (ring[slot(i)] != null) {
                found = first + i;
                n--;
            }
        }
        return found;
    }

    /** The calls held, in the order of their numbers. */
    List<ClusterCall> values() {
        List<ClusterCall> calls = new ArrayList<>(size);
        for (int i = 0; i < span; i++) {
            ClusterCall call = ring[slot(i)];
            if (call != null) {
                calls.add(call);
            }
        }
        return calls;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        Arrays.fill(ring, null);
        span = 0;
        size = 0;
        head = 0;
    }

    /** Moves past the answered slots at the front. */
    private void trim() {
        if (size == 0) { // every slot is empty
            span = 0;
            head = 0;
            return;
        }
        while (ring[head] == null) {
            head = (head + 1) & (ring.length - 1);
            first++;
            span--;
        }
    }

    /** Where {@code index} is, or would be, within the span: 0 before it, span past it. */
    private int offset(long index) {
        return (int) Math.min(span, Math.max(0, index - first));
    }

    /** The ring's slot {@code offset} past the head; its length is a power of two. */
    private int slot(int offset) {
        return (head + offset) & (ring.length - 1);
    }
}
