package dev.paralleltask.cluster.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One client's session on a node, as {@link CallSessions} keeps it: the calls admitted and waiting
 * in the order numbered, those started, and what its next poll will say. Guarded by the lock of its
 * {@code CallSessions}.
 */
final class NodeSession {
    /** An admitted call not yet started. */
    record Waiting(long index, byte[] request) {}

    /**
     * A call decided to start. Its request is the deciding thread's to hand to the {@link
     * CallStarter}; the rest is guarded by the lock of {@code CallSessions}.
     */
    static final class Run {
        final NodeSession session;
        final long index;
        byte[] request;

        /** What stops it, once started. */
        Runnable stop;

        boolean stopAsked;
        boolean ended;

        Run(NodeSession session, long index, byte[] request) {
            this.session = session;
            this.index = index;
            this.request = request;
        }
    }

    final UUID id;

    /** The number its next call must have. */
    long next;

    /** The number of its last start. */
    long frontier;

    /** The highest number its client lets it start. */
    long grant;

    /** The frontier the last reply said. */
    long frontierSaid;

    /** When its client last polled (System.nanoTime()). */
    long lastPoll;

    /** Admitted and not started, in order; changed only through the methods below. */
    final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

    /** The bytes of the requests {@link #waiting}. */
    long waitingBytes;

    final Map<Long, Run> started = new HashMap<>();

    /** The answers and the calls given back that its next poll takes. */
    List<Exchange.Answered> outbox = new ArrayList<>();

    List<Long> returned = new ArrayList<>();

    /** Completed when there is something to tell its waiting poll; null if none waits. */
    CompletableFuture<Void> poll;

    NodeSession(UUID id, long first, long now) {
        this.id = id;
        this.next = first;
        this.frontier = first - 1;
        this.grant = first - 1;
        this.frontierSaid = first - 1;
        this.lastPoll = now;
    }

    /** Whether its first call waiting may start: its client granted it. */
    boolean mayStart() {
        return !waiting.isEmpty() && waiting.peekFirst().index() <= grant;
    }

    /** Whether it waits for its client to grant more. */
    boolean blocked() {
        return !waiting.isEmpty() && waiting.peekFirst().index() > grant;
    }

    /** Whether no poll came for it in {@code millis} before {@code now}, nor waits now. */
    boolean idleSince(long now, long millis) {
        return poll == null && now - lastPoll > TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** A poll took its outbox and what was given back: they start anew. */
    void told() {
        poll = null;
        outbox = new ArrayList<>();
        returned = new ArrayList<>();
        frontierSaid = frontier;
    }

    /** Admits its client's next call. */
    void admit(byte[] request) {
        waiting.add(new Waiting(next++, request));
        waitingBytes += request.length;
    }

    /** Takes the first call waiting, to start it. */
    Waiting startNext() {
        Waiting w = waiting.pollFirst();
        waitingBytes -= w.request().length;
        return w;
    }

    /** Drops the call of that number if it waits: whether it did. */
    boolean dropWaiting(long index) {
        for (var it = waiting.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            if (w.index() == index) {
                it.remove();
                waitingBytes -= w.request().length;
                return true;
            }
        }
        return false;
    }

    /**
     * Drops every call waiting: they never start.
     *
     * @return how many
     */
    int dropAllWaiting() {
        int n = waiting.size();
        waiting.clear();
        waitingBytes = 0;
        return n;
    }

    /** Takes back up to {@code count} calls not started, the last admitted first: their numbers. */
    List<Long> takeBack(int count) {
        List<Long> back = new ArrayList<>();
        while (back.size() < count && !waiting.isEmpty()) {
            Waiting w = waiting.pollLast();
            waitingBytes -= w.request().length;
            back.add(w.index());
        }
        return back;
    }

    /**
     * Gives every call not started back to the client, with its next poll.
     *
     * @return how many
     */
    int returnAll() {
        for (Waiting w : waiting) {
            returned.add(w.index());
        }
        return dropAllWaiting();
    }
}
