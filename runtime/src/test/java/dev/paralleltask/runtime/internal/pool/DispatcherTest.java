package dev.paralleltask.runtime.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ActorDiedException;
import dev.paralleltask.runtime.WorkerCrashedException;
import dev.paralleltask.runtime.WorkerStartException;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.wire.Frame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dispatcher's decisions, without child JVMs: workers here are handles with no process, and
 * what the dispatcher sends them is read back from their outboxes.
 */
@Timeout(60)
class DispatcherTest {
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final List<Actions> fromTimer = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private Dispatcher dispatcher(Dispatcher.Sizing sizing) {
        return new Dispatcher(
                "pool-t",
                "pool-t-worker-",
                sizing,
                0,
                16,
                Duration.ZERO,
                timer,
                fromTimer::add,
                new PoolMonitor(),
                false);
    }

    private Dispatcher dispatcher(int size, int maxTasksPerWorker, int sendAhead) {
        return new Dispatcher(
                "pool-t",
                "pool-t-worker-",
                new Dispatcher.Sizing(size, size, 0, Duration.ofSeconds(60), 1),
                maxTasksPerWorker,
                sendAhead,
                Duration.ZERO,
                timer,
                fromTimer::add,
                new PoolMonitor(),
                false);
    }

    private static TaskMethod method(int retries) {
        return new TaskMethod((m, target, args) -> null, 0, "Tasks.run()", List.of(), 0, retries);
    }

    private PoolCall submit(Dispatcher dispatcher, TaskMethod method) {
        PoolCall call =
                new PoolCall(ids.incrementAndGet(), method, new byte[0], (c, interrupt) -> {});
        dispatcher.submit(call);
        return call;
    }

    /** A new worker that has shaken hands. */
    private static Worker join(Dispatcher dispatcher) {
        Worker worker = dispatcher.newWorker();
        assertTrue(dispatcher.connected(worker, worker.pid(), null, null) != null);
        return worker;
    }

    /** The worker answered call {@code id}: the call, or null if that was out of turn. */
    private static PoolCall answered(
            Dispatcher dispatcher, Worker worker, long id, Actions actions) {
        return dispatcher.answered(worker, new long[] {id}, 1, actions)[0];
    }

    /** What the worker was sent since the last look, e.g. "Call 1, Revoke 3". */
    private static String sent(Worker worker) {
        return worker.drainOutbox().stream()
                .map(DispatcherTest::describe)
                .collect(Collectors.joining(", "));
    }

    private static String describe(Frame frame) {
        if (frame instanceof Frame.Call c) {
            return "Call " + c.id();
        }
        if (frame instanceof Frame.Revoke r) {
            return "Revoke " + r.id();
        }
        return frame.getClass().getSimpleName();
    }

    @Test
    void callsGoToTheWorkerWithTheFewestInFlight() {
        Dispatcher dispatcher = dispatcher(2, 0, 8);
        Worker first = join(dispatcher);
        Worker second = join(dispatcher);
        for (int i = 0; i < 4; i++) {
            submit(dispatcher, method(0));
        }
        assertEquals("Call 1, Call 3", sent(first));
        assertEquals("Call 2, Call 4", sent(second));
    }

    @Test
    void sendAheadStopsAtItsDepthAndTheRestWaitInTheQueue() {
        Dispatcher dispatcher = dispatcher(1, 0, 2);
        Worker worker = join(dispatcher);
        PoolCall first = submit(dispatcher, method(0));
        submit(dispatcher, method(0));
        PoolCall third = submit(dispatcher, method(0));
        assertEquals("Call 1, Call 2", sent(worker));
        assertNull(third.worker);
        assertEquals(first, answered(dispatcher, worker, first.id, new Actions()));
        assertEquals("Call 3", sent(worker));
    }

    @Test
    void anIdleWorkerTakesHalfOfTheCallsWaitingAtTheBusiestOne() {
        Dispatcher dispatcher = dispatcher(2, 0, 16);
        Worker busy = join(dispatcher);
        for (int i = 0; i < 5; i++) {
            submit(dispatcher, method(0)); // call 1 runs, 2 to 5 wait behind it
        }
        sent(busy);
        Worker idle = join(dispatcher);
        assertEquals("Revoke 4, Revoke 5", sent(busy));
        assertEquals("", sent(idle));

        Actions actions = new Actions();
        assertTrue(dispatcher.dropped(busy, 4, actions)); // the worker answers revokes in order
        assertTrue(dispatcher.dropped(busy, 5, actions));
        assertEquals("Call 4, Call 5", sent(idle));
        assertEquals(List.of(idle), actions.sends);
    }

