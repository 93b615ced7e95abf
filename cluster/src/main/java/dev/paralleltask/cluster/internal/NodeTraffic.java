package dev.paralleltask.cluster.internal;

import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A client's sessions with its nodes ({@link Exchange}), for its {@link ClusterDispatcher}: queued
 * calls placed on nodes, each node's batches and polls, what each reply means for the calls, a lost
 * node's calls, calls taken back for an idle node, a full node asked for room and a lost one
 * probed.
 *
 * <p>Its methods run under the dispatcher's lock, but for the reactions to replies and the timer's
 * tasks, which take it; messages go out from {@link Actions} once it is let go (CONCURRENCY.md,
 * rule 14).
 */
final class NodeTraffic {
    /** How often a lost node, still in the topology, is asked whether it answers again. */
    static final long PROBE_MILLIS = 1_000;

    /**
     * How soon a node that said it was full is asked again while calls wait and nothing else would
     * tell: the calls of other clients end there meanwhile.
     */
    static final long FULL_MILLIS = 20;

    /**
     * How long a node may hold the reply to a batch sent while none of this client's calls were
     * there, for the batch's first answer.
     */
    static final long SEND_WAIT_MILLIS = 20;

    /** The most calls in one batch. */
    static final int MAX_BATCH = 1_024;

    /** The most bytes of requests in one batch (a batch holds at least one call). */
    static final long MAX_BATCH_BYTES = 4 << 20;

    private final ReentrantLock lock;
    private final ArrayDeque<ClusterCall> queue;
    private final Map<UUID, NodeLine> lines;
    private final ClassLoader loader;
    private final AnswerAdmission admission;
    private final ClusterDispatcher.Timer timer;
    private final Runnable changed;

    /** Watches a call sent with a timeout, in case its node falls silent. */
    private final Consumer<ClusterCall> watch;

    NodeTraffic(
            ReentrantLock lock,
            ArrayDeque<ClusterCall> queue,
            Map<UUID, NodeLine> lines,
            ClassLoader loader,
            AnswerAdmission admission,
            ClusterDispatcher.Timer timer,
            Runnable changed,
            Consumer<ClusterCall> watch) {
        this.lock = lock;
        this.queue = queue;
        this.lines = lines;
        this.loader = loader;
        this.admission = admission;
        this.timer = timer;
        this.changed = changed;
        this.watch = watch;
    }

    /** A list of what to do once the lock is let go. */
    Actions actions() {
        return new Actions(lock, changed);
    }

    /**
     * Gives queued calls to the nodes with the fewest calls per worker, as far as they admit, and
     * sends each node's batch unless one is in flight; under the lock.
     */
    void pump(Actions actions) {
        assert lock.isHeldByCurrentThread() : "under the dispatcher's lock";
        NodeLine[] nodes = lines.values().toArray(NodeLine[]::new); // looked at for each call
        while (!queue.isEmpty()) {
            ClusterCall call = queue.peekFirst();
            if (call.future.isDone()) {
                queue.pollFirst();
                continue;
            }
            NodeLine best = null;
            for (NodeLine l : nodes) {
                if (l.takes()
                        && (best == null
                                || (long) l.load() * best.capacity
                                        < (long) best.load() * l.capacity)) {
                    best = l;
                }
            }
            if (best == null) {
                break;
            }
            best.pending.add(queue.pollFirst());
        }
        for (NodeLine line : lines.values()) {
            if (line.sending == 0 && !line.pending.isEmpty()) {
                send(line, actions);
            }
        }
        if (queue.isEmpty()) {
            steal(actions);
        } else {
            lines.values().forEach(this::askRoomLater);
        }
    }

    /**
     * Asks a full node for room in a while, unless its poll will say (only answers of this client's
     * wake its poll, and other clients' calls end there too); under the lock.
     */
    private void askRoomLater(NodeLine line) {
        if (!line.needsRoomAsked()) {
            return;
        }
        line.askingRoom = true;
        later(
                line,
                FULL_MILLIS,
                actions -> {
                    if (line.askingRoom) {
                        line.askingRoom = false;
                        line.withdrawing = true; // taking none back: what it says is its room
                        actions.exchange(
                                line, new Exchange.Withdraw(line.session, 0), this::onWithdrawn);
                    }
                });
    }

    /**
     * Does {@code what} under the lock after {@code millis}, unless the node's session was lost or
     * the node left meanwhile; under the lock.
     */
    private void later(NodeLine line, long millis, Consumer<Actions> what) {
        UUID session = line.session;
        timer.schedule(
                () -> {
                    Actions actions = actions();
                    lock.lock();
                    try {
                        if (isCurrent(line, session)) {
                            what.accept(actions);
                        }
                    } finally {
                        lock.unlock();
                    }
                    actions.run();
                },
                millis);
    }

