package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.PoolListener;
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskFutures;
import dev.paralleltask.runtime.WorkerCrashedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A pool's listener: every event, in order, off the pool's threads. */
@Timeout(180)
class PoolListenerTest {
    /** Every event, as a line. */
    private static final class Recorder implements PoolListener {
        final List<String> lines = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        volatile WorkerCrashedException crash;

        private synchronized void add(String line) {
            lines.add(line);
            threads.add(Thread.currentThread());
        }

        synchronized List<String> lines() {
            return List.copyOf(lines);
        }

        synchronized List<String> of(long call) {
            return lines.stream().filter(l -> l.startsWith("call " + call + " ")).toList();
        }

        @Override
        public void callQueued(Call call) {
            add("call " + call.id() + " queued " + call.method());
        }

        @Override
        public void callStarted(Call call, String worker, int attempt) {
            add("call " + call.id() + " started, attempt " + attempt);
        }

        @Override
        public void callCompleted(
                Call call, String worker, Outcome outcome, Duration ran, Throwable failure) {
            add(
                    "call "
                            + call.id()
                            + " "
                            + outcome
                            + (failure == null ? "" : " " + failure.getClass().getSimpleName()));
        }

        @Override
        public void workerStarted(String worker, long pid) {
            add("worker started " + worker);
        }

        @Override
        public void workerRecycled(String worker, long pid, String why) {
            add("worker recycled " + worker + ": " + why);
        }

        @Override
        public void workerExited(
                String worker, long pid, int exitCode, WorkerCrashedException crash) {
            if (crash != null) {
                this.crash = crash;
            }
            add("worker exited " + worker + (crash == null ? "" : " crashed " + exitCode));
        }
    }

    /** The id of the {@code n}th call queued (from 1), once the listener has heard of it. */
    private static long callId(Recorder r, int n) throws InterruptedException {
        Futures.eventually(
                n + " calls queued: " + r.lines(),
                () -> r.lines().stream().filter(l -> l.contains(" queued ")).count() >= n);
        String nth =
                r.lines().stream()
                        .filter(l -> l.contains(" queued "))
                        .skip(n - 1)
                        .findFirst()
                        .orElseThrow();
        return Long.parseLong(nth.split(" ")[1]);
    }

    private static void awaitEvents(Recorder r, long call, int count) throws InterruptedException {
        Futures.eventually(
                "call " + call + " has " + count + " events: " + r.lines(),
                () -> r.of(call).size() >= count);
    }

    @Test
    void everyOutcomeIsHeardInOrderOffThePoolsThreads(@TempDir Path dir) throws Exception {
        Recorder r = new Recorder();
        try (ProcessPool pool =
                ProcessPool.builder().workers(1).maxTasksPerWorker(4).listener(r).build()) {
            FaultsTasks faults = new FaultsTasks(pool);
            await(faults.increment());
            long ok = callId(r, 1);
            awaitEvents(r, ok, 3);
            assertEquals(
                    List.of(
                            "call " + ok + " queued Faults.increment()",
                            "call " + ok + " started, attempt 1",
                            "call " + ok + " OK"),
                    r.of(ok));

            failure(faults.throwCounting(dir.resolve("t").toString()), Exception.class);
            long threw = callId(r, 2);
            awaitEvents(r, threw, 3);
            assertTrue(
                    r.of(threw).get(2).startsWith("call " + threw + " FAILED"),
                    () -> r.lines().toString());

            TaskFuture<Long> slow = faults.sleep(60_000);
            long cancelled = callId(r, 3);
            Futures.eventually("it runs", slow::isRunning);
            slow.cancel(true);
            awaitEvents(r, cancelled, 3);
            assertEquals(
                    "call " + cancelled + " CANCELLED CancellationException",
                    r.of(cancelled).get(2));

            failure(faults.exit(3), WorkerCrashedException.class);
            long crashed = callId(r, 4);
            awaitEvents(r, crashed, 3);
            assertEquals(
                    "call " + crashed + " FAILED WorkerCrashedException", r.of(crashed).get(2));
            Futures.eventually(
                    "the crash is heard", () -> r.crash != null && r.crash.exitCode() == 3);
            assertTrue(r.crash.getMessage().contains("exited with code 3"), r.crash::getMessage);

            for (int i = 0; i < 4; i++) {
                await(faults.increment()); // a fourth call wears the worker out
            }
            Futures.eventually(
                    "a worn worker is recycled",
                    () ->
                            r.lines().stream()
                                    .anyMatch(
                                            l ->
                                                    l.contains("recycled")
                                                            && l.contains("maxTasksPerWorker")));
        }
        List<String> lines = r.lines();
        assertTrue(
                lines.stream().filter(l -> l.startsWith("worker started")).count() >= 3,
                lines::toString);
        assertTrue(lines.get(lines.size() - 1).startsWith("worker exited"), lines::toString);
        synchronized (r) {
            for (Thread t : r.threads) {
                assertTrue(t.getName().endsWith("-listener"), t.getName());
            }
        }
    }

