package dev.paralleltask.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SharedLock} among threads of one process, as a {@link
 * java.util.concurrent.locks.ReentrantLock} behaves; across worker processes, with holders and
 * waiters that die, in {@code SharedObjectsTest}.
 */
@Timeout(60)
class SharedLockTest {
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void itIsReentrantAndCountsItsHolds() throws Exception {
        try (SharedLock lock = SharedLock.create()) {
            assertEquals(0, lock.getHoldCount());
            assertFalse(lock.isHeldByCurrentThread());
            lock.lock();
            assertTrue(lock.tryLock());
            assertTrue(lock.tryLock(1, TimeUnit.SECONDS));
            assertEquals(3, lock.getHoldCount());
            assertTrue(lock.isHeldByCurrentThread());
            assertFalse(threads.submit(() -> lock.tryLock()).get(), "held by another thread");
            assertEquals(0, (int) threads.submit(lock::getHoldCount).get());
            lock.unlock();
            lock.unlock();
            assertTrue(lock.isLocked(), "held once more");
            lock.unlock();
            assertFalse(lock.isLocked());
            IllegalMonitorStateException notHeld =
                    assertThrows(IllegalMonitorStateException.class, lock::unlock);
            assertTrue(
                    notHeld.getMessage().contains("but it is not locked: lock it first"),
                    notHeld::getMessage);
            assertTrue(threads.submit(() -> lock.tryLock()).get(), "free for another thread");
            IllegalMonitorStateException other =
                    assertThrows(IllegalMonitorStateException.class, lock::unlock);
            assertTrue(other.getMessage().contains(" holds it"), other::getMessage);
        }
    }

    /** A bounded buffer of the JDK's {@code Condition} documentation, on the shared lock. */
    private static final class Buffer {
        final Lock lock;
        final Condition notFull;
        final Condition notEmpty;
        final SharedLongArray items = SharedLongArray.allocate(4 + 2); // 4 slots, put, take

        Buffer(Lock lock) {
            this.lock = lock;
            this.notFull = lock.newCondition();
            this.notEmpty = lock.newCondition();
        }

        void put(long x) throws InterruptedException {
            lock.lock();
            try {
                while (items.get(4) - items.get(5) == 4) {
                    notFull.await();
                }
                items.set(items.get(4) % 4, x);
                items.set(4, items.get(4) + 1);
                notEmpty.signal();
            } finally {
                lock.unlock();
            }
        }

        long take() throws InterruptedException {
            lock.lock();
            try {
                while (items.get(4) == items.get(5)) {
                    notEmpty.await();
                }
                long x = items.get(items.get(5) % 4);
                items.set(5, items.get(5) + 1);
                notFull.signal();
                return x;
            } finally {
                lock.unlock();
            }
        }
    }

    @Test
    void conditionsHandItemsThroughABoundedBuffer() throws Exception {
        try (SharedLock lock = SharedLock.create()) {
            Buffer buffer = new Buffer(lock);
            int producers = 3;
            int each = 2_000;
            List<Future<?>> puts = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                long base = p * 1_000_000L;
                puts.add(
                        threads.submit(
                                () -> {
                                    for (int i = 1; i <= each; i++) {
                                        buffer.put(base + i);
                                    }
                                    return null;
                                }));
            }
            long[] last = new long[producers];
            for (int n = 0; n < producers * each; n++) {
                long x = buffer.take();
                int p = (int) (x / 1_000_000);
                assertEquals(last[p] + 1, x % 1_000_000, "each producer's items in its order");
                last[p] = x % 1_000_000;
            }
            for (Future<?> put : puts) {
                put.get();
            }
            assertFalse(lock.isLocked());
            buffer.items.close();
        }
    }

    @Test
    void awaitGivesBackEveryHoldAndTakesThemAgain() throws Exception {
        try (SharedLock lock = SharedLock.create()) {
            Condition ready = lock.newCondition();
            lock.lock();
            lock.lock();
            Future<Boolean> signaller =
                    threads.submit(
                            () -> {
                                lock.lock(); // free while the other awaits, though held twice
                                try {
                                    ready.signalAll();
                                    return true;
                                } finally {
                                    lock.unlock();
                                }
                            });
            while (!signaller.isDone()) {
                ready.await(10, TimeUnit.MILLISECONDS);
            }
            assertTrue(signaller.get());
            assertEquals(2, lock.getHoldCount());
            long left = ready.awaitNanos(TimeUnit.MILLISECONDS.toNanos(30));
            assertTrue(left <= 0, "no signal: the time ran out, " + left);
            assertEquals(2, lock.getHoldCount(), "held as before after a timeout");
            lock.unlock();
            lock.unlock();
        }
    }

    @Test
    void anInterruptedAwaitHoldsTheLockAgainBeforeItThrows() throws Exception {
        try (SharedLock lock = SharedLock.create()) {
            Condition never = lock.newCondition();
            Thread caller = Thread.currentThread();
            Future<?> interrupter =
                    threads.submit(
                            () -> {
                                Thread.sleep(50);
                                caller.interrupt();
                                return null;
                            });
            lock.lock();
            assertThrows(InterruptedException.class, never::await);
            assertTrue(lock.isHeldByCurrentThread());
            lock.unlock();
            interrupter.get();
        }
    }

    @Test
    void aConditionUsedWithoutItsLockSaysSo() throws Exception {
        try (SharedLock lock = SharedLock.create()) {
            Condition c = lock.newCondition();
            IllegalMonitorStateException await =
                    assertThrows(IllegalMonitorStateException.class, c::await);
            assertTrue(await.getMessage().startsWith("await() of SharedLock["), await::getMessage);
            IllegalMonitorStateException signal =
                    assertThrows(IllegalMonitorStateException.class, c::signal);
            assertTrue(signal.getMessage().contains("lock it first"), signal::getMessage);
        }
    }

    @Test
    void aWaiterSleepsUntilTheHolderLetsGo() throws Exception {
        try (SharedLock lock = SharedLock.create()) {
            lock.lock();
            Future<Boolean> waiter = threads.submit(() -> lock.tryLock(Duration.ofSeconds(30)));
            Thread.sleep(200); // long past its spinning: it sleeps at the doorbell
            assertFalse(waiter.isDone());
            lock.unlock();
            assertTrue(waiter.get(30, TimeUnit.SECONDS));
        }
    }
}
