package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.eventually;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.PoolStats;
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.WorkerCrashedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A spare takes a dead worker's place; an elastic pool grows under load and shrinks when idle. */
@Timeout(120)
class ElasticPoolTest {
    @Test
    void aSpareTakesADeadWorkersPlace() throws Exception {
        try (ProcessPool pool =
                ProcessPool.builder().workers(1).spareWorkers(1).namePrefix("spared-").build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            PoolStats before = pool.stats();
            assertEquals(List.of("READY", "SPARE"), states(before));
            long spare =
                    before.workers().stream()
                            .filter(w -> w.state().equals("SPARE"))
                            .findFirst()
                            .orElseThrow()
                            .pid();
            failure(tasks.exit(3), WorkerCrashedException.class);
            assertEquals(spare, await(tasks.pid()), "the spare answered the next call");
            eventually("a new spare", () -> states(pool.stats()).equals(List.of("READY", "SPARE")));
        }
    }

    @Test
    void aNewSpareLoadsTheInvokersOfTheTasksThePoolRanBeforeItTakesAPlace(@TempDir Path logs)
            throws Exception {
        try (ProcessPool pool =
                ProcessPool.builder()
                        .workers(1)
                        .spareWorkers(1)
                        .jvmOptions("-Xlog:class+load=info:file=" + logs.resolve("w%p.log"))
                        .build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            long first = await(tasks.pid());
            failure(tasks.exit(3), WorkerCrashedException.class); // the spare takes its place
            eventually("a new spare", () -> states(pool.stats()).equals(List.of("READY", "SPARE")));
            long spare =
                    pool.stats().workers().stream()
                            .filter(w -> w.state().equals("SPARE"))
                            .findFirst()
                            .orElseThrow()
                            .pid();
            Path log = logs.resolve("w" + spare + ".log");
            eventually(
                    "the new spare warmed up",
                    () -> {
                        try {
                            return Files.exists(log)
                                    && Files.readString(log)
                                            .contains(FaultsTasks.Invoker.class.getName() + " ");
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            PoolStats stats = pool.stats();
            assertEquals(1, stats.completed(), "the pool's warm-ups are not counted");
            assertEquals(1, stats.failed());
            assertTrue(first != spare);
        }
    }

    @Test
    void anElasticPoolGrowsWhileCallsWaitAndShrinksWhenIdle() throws Exception {
        try (ProcessPool pool =
                ProcessPool.builder()
                        .workers(3)
                        .minWorkers(1)
                        .keepAlive(Duration.ofMillis(300))
                        .build()) {
            assertEquals(1, pool.workers().size(), "it starts minWorkers");
            MappedTasks tasks = new MappedTasks(pool);
            List<TaskFuture<Integer>> slow = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                slow.add(tasks.slow(1_000));
            }
            eventually("it grows to 3 while calls wait", () -> pool.stats().running() == 3);
            for (TaskFuture<Integer> f : slow) {
                assertEquals(1_000, await(f));
            }
            eventually("idle workers beyond minWorkers retire", () -> pool.workers().size() == 1);
            assertEquals(4, await(tasks.square(2)), "and the pool goes on");
        }
    }

    @Test
    void aPoolOfNoMinimumStartsItsFirstWorkerForItsFirstCall() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(2).minWorkers(0).build()) {
            assertEquals(0, pool.workers().size());
            assertEquals(9, await(new MappedTasks(pool).square(3)));
        }
    }

    private static List<String> states(PoolStats stats) {
        return stats.workers().stream()
                .map(PoolStats.Worker::state)
                .sorted()
                .toList(); // either may connect first
    }
}
