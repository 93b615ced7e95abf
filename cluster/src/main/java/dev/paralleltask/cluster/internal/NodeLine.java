package dev.paralleltask.cluster.internal;

import dev.paralleltask.runtime.internal.spi.CallFutures;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A node as a {@link ClusterDispatcher} sees it: its link, and this client's session there (the
 * calls sent and not yet answered, by number, and what the node may start). Guarded by its
 * dispatcher's lock.
 */
final class NodeLine {
    final UUID id;
    final String name;
    final int capacity;
    final NodeLink link;

    UUID session;

    /** The number of the next call sent in this session. */
    long next;

    /** The highest number granted: the calls that may have started. */
    long grant;

    /** The node's last start this client saw. */
    long frontierSeen;

    /** What its last reply said: workers free, calls answered. */
    int lastFree;

    int lastAnswered;

    /** Calls sent in this session and not yet answered, by number. */
    final SentCalls sent = new SentCalls();

    /** Calls chosen for it, to go with its next batch. */
    final List<ClusterCall> pending = new ArrayList<>();

    /** How many more calls the node said it admits, less those sent since. */
    int room;

    /** The calls of the batch in flight, or 0. */
    int sending;

    /** Whether the node has admitted a batch of this session: it knows the session. */
    boolean open;

    boolean polling;
    boolean withdrawing;
    boolean leaving;

    /** Whether it will be asked for room: it was full, and calls wait. */
    boolean askingRoom;

    /** Cancels of calls in the batch in flight, sent once it is admitted. */
    final List<Exchange.Cancel> cancels = new ArrayList<>();

    /** Lost, and not yet answering again. */
    boolean probing;

    /** When its last reply came (System.nanoTime()). */
    long lastHeard = System.nanoTime();

    NodeLine(UUID id, String name, int capacity, NodeLink link) {
        this.id = id;
        this.name = name;
        this.capacity = capacity;
        this.link = link;
        fresh();
    }

    /** A new session, of which the node knows nothing. */
    void fresh() {
        session = UUID.randomUUID();
        next = 1;
        grant = 0;
        frontierSeen = 0;
        lastFree = capacity;
        lastAnswered = 0;
        sending = 0;
        open = false;
        cancels.clear();
        polling = false;
        withdrawing = false;
        askingRoom = false;
        room = Exchange.admits(capacity);
    }

    boolean takes() {
        return !leaving && !probing && room - pending.size() > 0;
    }

    int load() {
        return sent.size() + pending.size();
    }

    /** Calls it holds unstarted, as far as this client knows. */
    int unstarted() {
        return sent.countAfter(frontierSeen);
    }

    /**
     * What it may start: as many calls past its last start seen as it can start now (free workers,
     * and those its last answers freed), twice as many answered when several came at once (calls
     * that short need the node to run ahead of the news, and so the grant grows with their rate);
     * never less than granted before.
     */
    long grantNow() {
        int n = lastFree + (lastAnswered > 1 ? 2 * lastAnswered : lastAnswered);
        if (n > 0) {
            grant = Math.max(grant, sent.nthAfter(frontierSeen, n));
        }
        return grant;
    }

    /** Whether it has workers this client's calls leave idle, and takes calls. */
    boolean idle() {
        return takes() && load() < capacity;
    }

    /** Whether it can give back calls it holds unstarted: nothing else is under way with it. */
    boolean canGiveBack() {
        return open && sending == 0 && !withdrawing && unstarted() > 1;
    }

    /**
     * Whether to ask it for room in a while: calls wait for it, it said it was full, and no poll of
     * this client's will say when that changes (only this client's answers wake its poll).
     */
    boolean needsRoomAsked() {
        return !leaving
                && !probing
                && !askingRoom
                && room - pending.size() <= 0
                && !(open && !sent.isEmpty());
    }