    @Test
    void aCallDroppedBeforeItStartedDoesNotCountAsAnAttempt() {
        Dispatcher dispatcher = dispatcher(2, 0, 16);
        Worker busy = join(dispatcher);
        submit(dispatcher, method(0));
        PoolCall waiting = submit(dispatcher, method(0));
        join(dispatcher); // steals the waiting call
        assertTrue(waiting.revoked);
        assertTrue(dispatcher.dropped(busy, waiting.id, new Actions()));
        assertEquals(1, waiting.attempts); // started once, at the thief, which was idle
        assertTrue(waiting.started);
    }

    @Test
    void aCallWhoseWorkerDiedRunsAgainAsItsRetriesAllowThenFails() {
        Dispatcher dispatcher = dispatcher(1, 0, 4);
        Worker first = join(dispatcher);
        PoolCall call = submit(dispatcher, method(1));
        Actions died = dispatcher.died(first, 137, null);
        assertTrue(died.settlements.isEmpty(), "a call with a retry left is not failed");
        assertEquals(1, died.launches);
        assertEquals(0, died.launchDelayMillis);

        Worker second = join(dispatcher);
        assertEquals("Call 1", sent(second));
        assertEquals(2, call.attempts);
        Actions diedAgain = dispatcher.died(second, 137, null);
        WorkerCrashedException crash =
                assertInstanceOf(
                        WorkerCrashedException.class, diedAgain.settlements.get(0).failure());
        assertEquals(137, crash.exitCode());
        assertTrue(
                crash.getMessage().contains("killed by SIGKILL (exit code 137), not by the pool")
                        && crash.getMessage().contains("attempt 2 of 2"),
                crash::getMessage);
    }

    @Test
    void anActorsJvmRestartsAsOftenAsAllowedThenItsQueuedAndLaterCallsFailWithActorDied() {
        Dispatcher dispatcher = dispatcher(1, 0, 4);
        dispatcher.limitRestarts("pool-t-actor-1", 1);
        Worker first = join(dispatcher);
        PoolCall running = submit(dispatcher, method(0));
        PoolCall queued = submit(dispatcher, method(0));
        Actions died = dispatcher.died(first, 3, null);
        assertEquals(running, died.settlements.get(0).call(), "the running call fails");
        assertEquals(1, died.settlements.size(), "the one behind it waits for the restart");
        assertEquals(1, died.launches);
        assertEquals(1, dispatcher.restarts());
        assertNull(dispatcher.gaveUp());

        Worker second = join(dispatcher);
        assertEquals("Call 2", sent(second));
        PoolCall behind = submit(dispatcher, method(0));
        Actions diedAgain = dispatcher.died(second, 137, null);
        assertEquals(0, diedAgain.launches, "no restart left");
        ActorDiedException gaveUp = assertInstanceOf(ActorDiedException.class, dispatcher.gaveUp());
        assertTrue(
                gaveUp.getMessage().contains("pool-t-actor-1")
                        && gaveUp.getMessage().contains("restarts(1)")
                        && gaveUp.getMessage().contains("SIGKILL"),
                gaveUp::getMessage);
        assertEquals(queued, diedAgain.settlements.get(0).call());
        assertInstanceOf(WorkerCrashedException.class, diedAgain.settlements.get(0).failure());
        assertEquals(behind, diedAgain.settlements.get(1).call());
        assertEquals(gaveUp, diedAgain.settlements.get(1).failure());
        assertTrue(dispatcher.isTerminated(), "nothing is left running");
        assertThrows(RejectedExecutionException.class, () -> submit(dispatcher, method(0)));
    }

    @Test
    void aSigkillThePoolSentIsNotBlamedOnTheKernel() {
        Dispatcher dispatcher = dispatcher(1, 0, 4);
        Worker worker = join(dispatcher);
        submit(dispatcher, method(0));
        assertEquals("Call 1", sent(worker));
        dispatcher.kill(worker, null); // the pool's decision, as for a protocol violation
        Actions died = dispatcher.died(worker, 137, null);
        WorkerCrashedException crash =
                assertInstanceOf(WorkerCrashedException.class, died.settlements.get(0).failure());
        assertTrue(crash.getMessage().contains("was killed by signal 9"), crash::getMessage);
    }

    @Test
    void aWorkerWhoseChannelClosedWasNotKilledByThePool() {
        Dispatcher dispatcher = dispatcher(1, 0, 4);
        Worker worker = join(dispatcher);
        submit(dispatcher, method(0));
        assertEquals("Call 1", sent(worker));
        dispatcher.lostChannel(worker); // its reader saw the socket close: it was dying already
        Actions died = dispatcher.died(worker, 137, null);
        WorkerCrashedException crash =
                assertInstanceOf(WorkerCrashedException.class, died.settlements.get(0).failure());
        assertTrue(crash.getMessage().contains("not by the pool"), crash::getMessage);
    }

