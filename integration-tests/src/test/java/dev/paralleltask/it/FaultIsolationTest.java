package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.eventually;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskTimeoutException;
import dev.paralleltask.runtime.WorkerCrashedException;
import dev.paralleltask.runtime.WorkerInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Each fault of a task fails that one call; the worker is replaced and the pool goes on. */
@Timeout(180)
class FaultIsolationTest {
    @TempDir Path temp;

    @Test
    void timeoutKillsTheWorkerAndThePoolGoesOn() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            long before = await(tasks.pid());
            TaskTimeoutException e = failure(tasks.spin(), TaskTimeoutException.class);
            assertEquals(Duration.ofMillis(1_000), e.timeout());
            assertTrue(e.elapsed().compareTo(e.timeout()) >= 0, e::getMessage);
            assertTrue(
                    e.getMessage().contains("Faults.spin()") && e.getMessage().contains("1000 ms"),
                    e.getMessage());
            Futures.awaitAllDead(List.of(before));
            assertNotEquals(before, await(tasks.pid()));
        }
    }

    @Test
    void aTimeoutSaysWhereTheTaskWas() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            TaskTimeoutException e =
                    failure(new FaultsTasks(pool).spin(), TaskTimeoutException.class);
            StackTraceElement[] where = e.taskStackTrace();
            assertTrue(where.length > 0, "no stack was taken");
            assertTrue(
                    java.util.Arrays.stream(where)
                            .anyMatch(
                                    f ->
                                            f.getClassName().equals(Faults.class.getName())
                                                    && f.getMethodName().equals("spin")),
                    () -> java.util.Arrays.toString(where));
            assertTrue(
                    e.getMessage().contains("; it was at\n\tat ")
                            && e.getMessage().contains("Faults.spin("),
                    e::getMessage);
        }
    }

    @Test
    void poolDefaultTimeoutAppliesToMethodsWithoutOne() throws Exception {
        try (ProcessPool pool =
                ProcessPool.builder().workers(1).defaultTimeout(Duration.ofMillis(300)).build()) {
            TaskTimeoutException e =
                    failure(new FaultsTasks(pool).sleep(600_000), TaskTimeoutException.class);
            assertEquals(Duration.ofMillis(300), e.timeout());
        }
    }

    @Test
    void timeoutCountsFromStartNotFromSubmission() throws Exception {
        try (ProcessPool pool =
                ProcessPool.builder().workers(1).defaultTimeout(Duration.ofMillis(3_000)).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            TaskFuture<Long> first = tasks.sleep(2_000);
            // Waits 2 s in the queue, then runs 2 s: 4 s after submission, but within 3 s of its
            // start.
            TaskFuture<Long> second = tasks.sleep(2_000);
            assertEquals(2_000L, await(first));
            assertEquals(2_000L, await(second));
        }
    }

    @Test
    void systemExitFailsOnlyItsCall() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            List<TaskFuture<Long>> healthy = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                healthy.add(tasks.sleep(200));
            }
            WorkerCrashedException e = failure(tasks.exit(3), WorkerCrashedException.class);
            assertEquals(3, e.exitCode());
            assertTrue(
                    e.stderrTail().contains("about to exit with 3"),
                    () -> "stderr tail: " + e.stderrTail());
            assertTrue(
                    e.getMessage().contains("exited with code 3 while running Faults.exit(int)"),
                    e.getMessage());
            assertTrue(Futures.isDead(e.pid()));
            for (TaskFuture<Long> f : healthy) {
                assertEquals(200L, await(f));
            }
            eventually(
                    "the dead worker is replaced by a live one",
                    () ->
                            pool.workers().size() == 2
                                    && pool.workers().stream()
                                            .allMatch(w -> w.isAlive() && w.pid() != e.pid()));
            await(tasks.increment());
        }
    }

    @Test
    void haltFailsOnlyItsCall() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            assertEquals(7, failure(tasks.halt(7), WorkerCrashedException.class).exitCode());
            assertEquals(1, await(tasks.increment()));
        }
    }

    @Test
    void workerKilledFromOutsideFailsOnlyItsCall() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            await(tasks.increment()); // an answer, after which the pool looks at its memory
            TaskFuture<Long> victim = tasks.sleep(600_000);
            TaskFuture<Integer> queued = tasks.increment();
            eventually("the call runs", victim::isRunning);
            long pid = pool.workers().get(0).pid();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            WorkerCrashedException e = failure(victim, WorkerCrashedException.class);
            assertEquals(128 + 9, e.exitCode());
            assertEquals(pid, e.pid());
            assertTrue(
                    e.getMessage()
                                    .contains(
                                            "was killed by SIGKILL (exit code 137), not by the pool:")
                            && e.getMessage().contains("out-of-memory killer")
                            && e.getMessage()
                                    .matches("(?s).*its resident memory was last \\d+ MiB.*"),
                    e.getMessage());
            assertEquals(1, await(queued)); // on the new worker, whose count starts again
        }
    }

    @Test
    void nativeCrashFailsOnlyItsCall() throws Exception {
        // The JVM's crash report goes to the test's temporary directory, not the working tree.
        String errorFile = "-XX:ErrorFile=" + temp.resolve("hs_err_%p.log");
        try (ProcessPool pool =
                ProcessPool.builder()
                        .workers(1)
                        .jvmOptions(errorFile, "-XX:-CreateCoredumpOnCrash")
                        .build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            WorkerCrashedException e = failure(tasks.segfault(), WorkerCrashedException.class);
            assertTrue(e.exitCode() != 0, e::getMessage);
            assertTrue(
                    String.join("\n", e.stdoutTail()).contains("SIGSEGV"),
                    () -> "stdout tail: " + e.stdoutTail());
            assertTrue(e.getMessage().contains("SIGSEGV"), e::getMessage);
            assertTrue(
                    e.getMessage().contains("its fatal-error report is " + temp.resolve("hs_err_")),
                    e::getMessage);
            assertEquals(1, await(tasks.increment()));
        }
    }

    @Test
    void outOfMemoryFailsOnlyItsCallAndTheWorkerIsReplaced() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).jvmOptions("-Xmx64m").build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            long before = await(tasks.pid());
            WorkerCrashedException e = failure(tasks.exhaustHeap(), WorkerCrashedException.class);
            assertInstanceOf(OutOfMemoryError.class, e.getCause());
            Futures.awaitAllDead(List.of(before));
            assertNotEquals(before, await(tasks.pid()));
        }
    }

    @Test
    void callThatRanOutOfMemoryIsRetriedLikeAnyWorkerDeath() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).jvmOptions("-Xmx64m").build()) {
            Path marker = temp.resolve("oom-once");
            assertEquals(1, await(new FaultsTasks(pool).exhaustHeapOnce(marker.toString())));
            assertTrue(Files.exists(marker), "the first attempt ran and ran out of memory");
        }
    }

    @Test
    void stackOverflowFailsOnlyItsCallAndTheWorkerIsReplaced() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            long before = await(tasks.pid());
            WorkerCrashedException e = failure(tasks.recurse(0), WorkerCrashedException.class);
            assertInstanceOf(StackOverflowError.class, e.getCause());
            assertNotEquals(before, await(tasks.pid()));
        }
    }

    @Test
    void callWhoseWorkerDiedIsRetriedAsOftenAsAllowed() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            Path marker = temp.resolve("deaths");
            assertEquals(
                    2,
                    await(tasks.dieTimes(marker.toString(), 2)),
                    "two deaths, then the third attempt succeeds");

            Path tooMany = temp.resolve("too-many");
            WorkerCrashedException e =
                    failure(tasks.dieTimes(tooMany.toString(), 3), WorkerCrashedException.class);
            assertTrue(e.getMessage().contains("attempt 3 of 3"), e.getMessage());
            assertEquals(3, Files.readAllLines(tooMany).size());
        }
    }

    @Test
    void callWhoseTaskThrewIsNeverRetried() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            Path marker = temp.resolve("runs");
            failure(new FaultsTasks(pool).throwCounting(marker.toString()), IOException.class);
            assertEquals(1, Files.readAllLines(marker).size());
        }
    }

    @Test
    void cancelOfARunningCallKillsItsWorker() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            TaskFuture<Long> running = tasks.sleep(600_000);
            eventually("the call runs", running::isRunning);
            long pid = pool.workers().get(0).pid();
            assertTrue(running.cancel(true));
            assertTrue(running.isCancelled());
            Futures.awaitAllDead(List.of(pid));
            assertNotEquals(pid, await(tasks.pid()));
        }
    }

    @Test
    void cancelOfAQueuedCallMeansItNeverRuns() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            TaskFuture<Long> running = tasks.sleep(300);
            TaskFuture<Integer> queued = tasks.increment();
            assertTrue(queued.cancel(false));
            assertEquals(300L, await(running));
            assertEquals(1, await(tasks.increment()), "the cancelled increment never ran");
        }
    }

    @Test
    void taskThatLeavesItsThreadInterruptedDoesNotHarmItsWorker() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            long pid = await(tasks.leaveInterrupted());
            // An interrupted thread that writes to a socket channel closes it: the worker must not.
            assertEquals(1, await(tasks.increment()));
            assertEquals(pid, await(tasks.pid()));
            assertEquals(
                    1_000L, await(tasks.sleep(1_000)), "the next task's sleep is not cut short");
        }
    }

    @Test
    void workerIsReplacedAfterMaxTasksPerWorker() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).maxTasksPerWorker(3).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            List<Long> pids = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                pids.add(await(tasks.pid()));
            }
            assertEquals(pids.get(0), pids.get(2));
            assertNotEquals(pids.get(2), pids.get(3));
            assertEquals(pids.get(3), pids.get(5));
            assertEquals(3, new HashSet<>(pids).size());
        }
    }

    @Test
    void chaosOfFaultsFailsExactlyTheFaultyCalls() throws Exception {
        int calls = 2_000;
        Set<Long> pids = new HashSet<>();
        List<TaskFuture<?>> futures = new ArrayList<>();
        ProcessPool pool = ProcessPool.builder().workers(2).build();
        try (pool) {
            FaultsTasks tasks = new FaultsTasks(pool);
            ShapesTasks shapes = new ShapesTasks(pool, new Shapes(""));
            for (int i = 0; i < calls; i++) {
                switch (i % 40) {
                    case 3:
                        futures.add(tasks.exit(5));
                        break;
                    case 13:
                        futures.add(tasks.halt(6));
                        break;
                    case 23:
                        futures.add(tasks.throwChecked("no " + i));
                        break;
                    case 33:
                        futures.add(tasks.spinBriefly());
                        break;
                    default:
                        futures.add(shapes.add(i, 1));
                }
            }
            for (int i = 0; i < calls; i++) {
                TaskFuture<?> f = futures.get(i);
                switch (i % 40) {
                    case 3:
                    case 13:
                        failure(f, WorkerCrashedException.class);
                        break;
                    case 23:
                        assertEquals("no " + i, failure(f, IOException.class).getMessage());
                        break;
                    case 33:
                        failure(f, TaskTimeoutException.class);
                        break;
                    default:
                        assertEquals(i + 1, await(f));
                }
                pool.workers().stream().map(WorkerInfo::pid).filter(p -> p > 0).forEach(pids::add);
            }
        }
        assertTrue(pool.isTerminated());
        assertTrue(pids.stream().allMatch(Futures::isDead), "no worker is left after close()");
    }
}
