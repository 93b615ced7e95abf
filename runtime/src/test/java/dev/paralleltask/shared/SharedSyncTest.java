package dev.paralleltask.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The latch and the barrier among threads of one process, as the JDK's own behave; across worker
 * processes, with parties that die, in {@code SharedObjectsTest}.
 */
@Timeout(60)
class SharedSyncTest {
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void aLatchOpensAtZeroAndStaysOpen() throws Exception {
        try (SharedCountDownLatch latch = SharedCountDownLatch.create(3)) {
            Future<Boolean> waiter = threads.submit(() -> latch.await(30, TimeUnit.SECONDS));
            for (int i = 0; i < 3; i++) {
                assertFalse(latch.await(0, TimeUnit.SECONDS));
                latch.countDown();
            }
            assertTrue(waiter.get(30, TimeUnit.SECONDS));
            latch.await();
            latch.countDown();
            assertEquals(0, latch.getCount());
            assertTrue(latch.toString().contains("count=0"), latch::toString);
        }
    }

    @Test
    void concurrentCountDownsAreEachCounted() throws Exception {
        try (SharedCountDownLatch latch = SharedCountDownLatch.create(40_000)) {
            List<Future<?>> counters = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                counters.add(
                        threads.submit(
                                () -> {
                                    for (int i = 0; i < 10_000; i++) {
                                        latch.countDown();
                                    }
                                }));
            }
            for (Future<?> f : counters) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertEquals(0, latch.getCount());
        }
    }

    @Test
    void aBarrierTripsWithEachArrivalIndexOnceAndIsUsedAgain() throws Exception {
        try (SharedCyclicBarrier barrier = SharedCyclicBarrier.create(4)) {
            for (int round = 0; round < 20; round++) {
                List<Future<Integer>> parties = new ArrayList<>();
                for (int p = 0; p < 4; p++) {
                    parties.add(threads.submit(() -> barrier.await(30, TimeUnit.SECONDS)));
                }
                Set<Integer> indexes = new HashSet<>();
                for (Future<Integer> f : parties) {
                    indexes.add(f.get(30, TimeUnit.SECONDS));
                }
                assertEquals(Set.of(0, 1, 2, 3), indexes, "round " + round);
            }
            assertEquals(4, barrier.getParties());
            assertFalse(barrier.isBroken());
        }
    }

    @Test
    void aPartyThatTimesOutBreaksTheBarrierUntilReset() throws Exception {
        try (SharedCyclicBarrier barrier = SharedCyclicBarrier.create(3)) {
            Future<Integer> other = threads.submit(() -> barrier.await());
            while (barrier.getNumberWaiting() == 0) {
                Thread.onSpinWait();
            }
            assertThrows(TimeoutException.class, () -> barrier.await(50, TimeUnit.MILLISECONDS));
            Exception e = assertThrows(Exception.class, () -> other.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof BrokenBarrierException, () -> "" + e.getCause());
            assertTrue(barrier.isBroken());
            assertThrows(BrokenBarrierException.class, barrier::await);
            barrier.reset();
            assertFalse(barrier.isBroken());
            Future<Integer> again = threads.submit(() -> barrier.await(30, TimeUnit.SECONDS));
            Future<Integer> third = threads.submit(() -> barrier.await(30, TimeUnit.SECONDS));
            int mine = barrier.await(30, TimeUnit.SECONDS);
            assertEquals(
                    Set.of(0, 1, 2),
                    Set.of(mine, again.get(30, TimeUnit.SECONDS), third.get(30, TimeUnit.SECONDS)));
        }
    }

    @Test
    void resetBreaksItForThoseWaiting() throws Exception {
        try (SharedCyclicBarrier barrier = SharedCyclicBarrier.create(2)) {
            Future<Integer> waiting = threads.submit(() -> barrier.await());
            while (barrier.getNumberWaiting() == 0) {
                Thread.onSpinWait();
            }
            barrier.reset();
            Exception e = assertThrows(Exception.class, () -> waiting.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof BrokenBarrierException, () -> "" + e.getCause());
            assertFalse(barrier.isBroken(), "the next generation is whole");
        }
    }

    @Test
    void anInterruptedPartyBreaksIt() throws Exception {
        try (SharedCyclicBarrier barrier = SharedCyclicBarrier.create(3)) {
            Future<Integer> interrupted = threads.submit(() -> barrier.await());
            Future<Integer> other = threads.submit(() -> barrier.await());
            while (barrier.getNumberWaiting() < 2) {
                Thread.onSpinWait();
            }
            interrupted.cancel(true);
            Exception e = assertThrows(Exception.class, () -> other.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof BrokenBarrierException, () -> "" + e.getCause());
        }
    }

    @Test
    void aSemaphoreMovesSeveralPermitsAtOnceAsTheJdksDoes() throws Exception {
        try (SharedSemaphore permits = SharedSemaphore.create(5)) {
            permits.acquire(3);
            assertEquals(2, permits.availablePermits());
            assertFalse(permits.tryAcquire(3, 10, TimeUnit.MILLISECONDS), "only 2 are free");
            assertTrue(permits.tryAcquire());
            assertTrue(permits.tryAcquire(1, TimeUnit.SECONDS));
            assertFalse(permits.tryAcquire(), "none left");
            Future<Boolean> waiting =
                    threads.submit(() -> permits.tryAcquire(2, 30, TimeUnit.SECONDS));
            permits.release(2);
            assertTrue(waiting.get(30, TimeUnit.SECONDS), "two came back and were taken");
            permits.release(5);
            assertEquals(5, permits.drainPermits());
            assertEquals(0, permits.availablePermits());
            assertEquals(0, permits.drainPermits());
            permits.release(5);
            IllegalStateException tooMany =
                    assertThrows(IllegalStateException.class, () -> permits.release(1));
            assertTrue(tooMany.getMessage().contains("holds fewer"), tooMany::getMessage);
            IllegalArgumentException more =
                    assertThrows(IllegalArgumentException.class, () -> permits.acquire(6));
            assertTrue(more.getMessage().contains("which has 5"), more::getMessage);
            assertThrows(IllegalArgumentException.class, () -> permits.release(-1));
        }
    }

    @Test
    void badCountsSayWhatIsWrong() {
        assertEquals(
                "SharedCountDownLatch.create: count must be >= 0, was -1",
                assertThrows(IllegalArgumentException.class, () -> SharedCountDownLatch.create(-1))
                        .getMessage());
        assertEquals(
                "SharedCyclicBarrier.create: parties must be 1 to 4096, was 0",
                assertThrows(IllegalArgumentException.class, () -> SharedCyclicBarrier.create(0))
                        .getMessage());
        SharedCountDownLatch closed = SharedCountDownLatch.create(1);
        closed.close();
        assertThrows(IllegalStateException.class, closed::countDown);
    }
}
