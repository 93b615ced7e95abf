package dev.paralleltask.cluster.internal;

import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import dev.paralleltask.runtime.internal.spi.Failures;
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

/**
 * A client's calls and the nodes they go to: the queue, a session with each node ({@link
 * Exchange}), and the rules of what a call's end means. No Ignite here: each node is a {@link
 * NodeLink}, so every rule is tested alone. This class is where calls come in, are cancelled, time
 * out and end with the executor; {@link NodeTraffic} carries the sessions with the nodes.
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
 * <p>Thread rules (CONCURRENCY.md, rule 14): the state of both is guarded by one lock, this
 * class's; messages are sent and futures settled only after it is let go, from the {@link Actions}
 * decided under it.
 */
public final class ClusterDispatcher {
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

    /** The sessions with the nodes. */
    private final NodeTraffic traffic;

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

    public ClusterDispatcher(
            ClassLoader loader, AnswerAdmission admission, Timer timer, Runnable changed) {
        this.timer = timer;
        this.changed = changed;
        this.traffic =
                new NodeTraffic(lock, queue, lines, loader, admission, timer, changed, this::watch);
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
        return submitAll(List.of(call));
    }

    /**
     * Queues calls made together ({@link dev.paralleltask.runtime.internal.pool.CallBatch}) with
     * one turn of the lock, and sends what can go.
     *
     * @return false if it takes no more calls: then none was queued
     */
    public boolean submitAll(List<ClusterCall> calls) {
        Actions actions = traffic.actions();
        lock.lock();
        try {
            if (!taking) {
                return false;
            }
            for (ClusterCall call : calls) {
                if (!call.future.isDone()) { // cancelled while gathered: it never queues
                    queue.add(call);
                }
            }
            traffic.pump(actions);
        } finally {
            lock.unlock();
        }
        actions.run();
        return true;
    }

    // --- nodes ---

    /** A node to send calls to. */
    public void added(UUID id, String name, int capacity, NodeLink link) {
        Actions actions = traffic.actions();
        lock.lock();
        try {
            if (lines.putIfAbsent(id, new NodeLine(id, name, capacity, link)) != null) {
                link.close();
                return;
            }
            traffic.pump(actions);
        } finally {
            lock.unlock();
        }
        actions.run();
    }

    /** A node that left: its calls go elsewhere or fail, as the loss rule says. */
    public void gone(UUID id) {
        Actions actions = traffic.actions();
        NodeLine line;
        lock.lock();
        try {
            line = lines.remove(id);
            if (line == null) {
                return;
            }
            traffic.lost(line, line + " is no longer in the cluster", actions);
            traffic.pump(actions);
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

    // --- cancels and timeouts ---

    private void cancelled(ClusterCall call, boolean interrupt) {
        Actions actions = traffic.actions();
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
            traffic.takeOff(line, call, interrupt, actions);
            traffic.pump(actions);
        } finally {
            lock.unlock();
        }
        actions.run();
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
        Actions actions = traffic.actions();
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
            traffic.takeOff(line, call, true, actions);
        } finally {
            lock.unlock();
        }
        call.failSilent(line, since);
        actions.run();
    }
}
