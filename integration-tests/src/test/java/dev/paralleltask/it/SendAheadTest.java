package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.eventually;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.WorkerCrashedException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pool sends each worker several calls ahead of the one it runs. These tests pin down what that
 * must not change: only the running call counts as started, a long call holds up nothing, and calls
 * sent ahead of a crash or a cancel are neither lost nor run twice.
 */
@Timeout(120)
class SendAheadTest {
    @Test
    void callsSentBehindALongCallAreTakenBackByAnIdleWorker() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            // Far longer than the test waits for anything: the calls below must not wait for it.
            TaskFuture<Long> longCall = tasks.sleep(600_000);
            List<TaskFuture<Long>> quick = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                quick.add(tasks.pid()); // every other one is first sent to the busy worker
            }
            Set<Long> pids = new HashSet<>();
            for (TaskFuture<Long> f : quick) {
                pids.add(await(f));
            }
            assertEquals(
                    1, pids.size(), "all quick calls ran on the worker that was free: " + pids);
            assertTrue(longCall.isRunning());
            assertTrue(longCall.cancel(true));
        }
    }

    @Test
    void callsSentAheadOfACrashRunOnTheReplacementInOrder() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            TaskFuture<Long> firstPid = tasks.pid();
            TaskFuture<Integer> crash = tasks.exit(3);
            List<TaskFuture<Integer>> behind = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                behind.add(tasks.increment());
            }
            assertEquals(3, failure(crash, WorkerCrashedException.class).exitCode());
            for (int i = 0; i < 5; i++) {
                // The crashed worker never started them: each ran once, on the fresh worker.
                assertEquals(i + 1, await(behind.get(i)));
            }
            assertNotEquals(await(firstPid), await(tasks.pid()));
        }
    }

    /**
     * The worker runs these calls back to back and halts right after the last answer, before the
     * pool can have read them all: no answer given before the halt may be lost, or the pool would
     * blame the halt on a call that had returned.
     */
    @Test
    void answersGivenJustBeforeAHaltAreNotLost() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            for (int round = 0; round < 5; round++) {
                List<TaskFuture<Integer>> before = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    before.add(tasks.increment());
                }
                TaskFuture<byte[]> large = tasks.echo(new byte[100_000]); // goes by the socket
                TaskFuture<Integer> halt = tasks.halt(9);
                for (int i = 0; i < 20; i++) {
                    assertEquals(i + 1, await(before.get(i)), "round " + round + ", call " + i);
                }
                assertEquals(100_000, await(large).length);
                assertEquals(9, failure(halt, WorkerCrashedException.class).exitCode());
            }
        }
    }

    @Test
    void cancelWithInterruptOfACallSentAheadNeitherRunsItNorStopsTheRunningOne() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            long pid = await(tasks.pid());
            TaskFuture<Long> running = tasks.sleep(500);
            TaskFuture<Integer> waiting = tasks.increment();
            eventually("the sleep runs", running::isRunning);
            assertFalse(waiting.isRunning());

            assertTrue(waiting.cancel(true));

            assertEquals(500L, await(running));
            assertEquals(1, await(tasks.increment()), "the cancelled increment never ran");
            assertEquals(pid, await(tasks.pid()), "the worker was not killed");
        }
    }

    @Test
    void onlyTheCallTheWorkerRunsIsRunning() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            TaskFuture<Long> first = tasks.sleep(1_000);
            TaskFuture<Long> second = tasks.sleep(1);
            eventually("the first call runs", first::isRunning);
            assertFalse(second.isRunning());
            assertFalse(second.isDone());
            assertEquals(1_000L, await(first));
            assertEquals(1L, await(second));
        }
    }

    @Test
    void manyCallsFromManyThreadsEachCompleteOnceWithTheirOwnResult() throws Exception {
        int threads = 4;
        int perThread = 5_000;
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            ShapesTasks shapes = new ShapesTasks(pool, new Shapes(""));
            List<Thread> callers = new ArrayList<>();
            List<List<TaskFuture<Integer>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<TaskFuture<Integer>> mine = new ArrayList<>();
                results.add(mine);
                int base = t * perThread;
                Thread caller =
                        new Thread(
                                () -> {
                                    for (int i = 0; i < perThread; i++) {
                                        mine.add(shapes.add(base + i, 1));
                                    }
                                });
                callers.add(caller);
                caller.start();
            }
            for (Thread caller : callers) {
                caller.join();
            }
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < perThread; i++) {
                    assertEquals(t * perThread + i + 1, await(results.get(t).get(i)));
                }
            }
        }
    }
}
