package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.eventually;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paralleltask.runtime.PoolStats;
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.WorkerCrashedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
