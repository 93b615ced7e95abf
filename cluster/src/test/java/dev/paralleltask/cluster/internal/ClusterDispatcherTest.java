package dev.paralleltask.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.WorkerCrashedException;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import dev.paralleltask.runtime.internal.wire.CallCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's rules, one at a time, on nodes whose calls end when the test says: messages are
 * delivered at once, in order, on the test's thread.
 */
class ClusterDispatcherTest {
    /** What the dispatchers scheduled: run when the test says. */
    private final List<Runnable> timers = new ArrayList<>();

    private final ClusterDispatcher dispatcher = dispatcher();

    private ClusterDispatcher dispatcher() {
        return new ClusterDispatcher(
                ClusterDispatcherTest.class.getClassLoader(),
                new AnswerAdmission(List.of()),
                (task, millis) -> timers.add(task),
                () -> {});
    }

    private void runTimers() {
        List<Runnable> due = List.copyOf(timers);
        timers.clear();
        due.forEach(Runnable::run);
    }

    @Test
    void aLostNodeRanOnlyWhatItWasGrantedTheRestGoElsewhereNeverStarted() throws Exception {
        Node a = node("a", 1, dispatcher);
        List<TaskFuture<Object>> calls = submit(dispatcher, 5, 0);
        assertEquals(List.of(0L), a.started(), "a has one worker: it was granted one call");
        dispatcher.gone(a.id); // a died with five calls: one ran
        Node b = node("b", 1, dispatcher);

        ExecutionException lost =
                assertThrows(ExecutionException.class, () -> calls.get(0).get(1, TimeUnit.SECONDS));
        WorkerCrashedException crashed =
                assertInstanceOf(WorkerCrashedException.class, lost.getCause());
        assertTrue(
                crashed.getMessage().startsWith("node a left the cluster"), crashed.getMessage());
        for (long call = 1; call < 5; call++) { // never started: they run on b, once
            assertEquals(call, b.started().get(0));
            b.finish(call);
            assertEquals(call, calls.get((int) call).get(1, TimeUnit.SECONDS));
        }
        assertEquals(List.of(0L), a.started());
    }

    @Test
    void aCallRetriedOnceRunsAgainElsewhereWhenItsNodeIsLost() throws Exception {
        Node a = node("a", 1, dispatcher);
        List<TaskFuture<Object>> calls = submit(dispatcher, 1, 1);
        dispatcher.gone(a.id);
        Node b = node("b", 1, dispatcher);
        b.finish(0);
        assertEquals(0L, calls.get(0).get(1, TimeUnit.SECONDS));
        assertEquals(List.of(0L), a.started());
        assertEquals(List.of(), b.started()); // finished there
    }

    @Test
    void aFullNodeAdmitsWhatFitsAndTheRestWaitsForRoom() throws Exception {
        Node a = node("a", 1, dispatcher);
        int admits = Exchange.admits(1);
        List<TaskFuture<Object>> calls = submit(dispatcher, admits + 10, 0);
        assertEquals(admits, a.sessions.held());
        Node b = node("b", 1, dispatcher); // room: what waited goes there
        assertEquals(10, b.sessions.held());
        // Another client on a full node waits too: the node's bound is all clients' together.
        ClusterDispatcher other = dispatcher();
        other.added(a.id, a.name, 1, a);
        List<TaskFuture<Object>> others = submit(other, 3, 0);
        assertEquals(admits, a.sessions.held());
        a.finish(0);
        assertEquals(0L, calls.get(0).get(1, TimeUnit.SECONDS));
        assertEquals(admits - 1, a.sessions.held());
        runTimers(); // the other client asks a full node again after a while
        assertEquals(admits, a.sessions.held(), "a's room went to the other client's call");
        assertTrue(others.stream().noneMatch(TaskFuture::isDone));
    }

