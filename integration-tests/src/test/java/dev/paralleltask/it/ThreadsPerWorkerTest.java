package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskTimeoutException;
import dev.paralleltask.runtime.WorkerCrashedException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code threadsPerWorker}: several calls at once in one worker, and what they share. */
@Timeout(120)
class ThreadsPerWorkerTest {
    @Test
    void callsRunAtOnceInOneWorkerOnThreadsOfTheirOwn() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).threadsPerWorker(4).build()) {
            TogetherTasks tasks = new TogetherTasks(pool);
            List<TaskFuture<String>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(tasks.meet(4)); // each waits until all four wait: they must overlap
            }
            Set<String> pids = new HashSet<>();
            Set<String> threads = new HashSet<>();
            for (TaskFuture<String> call : calls) {
                String[] where = await(call).split("/");
                pids.add(where[0]);
                threads.add(where[1]);
            }
            assertEquals(1, pids.size(), "one worker: " + pids);
            assertEquals(4, threads.size(), "four threads: " + threads);
            Futures.eventually("four calls counted", () -> pool.stats().completed() == 4);
        }
    }

    @Test
    void callsBesideOneThatTimedOutRunAgainOrFailNamingIt() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).threadsPerWorker(3).build()) {
            TogetherTasks together = new TogetherTasks(pool);
            long firstPid = await(new FaultsTasks(pool).pid());
            TaskFuture<Long> stuck = together.stuck();
            TaskFuture<Long> bystander = new FaultsTasks(pool).sleep(20_000);
            TaskFuture<Long> retried = together.sleepRetried(3_000);

            failure(stuck, TaskTimeoutException.class);
            WorkerCrashedException crash = failure(bystander, WorkerCrashedException.class);
            assertTrue(
                    crash.getMessage().contains("another call it was running, Together.stuck()")
                            && crash.getMessage().contains("timed out"),
                    crash::getMessage);
            long rerunOn = await(retried);
            assertNotEquals(firstPid, rerunOn, "run again on the replacement");
        }
    }

    @Test
    void cancellingOneRunningCallFailsTheOthersRunningInItsWorker() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).threadsPerWorker(2).build()) {
            FaultsTasks faults = new FaultsTasks(pool);
            TaskFuture<Long> cancelled = faults.sleep(60_000);
            TaskFuture<Long> bystander = faults.sleep(60_000);
            Futures.eventually("both calls run", () -> pool.stats().running() == 2);
            assertTrue(cancelled.cancel(true));
            WorkerCrashedException crash = failure(bystander, WorkerCrashedException.class);
            assertTrue(
                    crash.getMessage().contains("was cancelled with cancel(true)"),
                    crash::getMessage);
            assertEquals(7L, await(faults.sleep(7)), "the pool goes on");
        }
    }

    @Test
    void maxTasksPerWorkerCountsCallsNotThreads() throws Exception {
        try (ProcessPool pool =
                ProcessPool.builder().workers(1).threadsPerWorker(2).maxTasksPerWorker(4).build()) {
            FaultsTasks faults = new FaultsTasks(pool);
            List<TaskFuture<Long>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(faults.pid());
            }
            List<Long> pids = new ArrayList<>();
            for (TaskFuture<Long> call : calls) {
                pids.add(await(call));
            }
            Map<Long, Long> perWorker =
                    pids.stream()
                            .collect(
                                    Collectors.groupingBy(
                                            Function.identity(), Collectors.counting()));
            assertEquals(List.of(4L, 4L), List.copyOf(perWorker.values()), pids.toString());
        }
    }

    @Test
    void aThreadCountOutOfRangeIsRefusedWithTheValue() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ProcessPool.builder().threadsPerWorker(0));
        assertEquals("threadsPerWorker must be between 1 and 1024, was 0", e.getMessage());
    }
}
