package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskExecutor;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.ThreadPool;
import dev.paralleltask.runtime.WorkerInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Shutdown, shutdownNow, awaitTermination and close, on both executors. */
@Timeout(120)
class ShutdownTest {
    static Stream<Supplier<TaskExecutor>> executors() {
        return Stream.of(
                () -> ProcessPool.builder().workers(1).build(),
                () -> ThreadPool.builder().threads(1).build());
    }

    @ParameterizedTest
    @MethodSource("executors")
    void callAfterShutdownIsRejected(Supplier<TaskExecutor> executors) throws Exception {
        TaskExecutor executor = executors.get();
        executor.shutdown();
        RejectedExecutionException e =
                assertThrows(
                        RejectedExecutionException.class,
                        () -> new FaultsTasks(executor).increment());
        assertTrue(e.getMessage().contains("Faults.increment()"), e.getMessage());
        assertTrue(executor.awaitTermination(Duration.ofSeconds(60)));
        assertTrue(executor.isTerminated());
    }

    @ParameterizedTest
    @MethodSource("executors")
    void closeWaitsForQueuedAndRunningCalls(Supplier<TaskExecutor> executors) throws Exception {
        List<TaskFuture<Long>> futures = new ArrayList<>();
        try (TaskExecutor executor = executors.get()) {
            FaultsTasks tasks = new FaultsTasks(executor);
            for (int i = 0; i < 4; i++) {
                futures.add(tasks.sleep(100));
            }
        }
        for (TaskFuture<Long> f : futures) {
            assertTrue(f.isDone());
            assertEquals(100L, f.get());
        }
    }

    @ParameterizedTest
    @MethodSource("executors")
    void shutdownNowStopsTheRunningCallAndReturnsTheQueuedOnes(Supplier<TaskExecutor> executors)
            throws Exception {
        TaskExecutor executor = executors.get();
        FaultsTasks tasks = new FaultsTasks(executor);
        TaskFuture<Long> running = tasks.sleep(600_000);
        List<TaskFuture<Long>> queued = List.of(tasks.sleep(1), tasks.sleep(2), tasks.sleep(3));
        eventually("the first call runs", running::isRunning);

        List<TaskFuture<?>> neverStarted = executor.shutdownNow();

        assertEquals(3, neverStarted.size());
        assertTrue(neverStarted.containsAll(queued));
        assertTrue(queued.stream().allMatch(TaskFuture::isCancelled));
        assertTrue(executor.awaitTermination(Duration.ofSeconds(60)));
        assertTrue(running.isCancelled());
    }

    @Test
    void awaitTerminationReturnsFalseWhileCallsStillRun() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            TaskFuture<Long> slow = new FaultsTasks(pool).sleep(2_000);
            eventually("the call runs", slow::isRunning);
            pool.shutdown();
            assertFalse(pool.awaitTermination(Duration.ofMillis(50)));
            assertFalse(pool.isTerminated());
            assertTrue(pool.awaitTermination(Duration.ofSeconds(60)));
            assertEquals(2_000L, await(slow));
        }
    }

    @Test
    void noWorkerOutlivesClose() throws Exception {
        List<Long> pids;
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            pids = pool.workers().stream().map(WorkerInfo::pid).collect(Collectors.toList());
            assertEquals(2, pids.size());
            await(new FaultsTasks(pool).increment());
        }
        assertTrue(
                pids.stream().allMatch(Futures::isDead),
                "every worker has exited when close() returns");
    }
}
