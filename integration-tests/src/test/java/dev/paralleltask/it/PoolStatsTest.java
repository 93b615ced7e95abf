package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.eventually;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paralleltask.runtime.PoolStats;
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.WorkerCrashedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ProcessPool.stats() counts what happened and shows what is happening. */
@Timeout(120)
class PoolStatsTest {
    @Test
    void statsCountCallsAndWorkers() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).namePrefix("counted-").build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            await(tasks.pid());
            failure(tasks.exit(3), WorkerCrashedException.class);
            TaskFuture<Long> sleeping = tasks.sleep(60_000);
            eventually("the sleep runs", sleeping::isRunning);
            TaskFuture<Long> waiting = tasks.pid();
            PoolStats busy = pool.stats();
            assertEquals(1, busy.running());
            assertEquals(1, busy.queued());
            assertEquals(1, busy.completed());
            assertEquals(1, busy.failed());
            assertEquals(1, busy.crashes());
            assertEquals(2, busy.workersStarted());
            PoolStats.Worker worker = busy.workers().get(0);
            assertEquals("counted-2", worker.name());
            assertEquals("READY", worker.state());
            assertEquals(2, worker.inFlight());

            waiting.cancel(false);
            sleeping.cancel(true); // kills the worker
            eventually(
                    "the killed worker is counted and replaced",
                    () -> pool.stats().crashes() == 2 && pool.stats().workersStarted() == 3);
            PoolStats after = pool.stats();
            assertEquals(2, after.cancelled());
            assertEquals(0, after.running());
            assertEquals(0, after.queued());
        }
    }
}
