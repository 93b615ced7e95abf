package dev.paralleltask.cluster.internal;

import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import dev.paralleltask.runtime.internal.spi.CallCoding;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import dev.paralleltask.runtime.internal.spi.Failures;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * One call of a {@link ClusterDispatcher}: what to send, where it is, how often it ran, and the
 * rule of when it runs again. Its mutable fields are guarded by its dispatcher's lock.
 */
public final class ClusterCall {
    final TaskMethod method;
    final byte[] request;
    final long timeoutMillis;
    final TaskFuture<Object> future;

    /** Times it ran or may have run. */
    int attempts;

    /** The node it was sent to, or null. */
    NodeLine line;

    /** Its session there, and its number in it. */
    UUID session;

    long index;

    ClusterCall(
            TaskMethod method,
            byte[] request,
            long timeoutMillis,
            BiConsumer<ClusterCall, Boolean> cancelled) {
        this.method = method;
        this.request = request;
        this.timeoutMillis = timeoutMillis;
        this.future =
                CallFutures.create((f, wasRunning, interrupt) -> cancelled.accept(this, interrupt));
    }

    /** The caller's future. */
    public TaskMethod method() {
        return method;
    }

    public TaskFuture<Object> future() {
        return future;
    }

    /** It ran, or may have: whether its method's {@code retries} let it run again. */
    boolean ranAndMayRunAgain() {
        attempts++;
        return attempts <= method.retries() && !future.isDone();
    }

    /** How a failure names the attempt: " (attempt 2 of 2)", or "" without retries. */
    String attempt() {
        int retries = method.retries();
        return retries == 0 ? "" : " (attempt " + attempts + " of " + (retries + 1) + ")";
    }

    /** Settles the call with its node's reply, decoded here; never under the lock. */
    void settle(Wire.Reply reply, String node, ClassLoader loader, AnswerAdmission admission) {
        CallCoding.Outcome outcome;
        try {
            outcome = Replies.outcome(method, reply, node, attempt(), loader, admission);
        } catch (RuntimeException | Error e) {
            CallFutures.fail(future, e);
            return;
        }
        if (outcome.failure() != null) {
            CallFutures.fail(future, outcome.failure());
        } else {
            CallFutures.complete(future, outcome.value());
        }
    }

    /**
     * Fails the call: it has a timeout and its node said nothing for well past it, since {@code
     * sentAt} (System.nanoTime()); never under the lock.
     */
    void failSilent(NodeLine node, long sentAt) {
        CallFutures.fail(
                future,
                Failures.timeout(
                        method,
                        Duration.ofMillis(timeoutMillis),
                        Duration.ofNanos(System.nanoTime() - sentAt),
                        "on "
                                + node
                                + ", which sent no answer since; it may have stalled or left the"
                                + " cluster",
                        new StackTraceElement[0]));
    }

    /** Fails the call: its node was lost while it may have run there; never under the lock. */
    void failLost(NodeLine node, String attempt, String why) {
        CallFutures.fail(
                future,
                Failures.crashedElsewhere(
                        node
                                + " left the cluster or could not be reached while running "
                                + method.displayName()
                                + attempt
                                + ": "
                                + why,
                        node.name,
                        -1,
                        -1,
                        List.of(),
                        List.of(),
                        null));
    }
}