    @Test
    void aNodeWithNothingToDoTakesBackCallsAnotherHoldsUnstarted() throws Exception {
        Node a = node("a", 1, dispatcher);
        Node b = node("b", 1, dispatcher);
        List<TaskFuture<Object>> calls = submit(dispatcher, 10, 0);
        assertEquals(5, a.sessions.held());
        assertEquals(5, b.sessions.held());
        for (long call : List.copyOf(b.started())) {
            b.finish(call);
        }
        while (!b.started().isEmpty()) { // b runs out of its own: it takes a's
            b.finish(b.started().get(0));
        }
        assertEquals(2, a.sessions.held(), "a kept the call it runs, and one it holds");
        while (!a.started().isEmpty()) {
            a.finish(a.started().get(0));
        }
        for (TaskFuture<Object> call : calls) {
            call.get(1, TimeUnit.SECONDS);
        }
        assertTrue(b.ran.size() > 5, "b ran " + b.ran);
    }

    private List<TaskFuture<Object>> submit(ClusterDispatcher to, int n, int retries) {
        List<TaskFuture<Object>> futures = new ArrayList<>();
        for (long id = futures.size(); futures.size() < n; id++) {
            TaskMethod method =
                    new TaskMethod((m, t, a) -> null, 0, "Test.call", List.of(), 0, retries);
            ClusterCall call = to.call(method, ByteBuffer.allocate(8).putLong(id).array(), 0);
            futures.add(call.future());
            assertTrue(to.submit(call));
        }
        return futures;
    }

    private static Node node(String name, int capacity, ClusterDispatcher to) {
        Node node = new Node(name, capacity);
        to.added(node.id, name, capacity, node);
        return node;
    }

    /** A node whose calls end when the test finishes them. */
    private static final class Node implements NodeLink, CallStarter {
        final UUID id = UUID.randomUUID();
        final String name;
        final CallSessions sessions;
        final Map<Long, CompletableFuture<Wire.Reply>> running = new LinkedHashMap<>();
        final List<Long> ran = new ArrayList<>();

        Node(String name, int capacity) {
            this.name = name;
            this.sessions = new CallSessions(capacity, this);
        }

        List<Long> started() {
            return List.copyOf(running.keySet());
        }

        void finish(long call) throws Exception {
            running.remove(call)
                    .complete(
                            new Wire.Answer(
                                    Wire.Answer.RESULT,
                                    false,
                                    0,
                                    "",
                                    CallCodec.encodeResult(call)));
        }

        @Override
        public CompletionStage<Exchange.Reply> exchange(Exchange.Message message) {
            if (message instanceof Exchange.Poll poll) {
                CompletableFuture<Exchange.Reply> reply = new CompletableFuture<>();
                sessions.poll(poll, System.nanoTime())
                        .thenRun(() -> reply.complete(sessions.take(poll.session())));
                return reply;
            }
            if (message instanceof Exchange.Send send) { // answered at once, as if none came
                Exchange.Reply admitted = sessions.send(send, System.nanoTime());
                return CompletableFuture.completedFuture(
                        send.waitMillis() > 0
                                ? admitted.with(sessions.take(send.session()))
                                : admitted);
            }
            if (message instanceof Exchange.Withdraw withdraw) {
                return CompletableFuture.completedFuture(sessions.withdraw(withdraw));
            }
            if (message instanceof Exchange.Cancel cancel) {
                sessions.cancel(cancel);
            } else {
                sessions.close(message.session());
            }
            return CompletableFuture.completedFuture(Exchange.Reply.unknown(0, 0, false));
        }

        @Override
        public List<Runnable> start(List<byte[]> requests, CallStarter.Ended ended) {
            List<Runnable> stops = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                long call = ByteBuffer.wrap(requests.get(i)).getLong();
                CompletableFuture<Wire.Reply> reply = new CompletableFuture<>();
                running.put(call, reply);
                ran.add(call);
                int position = i;
                reply.thenAccept(r -> ended.ended(position, r));
                stops.add(() -> {});
            }
            return stops;
        }

        @Override
        public void close() {}
    }
}
