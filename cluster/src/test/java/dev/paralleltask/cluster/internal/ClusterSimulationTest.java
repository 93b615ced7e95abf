package dev.paralleltask.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskTimeoutException;
import dev.paralleltask.runtime.WorkerCrashedException;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import dev.paralleltask.runtime.internal.wire.CallCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The client's dispatcher and the nodes' sessions, joined by links that deliver messages late and
 * out of order, on nodes that die, on one thread in simulated time: every interleaving comes from a
 * seed, and {@code -Dsim.seed=S} replays seed {@code S}.
 *
 * <p>Each run (one or two clients, one to three nodes, nodes killed or stalled for seconds, one
 * call in five with a timeout, now and then more calls than a node admits, a node in three
 * admitting few bytes of calls) checks what the protocol promises: every call ends; no call runs
 * more often than its retries allow (a {@code retries = 0} call at most once), whatever died when;
 * a value comes only from a run of that call; no node holds more calls or bytes waiting than it
 * admits; and every node still up ends holding no call.
 */
class ClusterSimulationTest {
    /** Seeds a run tries: {@code -Dsim.seeds=N} tries more. */
    private static final int SEEDS = Integer.getInteger("sim.seeds", 400);

    @Test
    void everyCallEndsAndNoneRunsMoreOftenThanItsRetriesAllow() {
        String replay = System.getProperty("sim.seed");
        long[] seeds =
                replay != null
                        ? new long[] {Long.parseLong(replay)}
                        : LongStream.rangeClosed(1, SEEDS).toArray();
        long ran = 0;
        long lostAfterRunning = 0;
        long neverRanButFailed = 0;
        long gaveUp = 0;
        for (long seed : seeds) {
            Sim sim = new Sim(seed);
            try {
                sim.run();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + " (replay: -Dsim.seed=" + seed + ")", e);
            }
            ran += sim.runs.values().stream().mapToInt(Integer::intValue).sum();
            lostAfterRunning += sim.lostAfterRunning;
            neverRanButFailed += sim.neverRanButFailed;
            gaveUp += sim.gaveUpOnSilentNode;
        }
        // The runs did what the test is for: calls ran, and nodes died under some.
        assertTrue(ran > 1_000, "calls ran: " + ran);
        assertTrue(
                replay != null || lostAfterRunning > 10, "lost after running: " + lostAfterRunning);
        assertTrue(replay != null || gaveUp > 0, "no timed call met a node that fell silent");
        System.out.printf(
                "simulated %d seeds: %d runs, %d calls failed as lost with their node after running,"
                        + " %d failed so without having run, %d timed calls gave up on a silent"
                        + " node%n",
                seeds.length, ran, lostAfterRunning, neverRanButFailed, gaveUp);
    }

    /** One simulated run: a client, three nodes, and a schedule of events. */
    private static final class Sim {
        final Random random;
        long now;
        long seq;
        final PriorityQueue<Event> events = new PriorityQueue<>();

        /** The clients: one or two, sharing the nodes. */
        final List<ClusterDispatcher> clients = new ArrayList<>();

        final List<SimNode> nodes = new ArrayList<>();
        final Map<Long, Integer> runs = new HashMap<>();
        final Map<Long, TaskFuture<Object>> futures = new HashMap<>();
        final Map<Long, TaskMethod> methods = new HashMap<>();
        long lostAfterRunning;
        long neverRanButFailed;
        long gaveUpOnSilentNode;

        record Event(long time, long seq, Runnable action) implements Comparable<Event> {
            @Override
            public int compareTo(Event o) {
                return time != o.time ? Long.compare(time, o.time) : Long.compare(seq, o.seq);
            }
        }

        Sim(long seed) {
            this.random = new Random(seed);
            int clientCount = 1 + random.nextInt(2);
            for (int i = 0; i < clientCount; i++) {
                clients.add(
                        new ClusterDispatcher(
                                ClusterSimulationTest.class.getClassLoader(),
                                new AnswerAdmission(List.of()),
                                (task, millis) -> at(millis, task),
                                () -> {}));
            }
        }

        void at(long delay, Runnable action) {
            events.add(new Event(now + delay, seq++, action));
        }

        long delay() {
            return random.nextInt(4) == 0 ? random.nextInt(50) : random.nextInt(3);
        }

        void run() {
            int nodeCount = 1 + random.nextInt(3);
            for (int i = 0; i < nodeCount; i++) {
                addNode(1 + random.nextInt(3));
            }
            // Now and then more calls than a node admits, so that clients meet full nodes.
            int calls =
                    random.nextInt(4) == 0 ? 1_100 + random.nextInt(600) : 20 + random.nextInt(200);
            for (long id = 0; id < calls; id++) {
                long call = id;
                at(random.nextInt(200), () -> submit(call));
            }
            int deaths = random.nextInt(3);
            for (int i = 0; i < deaths; i++) {
                at(random.nextInt(400), this::killOne);
            }
            if (random.nextInt(3) == 0) { // a node stalls (GC, a partition) and comes back
                at(random.nextInt(400), this::freezeOne);
            }
            if (random.nextBoolean()) {
                at(random.nextInt(400), () -> addNode(1 + random.nextInt(3)));
            }
            long steps = 0;
            while (!events.isEmpty()) {
                Event e = events.poll();
                now = e.time();
                e.action().run();
                if (++steps >= 2_000_000) {
                    throw new AssertionError(
                            "the run never settles: "
                                    + clients
                                    + "; "
                                    + nodes.stream()
                                            .map(
                                                    n ->
                                                            n.name
                                                                    + (n.dead ? " dead" : "")
                                                                    + " holds "
                                                                    + n.sessions.held())
                                            .toList()
                                    + " at "
                                    + now
                                    + ", undone "
                                    + futures.entrySet().stream()
                                            .filter(f -> !f.getValue().isDone())
                                            .map(Map.Entry::getKey)
                                            .limit(20)
                                            .toList());
                }
            }
            check();
        }

        void submit(long id) {
            int retries = random.nextInt(3) == 0 ? 1 : 0;
            TaskMethod method =
                    new TaskMethod((m, t, a) -> null, 0, "Sim.call" + id, List.of(), 0, retries);
            byte[] request = ByteBuffer.allocate(8).putLong(id).array();
            ClusterDispatcher client = clients.get(random.nextInt(clients.size()));
            // One call in five has a timeout: its watchdog gives up on a node that fell silent.
            long timeout = random.nextInt(5) == 0 ? 50 + random.nextInt(500) : 0;
            ClusterCall call = client.call(method, request, timeout);
            futures.put(id, call.future());
            methods.put(id, method);
            assertTrue(client.submit(call));
            if (random.nextInt(10) == 0) {
                at(random.nextInt(100), () -> call.future().cancel(random.nextBoolean()));
            }
        }

        void addNode(int capacity) {
            // One node in three holds few bytes of calls waiting, so that it admits batches in
            // part.
            long admitBytes =
                    random.nextInt(3) == 0 ? 8L * (5 + random.nextInt(200)) : Exchange.ADMIT_BYTES;
            SimNode node = new SimNode(UUID.randomUUID(), "n" + nodes.size(), capacity, admitBytes);
            nodes.add(node);
            clients.forEach(c -> c.added(node.id, node.name, capacity, node));
        }

        void killOne() {
            List<SimNode> up = nodes.stream().filter(n -> !n.dead).toList();
            if (up.size() <= 1) {
                return; // one node stays, so that calls can end
            }
            SimNode victim = up.get(random.nextInt(up.size()));
            victim.dead = true;
            // Messages under way fail, later; the topology tells the client later still.
            for (CompletableFuture<Exchange.Reply> f : List.copyOf(victim.inFlight)) {
                at(delay(), () -> f.completeExceptionally(new IllegalStateException("gone")));
            }
            for (ClusterDispatcher client : clients) {
                at(5 + random.nextInt(100), () -> client.gone(victim.id));
            }
        }

        void freezeOne() {
            List<SimNode> up = nodes.stream().filter(n -> !n.dead && !n.frozen).toList();
            SimNode node = up.get(random.nextInt(up.size()));
            node.frozen = true;
            at(2_500 + random.nextInt(3_000), () -> node.frozen = false);
        }

        void check() {
            for (Map.Entry<Long, TaskFuture<Object>> e : futures.entrySet()) {
                long id = e.getKey();
                TaskFuture<Object> f = e.getValue();
                int ran = runs.getOrDefault(id, 0);
                TaskMethod method = methods.get(id);
                assertTrue(f.isDone(), "call " + id + " never ended; " + clients);
                assertTrue(
                        ran <= method.retries() + 1,
                        "call " + id + " with retries " + method.retries() + " ran " + ran);
                try {
                    assertEquals(id, f.get());
                    assertTrue(ran >= 1, "call " + id + " answered without running");
                } catch (CancellationException c) {
                    // cancelled: it may or may not have run
                } catch (ExecutionException x) {
                    assertTrue(
                            x.getCause() instanceof WorkerCrashedException
                                    || x.getCause() instanceof TaskTimeoutException,
                            "call " + id + ": " + x.getCause());
                    if (x.getCause() instanceof TaskTimeoutException) {
                        gaveUpOnSilentNode++;
                    } else if (x.getCause().getMessage().contains("left the cluster")) {
                        if (ran > 0) {
                            lostAfterRunning++;
                        } else {
                            neverRanButFailed++;
                        }
                    }
                } catch (InterruptedException x) {
                    throw new AssertionError(x);
                }
            }
            for (SimNode node : nodes) {
                if (!node.dead) {
                    node.sessions.expire(Long.MAX_VALUE / 2); // sessions of lost links
                    assertEquals(0, node.sessions.held(), node.name + " still holds calls");
                }
            }
        }

        /** A node: its sessions, its "workers" (calls end after a while), its link. */
        final class SimNode implements NodeLink, CallStarter {
            final UUID id;
            final String name;
            final int capacity;
            final long admitBytes;
            final CallSessions sessions;
            final List<CompletableFuture<Exchange.Reply>> inFlight = new ArrayList<>();
            boolean dead;

            /** Stalled: nothing it does happens until it thaws. */
            boolean frozen;

            /** Runs {@code action} after {@code delay}, or once the node thaws if it is frozen. */
            void later(long delay, Runnable action) {
                at(
                        delay,
                        () -> {
                            if (frozen) {
                                later(10, action);
                            } else {
                                action.run();
                            }
                        });
            }

            SimNode(UUID id, String name, int capacity, long admitBytes) {
                this.id = id;
                this.name = name;
                this.capacity = capacity;
                this.admitBytes = admitBytes;
                this.sessions = new CallSessions(capacity, admitBytes, this);
            }

            @Override
            public CompletionStage<Exchange.Reply> exchange(Exchange.Message message) {
                CompletableFuture<Exchange.Reply> reply = new CompletableFuture<>();
                if (dead) {
                    at(
                            delay(),
                            () -> reply.completeExceptionally(new IllegalStateException("gone")));
                    return reply;
                }
                inFlight.add(reply);
                reply.whenComplete((r, e) -> inFlight.remove(reply));
                later(delay(), () -> arrive(message, reply));
                return reply;
            }

            private void arrive(Exchange.Message message, CompletableFuture<Exchange.Reply> reply) {
                if (dead) {
                    return; // it fails when the node's death is noticed
                }
                if (message instanceof Exchange.Poll poll) {
                    CompletableFuture<Void> ready = sessions.poll(poll, now);
                    at(CallSessions.POLL_MILLIS, () -> ready.complete(null));
                    ready.thenRun(
                            () -> {
                                if (!dead) {
                                    Exchange.Reply r = sessions.take(poll.session());
                                    later(delay(), () -> reply.complete(r));
                                }
                            });
                    return;
                }
                Exchange.Reply r;
                if (message instanceof Exchange.Send send && send.waitMillis() > 0) {
                    Exchange.Reply admitted = sessions.send(send, now);
                    CompletableFuture<Void> ready = sessions.awaitAnswers(send.session());
                    at(send.waitMillis(), () -> ready.complete(null));
                    ready.thenRun(
                            () -> {
                                if (!dead) {
                                    Exchange.Reply both =
                                            admitted.with(sessions.take(send.session()));
                                    later(delay(), () -> reply.complete(both));
                                }
                            });
                    return;
                }
                if (message instanceof Exchange.Send send) {
                    r = sessions.send(send, now);
                    assertTrue(
                            sessions.held() <= Exchange.admits(capacity), name + " over its bound");
                    assertTrue(
                            sessions.waitingBytes() <= admitBytes,
                            name + " holds " + sessions.waitingBytes() + " bytes waiting");
                } else if (message instanceof Exchange.Withdraw withdraw) {
                    r = sessions.withdraw(withdraw);
                } else if (message instanceof Exchange.Cancel cancel) {
                    sessions.cancel(cancel);
                    r = Exchange.Reply.unknown(0, 0, false);
                } else {
                    sessions.close(message.session());
                    r = Exchange.Reply.unknown(0, 0, false);
                }
                later(delay(), () -> reply.complete(r));
            }

            @Override
            public List<Runnable> start(List<byte[]> requests, CallStarter.Ended ended) {
                List<Runnable> stops = new ArrayList<>();
                for (int i = 0; i < requests.size(); i++) {
                    long call = ByteBuffer.wrap(requests.get(i)).getLong();
                    runs.merge(call, 1, Integer::sum);
                    CompletableFuture<Wire.Reply> reply = new CompletableFuture<>();
                    boolean crashes = random.nextInt(15) == 0;
                    later(
                            1 + random.nextInt(30),
                            () -> {
                                if (!dead) {
                                    reply.complete(crashes ? crashed("died") : result(call));
                                }
                            });
                    int position = i;
                    reply.thenAccept(r -> ended.ended(position, r)); // once, as the node's pool
                    stops.add(() -> at(delay(), () -> reply.complete(crashed("stopped"))));
                }
                return stops;
            }

            @Override
            public void close() {}
        }

        static Wire.Reply result(long call) {
            try {
                return new Wire.Answer(
                        Wire.Answer.RESULT, false, 0, "", CallCodec.encodeResult(call));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        static Wire.Reply crashed(String why) {
            return new Wire.Crashed(why, "w", -1, -1, List.of(), List.of());
        }
    }
}