    @Test
    void theCallsSentAheadOfADeadWorkerGoBackToTheQueueUncounted() {
        Dispatcher dispatcher = dispatcher(1, 0, 4);
        Worker worker = join(dispatcher);
        PoolCall running = submit(dispatcher, method(0));
        PoolCall waiting = submit(dispatcher, method(0));
        Actions died = dispatcher.died(worker, 1, null);
        assertEquals(running, died.settlements.get(0).call());
        assertEquals(0, waiting.attempts);
        Worker next = join(dispatcher);
        assertEquals("Call 2", sent(next));
    }

    @Test
    void aWornWorkerIsSentNoMoreThanItsShareAndRetires() {
        Dispatcher dispatcher = dispatcher(1, 2, 16);
        Worker worker = join(dispatcher);
        PoolCall first = submit(dispatcher, method(0));
        PoolCall second = submit(dispatcher, method(0));
        PoolCall third = submit(dispatcher, method(0));
        assertEquals("Call 1, Call 2", sent(worker));
        answered(dispatcher, worker, first.id, new Actions());
        answered(dispatcher, worker, second.id, new Actions());
        assertEquals("Stop", sent(worker));
        assertNull(third.worker);
        Actions died = dispatcher.died(worker, 0, null);
        assertEquals(1, died.launches, "the retired worker is replaced for the waiting call");
    }