    /**
     * A map's calls are queued in batches, their starts posted per decision and their completions
     * per batch of answers: each call is still heard queued, then started, then completed, and a
     * call cancelled by the stream's early close is heard cancelled after its queueing.
     */
    @Test
    void eachOfAMapsCallsIsHeardQueuedStartedAndCompletedInThatOrder() throws Exception {
        Map<Long, StringBuilder> heard = new ConcurrentHashMap<>();
        PoolListener byCall =
                new PoolListener() {
                    private void add(Call call, char event) {
                        heard.computeIfAbsent(call.id(), id -> new StringBuilder()).append(event);
                    }

                    @Override
                    public void callQueued(Call call) {
                        add(call, 'q');
                    }

                    @Override
                    public void callStarted(Call call, String worker, int attempt) {
                        add(call, 's');
                    }

                    @Override
                    public void callCompleted(
                            Call call,
                            String worker,
                            Outcome outcome,
                            Duration ran,
                            Throwable failure) {
                        add(call, outcome == Outcome.CANCELLED ? 'x' : 'c');
                    }
                };
        List<Integer> inputs = IntStream.range(0, 20_000).boxed().toList();
        try (ProcessPool pool = ProcessPool.builder().workers(2).listener(byCall).build()) {
            FaultsTasks faults = new FaultsTasks(pool);
            assertEquals(inputs.size(), TaskFutures.map(inputs, i -> faults.increment()).count());
            // Calls of a millisecond: thousands still wait when the stream is closed.
            try (Stream<Long> early = TaskFutures.map(inputs, i -> faults.sleep(1))) {
                assertEquals(10, early.limit(10).count());
            }
        }
        // The pool has terminated: the listener has heard everything.
        long cancelled = 0;
        for (Map.Entry<Long, StringBuilder> call : heard.entrySet()) {
            String events = call.getValue().toString();
            // Queued once, started once or more (taken back from a worker before it ran, and
            // started elsewhere), then completed or cancelled once, in that order.
            assertTrue(
                    events.matches("qs*[cx]") && (events.endsWith("x") || events.contains("s")),
                    () -> "call " + call.getKey() + " was heard as " + events);
            cancelled += events.endsWith("x") ? 1 : 0;
        }
        assertTrue(heard.size() >= inputs.size() + 10, () -> heard.size() + " calls heard");
        assertTrue(cancelled > 0, "the early close cancelled calls");
    }

    @Test
    void aListenerThatThrowsOrHangsNeitherBreaksNorHoldsUpThePool() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        PoolListener hangs =
                new PoolListener() {
                    @Override
                    public void callQueued(Call call) {
                        try {
                            never.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                };
        PoolListener throwing =
                new PoolListener() {
                    @Override
                    public void callCompleted(
                            Call call,
                            String worker,
                            Outcome outcome,
                            Duration ran,
                            Throwable failure) {
                        throw new IllegalStateException("a listener's own bug");
                    }
                };
        for (PoolListener listener : List.of(hangs, throwing)) {
            ProcessPool pool = ProcessPool.builder().workers(1).listener(listener).build();
            FaultsTasks faults = new FaultsTasks(pool);
            List<TaskFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                calls.add(faults.increment());
            }
            for (TaskFuture<Integer> c : calls) {
                assertNotNull(await(c));
            }
            pool.close();
            assertTrue(pool.isTerminated());
        }
        never.countDown();
    }
}
