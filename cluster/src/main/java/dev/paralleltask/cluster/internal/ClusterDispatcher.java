package dev.paralleltask.cluster.internal;

import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import dev.paralleltask.runtime.internal.spi.Failures;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A client's calls and the nodes they go to: the queue, a session with each node ({@link
 * Exchange}), and the rules of what a call's end means. No Ignite here: each node is a {@link
 * NodeLink}, so every rule is tested alone.
 *
 * <ul>
 *   <li>Calls go to the node with the fewest of this client's calls per worker, up to what the node
 *       last said it admits, in batches, one batch in flight per node; what a node does not admit
 *       waits here again, first in line.
 *   <li>Answers come back in batches, one poll in flight per node while it has calls. Each message
 *       grants the node the calls it can start now: as many as its last reply said it had free
 *       workers and had just answered.
 *   <li>A node lost (it left, died, a message to it failed, it forgot the session): its unanswered
 *       calls numbered up to the grant may have run, and run again only as their method's {@code
 *       retries} allow; the rest never started and go elsewhere. Nothing depends on what a failure
 *       says. The node gets calls again once it answers a probe.
 *   <li>A node with nothing to do takes calls another node holds unstarted (stealing).
 * </ul>
 *
 * <p>Thread rules (CONCURRENCY.md, rule 14): state is guarded by one lock; messages are sent and
 * futures settled only after it is let go, from lists of actions decided under it.
 */
public final class ClusterDispatcher {
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

    private final ClassLoader loader;
    private final AnswerAdmission admission;
    private final Timer timer;

    /** Told after calls settled or left the queue, outside the lock: the executor may end. */
    private final Runnable changed;

    private final ReentrantLock lock = new ReentrantLock();

    /** Calls waiting for a node, oldest first; guarded by the lock. */
    private final ArrayDeque<ClusterCall> queue = new ArrayDeque<>();

    /** The nodes, by id; guarded by the lock. */
    private final Map<UUID, NodeLine> lines = new LinkedHashMap<>();

    /** Whether it takes calls; guarded by the lock. */
    private boolean taking = true;

    /** Runs a task later; a task for a timer that has ended is dropped. */
    @FunctionalInterface
    public interface Timer {
        void schedule(Runnable task, long millis);

        /** The timer of an executor's own thread. */
        static Timer of(ScheduledExecutorService executor) {
            return (task, millis) -> {
                try {
                    executor.schedule(task, millis, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    // the executor ended: nothing waits for the task any more
                }
            };
        }
    }

    /** What to do once the lock is let go. */
    private final class Actions {
        final List<Runnable> list = new ArrayList<>();

        void exchange(NodeLine line, Exchange.Message message, Reaction reaction) {
            list.add(
                    () ->
                            line.link
                                    .exchange(message)
                                    .whenComplete(
                                            (reply, error) ->
                                                    reaction.to(line, message, reply, error)));
        }

        void run() {
            assert !lock.isHeldByCurrentThread() : "messages go out after the lock is let go";
            list.forEach(Runnable::run);
            changed.run();
        }
    }

    @FunctionalInterface
    private interface Reaction {
        void to(NodeLine line, Exchange.Message sent, Exchange.Reply reply, Throwable error);
    }

    /** For messages whose reply says nothing new: a cancel's. */
    private static final Reaction IGNORED = (line, sent, reply, error) -> {};

    public ClusterDispatcher(
            ClassLoader loader, AnswerAdmission admission, Timer timer, Runnable changed) {
        this.loader = loader;
        this.admission = admission;
        this.timer = timer;
        this.changed = changed;
    }

    /** A call, not yet queued: its future is the caller's. */
    public ClusterCall call(TaskMethod method, byte[] request, long timeoutMillis) {
        return new ClusterCall(method, request, timeoutMillis, this::cancelled);
    }

    /**
     * Queues a call and sends what can go.
     *
     * @return false if it takes no more calls ({@link #stopTaking})
     */
    public boolean submit(ClusterCall call) {
        Actions actions = new Actions();
        lock.lock();
        try {
            if (!taking) {
                return false;
            }
            queue.add(call);
            pump(actions);
        } finally {
            lock.unlock();
        }
        actions.run();
        return true;
    }

