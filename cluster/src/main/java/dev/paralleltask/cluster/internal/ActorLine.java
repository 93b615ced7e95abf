package dev.paralleltask.cluster.internal;

import dev.paralleltask.runtime.TaskExecutor;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import dev.paralleltask.runtime.internal.spi.CallCoding;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import dev.paralleltask.runtime.internal.spi.Failures;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.ignite.client.ClientCompute;
import org.apache.ignite.client.IgniteClientFuture;

/**
 * The calls of an actor on a cluster node, as its client sends them: queued here, sent one at a
 * time (or as many at once as the actor's concurrency) so they run in the order made, settled from
 * the node's replies, failed when the node leaves. Its shutdown is the actor's close: once its
 * calls are done, the node ends the actor.
 */
public final class ActorLine implements TaskExecutor {
    /** How long starting an actor may take: its node starts a JVM for it. */
    private static final long START_SECONDS = 120;

    /** How long describing or closing an actor may take before its node is taken for gone. */
    private static final long ASK_SECONDS = 10;

    private final String name;
    private final String node;
    private final ClientCompute compute;
    private final long number;
    private final int concurrency;
    private final ClassLoader loader;
    private final AnswerAdmission admission;

    /** Told once the actor has ended, so its executor can end. */
    private final Consumer<ActorLine> ended;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition terminatedCondition = lock.newCondition();

    /** Calls made and not yet sent, oldest first; guarded by the lock. */
    private final ArrayDeque<Call> queue = new ArrayDeque<>();

    /** Calls sent and not yet answered; guarded by the lock. */
    private final List<Call> sent = new ArrayList<>();

    private boolean closed;
    private boolean terminated;

    /** Why the actor can take no more calls, once it cannot. */
    private volatile Throwable died;

    /**
     * @param name the actor's name, as its node and a worker of its pool make it
     * @param node the node's name
     * @param compute a connection to that node alone
     * @param number the actor's number on the node
     */
    public ActorLine(
            String name,
            String node,
            ClientCompute compute,
            long number,
            int concurrency,
            ClassLoader loader,
            AnswerAdmission admission,
            Consumer<ActorLine> ended) {
        this.name = name;
        this.node = node;
        this.compute = compute;
        this.number = number;
        this.concurrency = concurrency;
        this.loader = loader;
        this.admission = admission;
        this.ended = ended;
    }

