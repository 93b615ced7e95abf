package dev.paralleltask.cluster.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The calls a {@link NodeLine} sent in its session and not yet answered, by number. A session
 * numbers its calls one after another, so their numbers index a ring: a call is found, added and
 * taken off without a search and without boxing its number (a sorted map of them cost the client
 * about a third of its time per call in a map of short calls). Answered calls leave gaps until
 * those before them are answered too. So that a long call does not stretch the ring over every call
 * sent after it, the ring spans at most twice the calls it holds plus {@code slack} slots: past
 * that its oldest calls move to a sorted map of stragglers. Guarded by the dispatcher's lock, as
 * its line is.
 */
final class SentCalls {
    private ClusterCall[] ring = new ClusterCall[64];

    /**
     * The number of the oldest slot, at {@link #head}: every number in the ring is at or past it.
     */
    private long first;

    private int head;

    /** Slots from {@link #first} on, answered ones included: the next number is first + span. */
    private int span;

    /** Calls in the ring. */
    private int inRing;

    /** Calls held numbered before {@link #first}: those that stayed while many came after. */
    private final TreeMap<Long, ClusterCall> stragglers = new TreeMap<>();

    private final int slack;

    SentCalls() {
        this(1_024);
    }

    /** With the ring's slack given: for tests. */
    SentCalls(int slack) {
        this.slack = slack;
    }

    /**
     * Holds a call numbered right after the last one sent (after any number once the ring is
     * empty).
     *
     * @throws IllegalArgumentException if its number does not follow on
     */
    void add(ClusterCall call) {
        if (inRing == 0) {
            first = call.index;
            head = 0;
            span = 0;
        } else if (call.index != first + span) {
            throw new IllegalArgumentException(
                    "call " + call.index + " sent where " + (first + span) + " was next");
        }
        if (span == ring.length) {
            if (span > 2 * inRing + slack) {
                shed();
            } else {
                grow();
            }
        }
        ring[slot(span++)] = call;
        inRing++;
    }

    /** The call of that number, or null if none is held. */
    ClusterCall get(long index) {
        if (index < first) {
            return stragglers.isEmpty() ? null : stragglers.get(index);
        }
        return index >= first + span ? null : ring[slot((int) (index - first))];
    }

    /** Takes off the call of that number; null if none was held. */
    ClusterCall remove(long index) {
        if (index < first) {
            return stragglers.isEmpty() ? null : stragglers.remove(index);
        }
        ClusterCall call = get(index);
        if (call != null) {
            ring[slot((int) (index - first))] = null;
            inRing--;
            trim();
        }
        return call;
    }

    /** Takes off the calls numbered {@code index} and later, in order. */
    List<ClusterCall> removeFrom(long index) {
        List<ClusterCall> taken = new ArrayList<>(stragglers.tailMap(index, true).values());
        stragglers.tailMap(index, true).clear();
        int from = offset(index);
        for (int i = from; i < span; i++) {
            ClusterCall call = ring[slot(i)];
            if (call != null) {
                taken.add(call);
                ring[slot(i)] = null;
                inRing--;
            }
        }
        span = from;
        trim();
        return taken;
    }

    /** How many calls held are numbered after {@code index}. */
    int countAfter(long index) {
        int n = stragglers.isEmpty() ? 0 : stragglers.tailMap(index, false).size();
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
        if (!stragglers.isEmpty()) {
            for (long straggler : stragglers.tailMap(index, false).keySet()) {
                if (n-- <= 0) {
                    return found;
                }
                found = straggler;
            }
        }
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
        List<ClusterCall> calls = new ArrayList<>(size());
        calls.addAll(stragglers.values());
        for (int i = 0; i < span; i++) {
            ClusterCall call = ring[slot(i)];
            if (call != null) {
                calls.add(call);
            }
        }
        return calls;
    }

    int size() {
        return inRing + stragglers.size();
    }

    boolean isEmpty() {
        return size() == 0;
    }

    void clear() {
        Arrays.fill(ring, null);
        stragglers.clear();
        span = 0;
        inRing = 0;
        head = 0;
    }

    /** Twice the room, the calls in the order of their numbers. */
    private void grow() {
        ClusterCall[] larger = new ClusterCall[2 * ring.length];
        for (int i = 0; i < span; i++) {
            larger[i] = ring[slot(i)];
        }
        ring = larger;
        head = 0;
    }

    /**
     * Moves the oldest calls to the stragglers until the ring spans at most twice its calls plus
     * the slack, and at least one slot is free.
     */
    private void shed() {
        while (span > 0 && (span >= ring.length || span > 2 * inRing + slack)) {
            ClusterCall call = ring[head];
            if (call != null) {
                stragglers.put(call.index, call);
                ring[head] = null;
                inRing--;
            }
            head = (head + 1) & (ring.length - 1);
            first++;
            span--;
        }
        trim();
    }

    /** Moves past the answered slots at the front. */
    private void trim() {
        if (inRing == 0) { // every slot is empty; the next number stays first + span
            first += span;
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

    /** The ring's length, for tests: what a long call costs. */
    int ringLength() {
        return ring.length;
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
