package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.WorkerCrashedException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool needs nothing from the common fork-join pool: a program that keeps it busy (a parallel
 * stream, a long {@code supplyAsync}) still has its dead workers reaped and replaced. On JDK 19 and
 * later, whose common pool has one thread on two cores, {@code Process.onExit()} completes only
 * there; the pool reaped by it until a stress run on JDK 25 found every worker dead and none
 * replaced.
 */
@Timeout(120)
class BusyCommonPoolTest {
    @Test
    void aWorkerThatDiesWhileTheCommonPoolIsBusyIsReapedAndReplaced() throws Exception {
        int threads = ForkJoinPool.getCommonPoolParallelism();
        AtomicBoolean release = new AtomicBoolean();
        CountDownLatch busy = new CountDownLatch(threads);
        for (int i = 0; i < threads; i++) {
            ForkJoinPool.commonPool()
                    .execute(
                            () -> {
                                busy.countDown();
                                while (!release.get()) {
                                    try {
                                        Thread.sleep(10); // no managed block: never compensated
                                    } catch (InterruptedException e) {
                                        return;
                                    }
                                }
                            });
        }
        try {
            assertTrue(busy.await(30, TimeUnit.SECONDS), "every common-pool thread is taken");
            try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
                FaultsTasks tasks = new FaultsTasks(pool);
                long first = await(tasks.pid());
                failure(tasks.halt(3), WorkerCrashedException.class);
                assertNotEquals(first, await(tasks.pid()), "a new worker runs the next call");
            }
        } finally {
            release.set(true);
        }
    }
}