    /** Whether a session is still the node's, and the node still here; under the lock. */
    boolean isCurrent(NodeLine line, UUID session) {
        return line.session == session && lines.get(line.id) == line;
    }

    /** Sends a node's pending calls as one batch, as many as fit; under the lock. */
    private void send(NodeLine line, Actions actions) {
        assert lock.isHeldByCurrentThread() : "under the dispatcher's lock";
        // A node with none of this client's calls answers the batch once it has an answer, or
        // soon: a lone call takes one round trip, not a batch's and then a poll's.
        boolean alone = line.sent.isEmpty() && !line.polling;
        long first = line.next;
        List<byte[]> requests = line.batch(MAX_BATCH, MAX_BATCH_BYTES, watch);
        if (requests.isEmpty()) {
            return;
        }
        line.polling |= alone; // the batch stands for a poll
        actions.exchange(
                line,
                new Exchange.Send(
                        line.session,
                        first,
                        line.grantNow(),
                        alone ? SEND_WAIT_MILLIS : 0,
                        requests),
                this::onSent);
        poll(line, actions);
    }

    /** Keeps one poll in flight while the node has calls of this client; under the lock. */
    private void poll(NodeLine line, Actions actions) {
        assert lock.isHeldByCurrentThread() : "under the dispatcher's lock";
        if (line.polling || !line.open || (line.sent.isEmpty() && line.sending == 0)) {
            return;
        }
        line.polling = true;
        actions.exchange(line, new Exchange.Poll(line.session, line.grantNow()), this::onPolled);
    }

    /**
     * A node with nothing to do takes back calls another node holds unstarted, once nothing is
     * queued; under the lock.
     */
    private void steal(Actions actions) {
        assert lock.isHeldByCurrentThread() : "under the dispatcher's lock";
        for (NodeLine idle : lines.values()) {
            if (!idle.idle()) {
                continue;
            }
            NodeLine busiest = null;
            for (NodeLine l : lines.values()) {
                if (l != idle
                        && l.canGiveBack()
                        && (busiest == null || l.unstarted() > busiest.unstarted())) {
                    busiest = l;
                }
            }
            if (busiest == null) {
                return;
            }
            busiest.withdrawing = true;
            actions.exchange(
                    busiest,
                    new Exchange.Withdraw(busiest.session, busiest.unstarted() / 2),
                    this::onWithdrawn);
        }
    }

    /**
     * The node's session is lost: its unanswered calls numbered up to the grant may have run, the
     * rest never started. The node gets a new session, and calls once it answers a probe; under the
     * lock.
     */
    void lost(NodeLine line, String why, Actions actions) {
        assert lock.isHeldByCurrentThread() : "under the dispatcher's lock";
        UUID old = line.session;
        List<List<ClusterCall>> lost = line.lose();
        List<ClusterCall> back = new ArrayList<>();
        for (ClusterCall call : lost.get(0)) {
            if (call.ranAndMayRunAgain()) {
                back.add(call);
            } else {
                String attempt = call.attempt();
                actions.add(() -> call.failLost(line, attempt, why));
            }
        }
        back.addAll(lost.get(1)); // numbered past the others, or never sent: they came after
        requeue(back);
        actions.add(() -> line.link.exchange(new Exchange.Close(old)));
        line.probing = true;
        probeLater(line);
    }

    /** Asks a lost node, after a while, whether it answers again; under the lock. */
    private void probeLater(NodeLine line) {
        later(
                line,
                PROBE_MILLIS,
                actions ->
                        actions.exchange(line, new Exchange.Poll(line.session, 0), this::onProbed));
    }

    private void onProbed(
            NodeLine line, Exchange.Message message, Exchange.Reply reply, Throwable error) {
        react(
                line,
                message,
                actions -> {
                    if (error != null) {
                        probeLater(line);
                        return;
                    }
                    line.probed(reply);
                });
    }

    /** Calls that did not run, or run again: first in line, in the order they were made. */
    void requeue(List<ClusterCall> calls) {
        assert lock.isHeldByCurrentThread() : "under the dispatcher's lock";
        for (int i = calls.size() - 1; i >= 0; i--) {
            ClusterCall call = calls.get(i);
            call.line = null;
            if (!call.future.isDone()) {
                CallFutures.markQueued(call.future);
                queue.addFirst(call);
            }
        }
    }