    /**
     * Takes pending calls into a batch, numbered from {@link #next}, as many as fit ({@code
     * maxCalls}, and {@code maxBytes} of requests past the first); those cancelled meanwhile are
     * dropped. Each call taken is passed to {@code taken}.
     *
     * @return the batch's requests
     */
    List<byte[]> batch(int maxCalls, long maxBytes, Consumer<ClusterCall> taken) {
        List<byte[]> requests = new ArrayList<>(Math.min(maxCalls, pending.size()));
        long bytes = 0;
        int looked = 0; // the pending calls taken or dropped: a prefix, removed at once
        while (looked < pending.size() && requests.size() < maxCalls) {
            ClusterCall call = pending.get(looked);
            if (!requests.isEmpty() && bytes + call.request.length > maxBytes) {
                break;
            }
            looked++;
            if (!CallFutures.markRunning(call.future)) {
                continue; // cancelled meanwhile
            }
            call.line = this;
            call.session = session;
            call.index = next++;
            sent.add(call);
            requests.add(call.request);
            bytes += call.request.length;
            taken.accept(call);
        }
        pending.subList(0, looked).clear();
        sending = requests.size();
        room -= requests.size();
        return requests;
    }

    /** The batch in flight came back, or failed: another may go. */
    void batchEnded(Exchange.Send send) {
        sending = 0;
        if (send.waitMillis() > 0) { // it stood for a poll
            polling = false;
        }
    }

    /**
     * The node admitted the batch, or part of it: the calls it did not admit, with those pending
     * after them, go back to the queue; the cancels held for the batch's admitted calls go now
     * (into {@code cancelsNow}); past that, their numbers go to other calls.
     */
    List<ClusterCall> admitted(
            Exchange.Send send, Exchange.Reply reply, List<Exchange.Cancel> cancelsNow) {
        heard(reply);
        long admittedTo = send.first() + reply.admitted();
        List<ClusterCall> back = notAdmitted(admittedTo);
        room = reply.room();
        open = true;
        for (Exchange.Cancel cancel : cancels) {
            if (cancel.index() < admittedTo) {
                cancelsNow.add(cancel);
            }
        }
        cancels.clear();
        return back;
    }

    /** What every reply says. */
    void heard(Exchange.Reply reply) {
        lastHeard = System.nanoTime();
        frontierSeen = Math.max(frontierSeen, reply.frontier());
        lastFree = reply.free();
        leaving |= reply.leaving();
    }

    /** A lost node answered a probe: it may get calls again. */
    void probed(Exchange.Reply reply) {
        probing = false;
        leaving |= reply.leaving();
        room = reply.room();
        lastFree = reply.free();
        lastHeard = System.nanoTime();
    }

    /**
     * Takes a sent call off: the cancel to send now, or null if it is held until the batch in
     * flight is admitted.
     */
    Exchange.Cancel takeOff(ClusterCall call, boolean interrupt) {
        sent.remove(call.index);
        call.line = null;
        Exchange.Cancel cancel = new Exchange.Cancel(session, call.index, interrupt);
        if (sending > 0) {
            cancels.add(cancel);
            return null;
        }
        return cancel;
    }

    /** How the executor's description shows it. */
    String describe() {
        return name + " (" + sent.size() + " sent, " + capacity + " workers)";
    }

    @Override
    public String toString() {
        return "node " + name;
    }

    /**
     * The session is lost: the calls that may have run there (numbered up to the grant) and those
     * that never started (past it, or never sent), each in the order sent; the line starts a new
     * session, of which the node knows nothing.
     */
    List<List<ClusterCall>> lose() {
        List<ClusterCall> mayHaveRun = new ArrayList<>();
        List<ClusterCall> neverStarted = new ArrayList<>();
        for (ClusterCall call : sent.values()) {
            call.line = null;
            (call.index <= grant ? mayHaveRun : neverStarted).add(call);
        }
        neverStarted.addAll(pending);
        pending.clear();
        sent.clear();
        fresh();
        return List.of(mayHaveRun, neverStarted);
    }

    /**
     * The calls of a batch numbered from {@code admittedTo} on, which the node did not admit, with
     * those pending after them; their numbers go to later calls.
     */
    List<ClusterCall> notAdmitted(long admittedTo) {
        List<ClusterCall> back = sent.removeFrom(admittedTo);
        back.addAll(pending);
        pending.clear();
        next = admittedTo;
        return back;
    }

    /** The calls the node gave back unstarted, in the order sent. */
    List<ClusterCall> returned(List<Long> indexes) {
        List<ClusterCall> back = new ArrayList<>();
        for (long index : indexes) {
            ClusterCall call = sent.remove(index);
            if (call != null) {
                back.add(call);
            }
        }
        back.sort((a, b) -> Long.compare(a.index, b.index));
        return back;
    }
}
