package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.PoolListener;
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** maxWorkerMemory: a worker that grew past it is recycled, and no call fails. */
@Timeout(180)
class MemoryLimitTest {
    private static final long MIB = 1 << 20;

    @Test
    void aWorkerThatGrowsPastTheLimitIsRecycledAndTheNextCallRuns() throws Exception {
        List<String> recycled = new CopyOnWriteArrayList<>();
        PoolListener listener =
                new PoolListener() {
                    @Override
                    public void workerRecycled(String worker, long pid, String why) {
                        recycled.add(pid + ": " + why);
                    }
                };
        try (ProcessPool pool =
                ProcessPool.builder()
                        .workers(1)
                        .jvmOptions("-Xmx512m")
                        .maxWorkerMemory(200 * MIB)
                        .listener(listener)
                        .build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            long grown = await(tasks.hold(300)); // its answer comes back: nothing fails
            List<TaskFuture<Long>> next = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                next.add(tasks.pid());
            }
            long last = 0;
            for (TaskFuture<Long> f : next) {
                last = await(f);
            }
            assertNotEquals(grown, last, "a new worker took the calls after it");
            Futures.eventually("the pool counts it", () -> pool.stats().recycled() == 1);
            assertEquals(0, pool.stats().crashes());
            assertEquals(0, pool.stats().failed());
            Futures.eventually("the listener hears it", () -> recycled.size() == 1);
            assertTrue(
                    recycled.get(0).startsWith(grown + ": its resident memory, ")
                            && recycled.get(0).contains("passed maxWorkerMemory, 200 MiB"),
                    recycled::toString);
            assertTrue(Futures.isDead(grown) || waitDead(grown));
        }
    }

    @Test
    void aWorkerUnderTheLimitKeepsRunning() throws Exception {
        try (ProcessPool pool =
                ProcessPool.builder().workers(1).maxWorkerMemory(2_000 * MIB).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            long pid = await(tasks.hold(10));
            for (int i = 0; i < 50; i++) {
                assertEquals(pid, await(tasks.pid()));
            }
            assertEquals(0, pool.stats().recycled());
        }
    }

    @Test
    void aNegativeLimitIsRefused() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ProcessPool.builder().maxWorkerMemory(-1));
        assertTrue(e.getMessage().contains("maxWorkerMemory"), e::getMessage);
    }

    private static boolean waitDead(long pid) throws InterruptedException {
        Futures.eventually("process " + pid + " ends", () -> Futures.isDead(pid));
        return true;
    }
}