    // --- nodes ---

    /** A node to send calls to. */
    public void added(UUID id, String name, int capacity, NodeLink link) {
        Actions actions = new Actions();
        lock.lock();
        try {
            if (lines.putIfAbsent(id, new NodeLine(id, name, capacity, link)) != null) {
                link.close();
                return;
            }
            pump(actions);
        } finally {
            lock.unlock();
        }
        actions.run();
    }

    /** A node that left: its calls go elsewhere or fail, as the loss rule says. */
    public void gone(UUID id) {
        Actions actions = new Actions();
        NodeLine line;
        lock.lock();
        try {
            line = lines.remove(id);
            if (line == null) {
                return;
            }
            lost(line, line + " is no longer in the cluster", actions);
            pump(actions);
        } finally {
            lock.unlock();
        }
        actions.run();
        line.link.close();
    }

    /** This client's unanswered calls on a node. */
    public int running(UUID id) {
        lock.lock();
        try {
            NodeLine line = lines.get(id);
            return line == null ? 0 : line.sent.size();
        } finally {
            lock.unlock();
        }
    }

    /** Refuses calls from now on: the executor is shut down. */
    public void stopTaking() {
        lock.lock();
        try {
            taking = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Cancels every call: those queued never start (their futures are returned), those sent are
     * stopped on their nodes.
     */
    public List<TaskFuture<?>> cancelAll() {
        List<ClusterCall> queued = new ArrayList<>();
        List<ClusterCall> sent = new ArrayList<>();
        lock.lock();
        try {
            queued.addAll(queue);
            for (NodeLine l : lines.values()) {
                queued.addAll(l.pending);
                sent.addAll(l.sent.values());
            }
        } finally {
            lock.unlock();
        }
        List<TaskFuture<?>> neverStarted = new ArrayList<>();
        for (ClusterCall call : queued) {
            if (call.future.cancel(false)) {
                neverStarted.add(call.future);
            }
        }
        sent.forEach(c -> c.future.cancel(true));
        return neverStarted;
    }

    /** Fails the queued calls: there is no node to run them. */
    public void failQueued(String where, String why) {
        List<ClusterCall> stranded;
        lock.lock();
        try {
            stranded = new ArrayList<>(queue);
            queue.clear();
        } finally {
            lock.unlock();
        }
        for (ClusterCall call : stranded) {
            CallFutures.fail(call.future, Failures.cannotRunOn(call.method, where, why));
        }
        changed.run();
    }

    /** Whether no call is queued or unanswered. */
    public boolean isIdle() {
        lock.lock();
        try {
            return queue.isEmpty() && lines.values().stream().allMatch(l -> l.sent.isEmpty());
        } finally {
            lock.unlock();
        }
    }

    /** Ends every session and closes every link; for the executor's end. */
    public void close() {
        List<NodeLine> all;
        lock.lock();
        try {
            all = List.copyOf(lines.values());
            lines.clear();
        } finally {
            lock.unlock();
        }
        List<java.util.concurrent.CompletableFuture<Exchange.Reply>> closing = new ArrayList<>();
        for (NodeLine line : all) {
            closing.add(line.link.exchange(new Exchange.Close(line.session)).toCompletableFuture());
        }
        for (java.util.concurrent.CompletableFuture<Exchange.Reply> c : closing) {
            try {
                c.get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the node expires the session on its own
            }
        }
        all.forEach(l -> l.link.close());
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return lines.values().stream().map(NodeLine::describe).toList()
                    + ", queued="
                    + queue.size();
        } finally {
            lock.unlock();
        }
    }

    // --- decisions, under the lock ---

    /**
     * Gives queued calls to the nodes with the fewest calls per worker, as far as they admit, and
     * sends each node's batch unless one is in flight; under the lock.
     */
    private void pump(Actions actions) {
        while (!queue.isEmpty()) {
            ClusterCall call = queue.peekFirst();
            if (call.future.isDone()) {
                queue.pollFirst();
                continue;
            }
            NodeLine best = null;
            for (NodeLine l : lines.values()) {
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
                    Actions actions = new Actions();
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
    private boolean isCurrent(NodeLine line, UUID session) {
        return line.session == session && lines.get(line.id) == line;
    }

    /** Sends a node's pending calls as one batch, as many as fit; under the lock. */
    private void send(NodeLine line, Actions actions) {
        // A node with none of this client's calls answers the batch once it has an answer, or
        // soon: a lone call takes one round trip, not a batch's and then a poll's.
        boolean alone = line.sent.isEmpty() && !line.polling;
        long first = line.next;
        List<byte[]> requests = line.batch(MAX_BATCH, MAX_BATCH_BYTES, this::watch);
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
    private void lost(NodeLine line, String why, Actions actions) {
        UUID old = line.session;
        List<List<ClusterCall>> lost = line.lose();
        List<ClusterCall> back = new ArrayList<>();
        for (ClusterCall call : lost.get(0)) {
            if (call.ranAndMayRunAgain()) {
                back.add(call);
            } else {
                String attempt = call.attempt();
                actions.list.add(() -> call.failLost(line, attempt, why));
            }
        }
        back.addAll(lost.get(1)); // numbered past the others, or never sent: they came after
        requeue(back);
        actions.list.add(() -> line.link.exchange(new Exchange.Close(old)));
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
    private void requeue(List<ClusterCall> calls) {
        for (int i = calls.size() - 1; i >= 0; i--) {
            ClusterCall call = calls.get(i);
            call.line = null;
            if (!call.future.isDone()) {
                CallFutures.markQueued(call.future);
                queue.addFirst(call);
            }
        }
    }

    // --- replies ---

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
                        cancels.forEach(c -> actions.exchange(line, c, IGNORED));
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
        Actions actions = new Actions();
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
        for (int i = 0; i < answers.size(); i++) {
            answered(line, reply.answers().get(i).index(), answers.get(i), actions);
        }
        requeue(line.returned(reply.returned()));
    }

    /** A call's answer; under the lock, its decoding after. */
    private void answered(NodeLine line, long index, Wire.Reply reply, Actions actions) {
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
        actions.list.add(() -> call.settle(reply, line.toString(), loader, admission));
    }

    // --- cancels and timeouts ---

    private void cancelled(ClusterCall call, boolean interrupt) {
        Actions actions = new Actions();
        lock.lock();
        try {
            if (queue.remove(call)) {
                return;
            }
            for (NodeLine l : lines.values()) {
                if (l.pending.remove(call)) {
                    return;
                }
            }
            NodeLine line = call.line;
            if (line == null || line.session != call.session) {
                return;
            }
            takeOff(line, call, interrupt, actions);
            pump(actions);
        } finally {
            lock.unlock();
        }
        actions.run();
    }

    /**
     * Takes a sent call off its node: the node drops it, or stops it if it runs and {@code
     * interrupt}; under the lock. While a batch is under way the node hears of it after that batch,
     * and only if the call was admitted: past that, its number goes to another call.
     */
    private static void takeOff(
            NodeLine line, ClusterCall call, boolean interrupt, Actions actions) {
        Exchange.Cancel cancel = line.takeOff(call, interrupt);
        if (cancel != null) {
            actions.exchange(line, cancel, IGNORED);
        }
    }

    /**
     * A call with a timeout fails well past it (two seconds and a tenth of it) if its node said
     * nothing since: the node enforces the timeout itself while it answers; under the lock.
     */
    private void watch(ClusterCall call) {
        if (call.timeoutMillis <= 0) {
            return;
        }
        long delay = call.timeoutMillis + 2_000 + call.timeoutMillis / 10;
        UUID session = call.session;
        long sentAt = System.nanoTime();
        timer.schedule(() -> silent(call, session, sentAt), delay);
    }

    private void silent(ClusterCall call, UUID session, long since) {
        NodeLine line;
        Actions actions = new Actions();
        lock.lock();
        try {
            line = call.line;
            if (line == null || call.session != session || call.future.isDone()) {
                return;
            }
            if (line.lastHeard - since > 0) { // the node is alive: its call waits there
                watch(call);
                return;
            }
            takeOff(line, call, true, actions);
        } finally {
            lock.unlock();
        }
        call.failSilent(line, since);
        actions.run();
    }
}