    @Test
    void workersThatDieAtStartAreRetriedLaterAndLaterThenQueuedCallsFail() {
        Dispatcher dispatcher = dispatcher(1, 0, 4);
        PoolCall call = submit(dispatcher, method(0));
        WorkerStartException why = Failures.startFailure("no such option -Xfoo", List.of(), null);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < Staffing.MAX_START_FAILURES - 1; i++) {
            Actions died = dispatcher.died(dispatcher.newWorker(), 1, why);
            assertEquals(1, died.launches);
            delays.add(died.launchDelayMillis);
        }
        assertEquals(List.of(200L, 400L), delays);
        Actions last = dispatcher.died(dispatcher.newWorker(), 1, why);
        assertEquals(0, last.launches);
        WorkerStartException failure =
                assertInstanceOf(WorkerStartException.class, last.settlements.get(0).failure());
        assertEquals(call, last.settlements.get(0).call());
        assertTrue(
                failure.getMessage()
                        .startsWith(
                                "no worker could be started to run Tasks.run(): no such option"),
                failure::getMessage);
    }

    @Test
    void anAnswerOutOfTurnKillsTheWorker() {
        Dispatcher dispatcher = dispatcher(1, 0, 4);
        Worker worker = join(dispatcher);
        submit(dispatcher, method(0));
        Actions actions = new Actions();
        assertNull(answered(dispatcher, worker, 42, actions));
        assertEquals(List.of(worker), actions.kills);
        assertEquals(Worker.State.RETIRING, worker.state);
    }

    @Test
    void aHelloFromAnotherPidIsRefused() {
        Dispatcher dispatcher = dispatcher(1, 0, 4);
        Worker worker = dispatcher.newWorker();
        assertNull(dispatcher.connected(worker, 4242, null, null));
        assertEquals(Worker.State.STARTING, worker.state);
    }

    @Test
    void aSpareTakesTheDeadWorkersPlaceAtOnceAndIsReplaced() {
        Dispatcher dispatcher =
                dispatcher(new Dispatcher.Sizing(1, 1, 1, Duration.ofSeconds(60), 1));
        Worker active = join(dispatcher);
        Worker spare = join(dispatcher);
        assertEquals(Worker.State.SPARE, spare.state);
        assertEquals("Call 1", describeAll(dispatcher, active));
        Actions died = dispatcher.died(active, 1, null);
        assertEquals(Worker.State.READY, spare.state);
        assertEquals(1, died.launches, "a new spare");
        submit(dispatcher, method(0));
        assertEquals("Call 2", sent(spare));
    }

    /** Submits a call and says what {@code worker} was sent. */
    private String describeAll(Dispatcher dispatcher, Worker worker) {
        submit(dispatcher, method(0));
        return sent(worker);
    }

    @Test
    void anElasticPoolGrowsWhileCallsWaitAndShrinksOnceIdle() throws InterruptedException {
        Dispatcher dispatcher =
                dispatcher(new Dispatcher.Sizing(3, 1, 0, Duration.ofMillis(50), 1));
        Worker first = join(dispatcher);
        List<PoolCall> calls = new ArrayList<>();
        Actions grew = null;
        for (int i = 0; i < 3; i++) {
            calls.add(
                    new PoolCall(
                            ids.incrementAndGet(), method(0), new byte[0], (c, interrupt) -> {}));
            Actions a = dispatcher.submit(calls.get(i));
            if (a.launches > 0) {
                grew = a;
            }
        }
        assertEquals(1, grew.launches, "calls wait behind the first: one more worker");
        Worker second = join(dispatcher); // takes a waiting call from the first, and grows again
        assertTrue(calls.get(2).revoked);
        assertTrue(dispatcher.dropped(first, calls.get(2).id, new Actions()));
        assertTrue(second.inFlight.size() == 1 && first.inFlight.size() == 2);
        assertTrue(dispatcher.newWorker() != null, "a third, as a call still waits");
        assertNull(dispatcher.newWorker(), "never more than workers");

        for (PoolCall c : calls) {
            Worker at = c.worker;
            answered(dispatcher, at, c.id, new Actions());
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (first.state == Worker.State.READY && second.state == Worker.State.READY) {
            assertTrue(System.nanoTime() < deadline, "no idle worker retired");
            Thread.sleep(10);
        }
        Thread.sleep(200); // keepAlive has passed for both: only the one beyond minWorkers retires
        assertTrue(
                (first.state == Worker.State.READY) != (second.state == Worker.State.READY),
                first.state + ", " + second.state);
    }

    @Test
    void aWorkerWithThreadsRunsThatManyCallsAndMayAnswerThemInAnyOrder() {
        Dispatcher dispatcher =
                dispatcher(new Dispatcher.Sizing(1, 1, 0, Duration.ofSeconds(60), 3));
        Worker worker = join(dispatcher);
        List<PoolCall> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(submit(dispatcher, method(0)));
        }
        assertEquals(List.of(true, true, true, false, false), started(calls));
        assertEquals(calls.get(2), answered(dispatcher, worker, calls.get(2).id, new Actions()));
        assertEquals(List.of(true, true, true, true, false), started(calls));
        assertEquals(calls.get(0), answered(dispatcher, worker, calls.get(0).id, new Actions()));
        assertTrue(calls.get(4).started);

        Actions outOfTurn = new Actions();
        PoolCall sixth = submit(dispatcher, method(0)); // waits behind the three running
        assertNull(answered(dispatcher, worker, sixth.id, outOfTurn));
        assertEquals(List.of(worker), outOfTurn.kills);
    }

    private static List<Boolean> started(List<PoolCall> calls) {
        return calls.stream().map(c -> c.started).toList();
    }

    @Test
    void onlyCallsWaitingBehindAllThreadsCanBeStolen() {
        Dispatcher dispatcher =
                dispatcher(new Dispatcher.Sizing(2, 2, 0, Duration.ofSeconds(60), 2));
        Worker busy = join(dispatcher);
        for (int i = 0; i < 4; i++) {
            submit(dispatcher, method(0)); // calls 1 and 2 run, 3 and 4 wait
        }
        sent(busy);
        join(dispatcher);
        assertEquals("Revoke 4", sent(busy));
    }

    @Test
    void theCallsRunningBesideOneThatTimedOutAreRetriedOrFailNamingIt() {
        Dispatcher dispatcher =
                dispatcher(new Dispatcher.Sizing(1, 1, 0, Duration.ofSeconds(60), 3));
        Worker worker = join(dispatcher);
        PoolCall slow = submit(dispatcher, method(0));
        PoolCall retried = submit(dispatcher, method(1));
        PoolCall failed = submit(dispatcher, method(0));
        PoolCall waiting = submit(dispatcher, method(0));
        dispatcher.timedOut(slow, 1_000);
        Actions stopped = dispatcher.stackArrived(worker, slow.id, new StackTraceElement[0]);
        assertEquals(List.of(worker), stopped.kills);
        assertEquals(slow, stopped.settlements.get(0).call());

        Actions died = dispatcher.died(worker, 137, null);
        Map<PoolCall, Throwable> settled = new HashMap<>();
        died.settlements.forEach(s -> settled.put(s.call(), s.failure()));
        assertEquals(Set.of(slow, failed), settled.keySet(), "slow again: the first one counts");
        WorkerCrashedException crash =
                assertInstanceOf(WorkerCrashedException.class, settled.get(failed));
        assertTrue(
                crash.getMessage()
                        .contains(
                                "because another call it was running, Tasks.run(), timed out"
                                        + " after PT1S"),
                crash::getMessage);
        assertEquals(1, retried.attempts);
        assertEquals(0, waiting.attempts);
        Worker next = join(dispatcher);
        assertEquals("Call 2, Call 4", sent(next)); // the retried call first, in the order sent
    }
}