    private void onSent(
            NodeLine line, Exchange.Message message, Exchange.Reply reply, Throwable error) {
        Exchange.Send send = (Exchange.Send) message;
        List<Wire.Reply> answers = new ArrayList<>();
        IOException malformed = decode(reply, answers);
        react(
                line,
                message,
                actions -> {
                    line.batchEnded(send);
                    if (error != null) {
                        lost(line, "sending calls failed: " + Replies.brief(error), actions);
                    } else if (malformed != null) {
                        lost(line, "its answers are malformed: " + malformed, actions);
                    } else {
                        List<Exchange.Cancel> cancels = new ArrayList<>();
                        requeue(line.admitted(send, reply, cancels));
                        cancels.forEach(c -> actions.exchange(line, c, Actions.IGNORED));
                        took(line, reply, answers, actions);
                    }
                });
    }

    private void onPolled(
            NodeLine line, Exchange.Message message, Exchange.Reply reply, Throwable error) {
        List<Wire.Reply> answers = new ArrayList<>();
        IOException malformed = decode(reply, answers);
        react(
                line,
                message,
                actions -> {
                    line.polling = false;
                    if (error != null) {
                        lost(line, Replies.brief(error), actions);
                    } else if (malformed != null) {
                        lost(line, "its answers are malformed: " + malformed, actions);
                    } else if (reply.frontier() < 0) {
                        lost(line, "it no longer knows this client's calls", actions);
                    } else {
                        line.heard(reply);
                        line.room = reply.room() - line.sending;
                        took(line, reply, answers, actions);
                    }
                });
    }

    /**
     * Reacts to a node's reply, unless its session was lost meanwhile (its calls were dealt with
     * then); then sends what can go, and keeps the node polled.
     */
    private void react(NodeLine line, Exchange.Message message, Consumer<Actions> reaction) {
        Actions actions = actions();
        lock.lock();
        try {
            if (!isCurrent(line, message.session())) {
                return;
            }
            reaction.accept(actions);
            pump(actions);
            poll(line, actions);
        } finally {
            lock.unlock();
        }
        actions.run();
    }

    private void onWithdrawn(
            NodeLine line, Exchange.Message message, Exchange.Reply reply, Throwable error) {
        react(
                line,
                message,
                actions -> {
                    line.withdrawing = false;
                    if (error != null) { // whether it took them back is not known
                        lost(line, "taking calls back failed: " + Replies.brief(error), actions);
                        return;
                    }
                    line.heard(reply);
                    requeue(line.returned(reply.returned()));
                    line.room = reply.room() - line.sending;
                });
    }

    /** Reads a reply's answers here, not under the lock; what was malformed, or null. */
    private static IOException decode(Exchange.Reply reply, List<Wire.Reply> answers) {
        try {
            if (reply != null) {
                answers.addAll(reply.replies());
            }
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /** The answers and calls given back that a reply brings; under the lock. */
    private void took(
            NodeLine line, Exchange.Reply reply, List<Wire.Reply> answers, Actions actions) {
        line.lastAnswered = answers.size();
        actions.expect(answers.size());
        for (int i = 0; i < answers.size(); i++) {
            answered(line, reply.answers().get(i).index(), answers.get(i), actions);
        }
        requeue(line.returned(reply.returned()));
    }

    /** A call's answer; under the lock, its decoding after. */
    private void answered(NodeLine line, long index, Wire.Reply reply, Actions actions) {
        assert lock.isHeldByCurrentThread() : "under the dispatcher's lock";
        ClusterCall call = line.sent.remove(index);
        if (call == null) {
            return; // cancelled, or timed out here
        }
        call.line = null;
        if (reply instanceof Wire.Refused) { // the node's pool is closing: it never ran
            line.leaving = true;
            requeue(List.of(call));
            return;
        }
        if (call.ranAndMayRunAgain() && reply instanceof Wire.Crashed) {
            requeue(List.of(call));
            return;
        }
        actions.add(() -> call.settle(reply, line.toString(), loader, admission));
    }

    /**
     * Takes a sent call off its node: the node drops it, or stops it if it runs and {@code
     * interrupt}; under the lock. While a batch is under way the node hears of it after that batch,
     * and only if the call was admitted: past that, its number goes to another call.
     */
    static void takeOff(NodeLine line, ClusterCall call, boolean interrupt, Actions actions) {
        Exchange.Cancel cancel = line.takeOff(call, interrupt);
        if (cancel != null) {
            actions.exchange(line, cancel, Actions.IGNORED);
        }
    }
}