    /** Sends a request about the actor itself and waits for the reply. */
    public static Wire.Reply request(
            ClientCompute compute, Wire.ActorRequest request, String where) {
        long seconds = request.kind() == Wire.ActorRequest.START ? START_SECONDS : ASK_SECONDS;
        try {
            byte[] bytes =
                    compute.<byte[], byte[]>executeAsync2(
                                    ActorTask.class.getName(), request.toBytes())
                            .get(seconds, TimeUnit.SECONDS);
            return Wire.Reply.fromBytes(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Failures.startFailure(where + ": interrupted while waiting", List.of(), e);
        } catch (ExecutionException | TimeoutException | IOException | RuntimeException e) {
            throw Failures.startFailure(
                    where + " did not answer: " + Replies.brief(e), List.of(), e);
        }
    }

    /** Where the actor is now, as its node says; dead if the node cannot say. */
    public Wire.ActorState state() {
        if (died != null || isTerminated()) {
            return new Wire.ActorState(-1, 0, false);
        }
        try {
            Wire.Reply reply =
                    request(
                            compute,
                            new Wire.ActorRequest(
                                    Wire.ActorRequest.DESCRIBE, number, 0, 0, new byte[0]),
                            "node " + node);
            return reply instanceof Wire.ActorState s ? s : new Wire.ActorState(-1, 0, false);
        } catch (RuntimeException e) {
            return new Wire.ActorState(-1, 0, false);
        }
    }

    /** Whether it takes calls: neither closed nor dead. */
    public boolean isOpen() {
        lock.lock();
        try {
            return !closed && died == null;
        } finally {
            lock.unlock();
        }
    }

    /** Calls made and not yet done. */
    public int outstanding() {
        lock.lock();
        try {
            return queue.size() + sent.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "ClusterActor[" + name + (died != null ? ", dead" : closed ? ", closed" : "") + "]";
    }

    /** One call: what to send, and its future. */
    private final class Call {
        final TaskMethod method;
        final byte[] request;
        final TaskFuture<Object> future;
        volatile IgniteClientFuture<byte[]> remote;

        Call(TaskMethod method, byte[] request) {
            this.method = method;
            this.request = request;
            this.future =
                    CallFutures.create(
                            (f, wasRunning, interrupt) -> {
                                IgniteClientFuture<byte[]> sent = remote;
                                if (sent != null && interrupt) {
                                    sent.cancel(true); // the node kills the actor's JVM
                                }
                            });
        }
    }

    private <T> TaskFuture<T> submit(TaskMethod method, Object[] args) {
        Throwable dead = died;
        if (dead != null) {
            return CallFutures.failed(dead);
        }
        byte[] encoded;
        try {
            // No target: the node's actor JVM gives the call its object.
            encoded = CallRequest.encode(method, null, args, method.timeoutMillis());
        } catch (Exception e) {
            return CallFutures.failed(e);
        }
        Call call =
                new Call(
                        method,
                        new Wire.ActorRequest(Wire.ActorRequest.CALL, number, 0, 0, encoded)
                                .toBytes());
        List<Call> sends;
        lock.lock();
        try {
            if (closed) {
                throw Failures.actorClosed(name, method);
            }
            queue.add(call);
            sends = nextSends();
        } finally {
            lock.unlock();
        }
        sends.forEach(this::send);
        @SuppressWarnings("unchecked") // the proxy knows the method's result type
        TaskFuture<T> future = (TaskFuture<T>) call.future;
        return future;
    }

    /** The queued calls that may be sent now; under the lock. */
    private List<Call> nextSends() {
        List<Call> sends = new ArrayList<>();
        while (sent.size() < concurrency && !queue.isEmpty()) {
            Call call = queue.poll();
            if (died != null) {
                CallFutures.fail(call.future, died);
                continue;
            }
            if (call.future.isDone()) {
                continue;
            }
            sent.add(call);
            sends.add(call);
        }
        return sends;
    }

    /** Sends a call; never under the lock. */
    private void send(Call call) {
        if (!CallFutures.markRunning(call.future)) { // cancelled meanwhile
            answered(call, null);
            return;
        }
        IgniteClientFuture<byte[]> remote;
        try {
            remote = compute.<byte[], byte[]>executeAsync2(ActorTask.class.getName(), call.request);
        } catch (RuntimeException e) {
            nodeLost(call, e);
            answered(call, null);
            return;
        }
        call.remote = remote;
        if (call.future.isCancelled()) {
            remote.cancel(true);
        }
        remote.whenComplete(
                (bytes, error) -> {
                    try {
                        if (error != null) {
                            nodeLost(call, error);
                        } else {
                            settle(call, bytes);
                        }
                    } catch (RuntimeException | Error e) {
                        CallFutures.fail(call.future, e); // never left running: close() waits
                    } finally {
                        answered(call, null);
                    }
                });
    }

    private void settle(Call call, byte[] bytes) {
        Wire.Reply reply;
        try {
            reply = Wire.Reply.fromBytes(bytes);
        } catch (IOException e) {
            CallFutures.fail(
                    call.future,
                    Failures.cannotRunOn(
                            call.method, "node " + node, "its answer is malformed: " + e));
            return;
        }
        if (reply instanceof Wire.ActorDied d) {
            dies(Failures.actorDiedElsewhere(d.why(), name, null));
            CallFutures.fail(call.future, died);
            return;
        }
        if (reply instanceof Wire.Refused r) {
            dies(
                    Failures.actorDiedElsewhere(
                            "actor " + name + " ended with its node: " + r.why(), name, null));
            CallFutures.fail(call.future, died);
            return;
        }
        CallCoding.Outcome outcome =
                Replies.outcome(call.method, reply, "node " + node, "", loader, admission);
        if (outcome.failure() != null) {
            CallFutures.fail(call.future, outcome.failure());
        } else {
            CallFutures.complete(call.future, outcome.value());
        }
    }

    /**
     * No reply came: the call was cancelled, or the node left or could not be reached. The call may
     * have run there, whatever Ignite's failure says: nothing here depends on its wording.
     */
    private void nodeLost(Call call, Throwable error) {
        if (call.future.isDone() || error instanceof CancellationException) {
            return;
        }
        String why = Replies.brief(error);
        dies(
                Failures.actorDiedElsewhere(
                        "actor "
                                + name
                                + " ended with its node, which left the cluster or could"
                                + " not be reached: "
                                + why,
                        name,
                        error));
        CallFutures.fail(
                call.future,
                Failures.crashedElsewhere(
                        "node "
                                + node
                                + " left the cluster or could not be reached while actor "
                                + name
                                + "'s call of "
                                + call.method.displayName()
                                + " was on its way or ran there: "
                                + why,
                        node,
                        -1,
                        -1,
                        List.of(),
                        List.of(),
                        error));
    }

    /** The actor can take no more calls: those queued fail with {@code why}. */
    private void dies(Throwable why) {
        List<Call> queued;
        lock.lock();
        try {
            if (died == null) {
                died = why;
            }
            queued = new ArrayList<>(queue);
            queue.clear();
        } finally {
            lock.unlock();
        }
        queued.forEach(c -> CallFutures.fail(c.future, died));
    }

    /** A sent call is done (or was never sent): the next go, and a closing actor may end. */
    private void answered(Call call, Void unused) {
        List<Call> sends;
        boolean closeNow;
        lock.lock();
        try {
            sent.remove(call);
            sends = nextSends();
            closeNow = closed && sent.isEmpty() && queue.isEmpty();
        } finally {
            lock.unlock();
        }
        sends.forEach(this::send);
        if (closeNow) {
            closeSoon();
        }
    }

    /**
     * Ends the actor on a thread of its own: never on one of Ignite's, which the close request's
     * answer may need.
     */
    private void closeSoon() {
        Thread closer = new Thread(this::closeRemote, name + "-close");
        closer.setDaemon(true);
        closer.start();
    }

    /** Asks the node to end the actor, once its calls are done, and ends here. */
    private void closeRemote() {
        if (died == null) {
            try {
                request(
                        compute,
                        new Wire.ActorRequest(Wire.ActorRequest.CLOSE, number, 0, 0, new byte[0]),
                        "node " + node);
            } catch (RuntimeException e) {
                // the node is gone, and the actor with it
            }
        }
        lock.lock();
        try {
            if (terminated) {
                return;
            }
            terminated = true; // closeSoon may run twice: a last answer and shutdown() both saw it
            terminatedCondition.signalAll();
        } finally {
            lock.unlock();
        }
        ended.accept(this);
    }

    @Override
    public <T> TaskFuture<T> submit(TaskMethod method, Object target, Object[] args) {
        return submit(method, args);
    }

    @Override
    public void shutdown() {
        boolean closeNow;
        lock.lock();
        try {
            closeNow = !closed && sent.isEmpty() && queue.isEmpty();
            closed = true;
        } finally {
            lock.unlock();
        }
        if (closeNow) {
            closeSoon();
        }
    }

    @Override
    public List<TaskFuture<?>> shutdownNow() {
        List<Call> queued;
        List<Call> running;
        lock.lock();
        try {
            queued = new ArrayList<>(queue);
            queue.clear();
            running = new ArrayList<>(sent);
        } finally {
            lock.unlock();
        }
        shutdown();
        List<TaskFuture<?>> neverStarted = new ArrayList<>();
        for (Call c : queued) {
            if (c.future.cancel(false)) {
                neverStarted.add(c.future);
            }
        }
        running.forEach(c -> c.future.cancel(true));
        return neverStarted;
    }

    @Override
    public boolean isShutdown() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isTerminated() {
        lock.lock();
        try {
            return terminated;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!terminated) {
                if (left <= 0) {
                    return false;
                }
                left = terminatedCondition.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
