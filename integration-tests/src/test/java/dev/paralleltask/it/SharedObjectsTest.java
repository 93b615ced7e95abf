package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.RemoteTaskException;
import dev.paralleltask.runtime.TaskException;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.ThreadPool;
import dev.paralleltask.runtime.internal.shared.SharedDirectory;
import dev.paralleltask.shared.SharedByteArray;
import dev.paralleltask.shared.SharedCountDownLatch;
import dev.paralleltask.shared.SharedCyclicBarrier;
import dev.paralleltask.shared.SharedDoubleArray;
import dev.paralleltask.shared.SharedEvent;
import dev.paralleltask.shared.SharedLock;
import dev.paralleltask.shared.SharedLongArray;
import dev.paralleltask.shared.SharedMap;
import dev.paralleltask.shared.SharedQueue;
import dev.paralleltask.shared.SharedSemaphore;
import dev.paralleltask.shared.SharedValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Shared arrays, queues, locks, semaphores and events between the caller and real workers. */
@Timeout(120)
class SharedObjectsTest {
    private static ProcessPool pool;
    private static SharedWorkTasks tasks;

    @BeforeAll
    static void startPool() {
        pool = ProcessPool.builder().workers(2).jvmOptions("-Xmx64m").build();
        tasks = new SharedWorkTasks(pool);
    }

    @AfterAll
    static void closePoolAndLookForLeftovers() throws Exception {
        pool.close();
        // Every object was closed, some by workers that died meanwhile; the spare files that
        // large arrays leave for the next one's pages go within seconds: nothing stays.
        Futures.eventually(
                "the shared directory is empty",
                () -> {
                    try (Stream<Path> left = Files.list(SharedDirectory.get())) {
                        return left.findAny().isEmpty();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
    }

    /** Waits until both workers take calls: an earlier test may have cost one its life. */
    private static void bothWorkersReady() throws InterruptedException {
        Futures.eventually(
                "two workers ready",
                () ->
                        pool.stats().workers().stream()
                                        .filter(w -> w.state().equals("READY"))
                                        .count()
                                == 2);
    }

    @Test
    void workersWritePartsOfOneArrayThatTheCallerReads() throws Exception {
        bothWorkersReady(); // so that the parts go to both
        int n = 1_000_000;
        try (SharedLongArray array = SharedLongArray.allocate(n)) {
            List<TaskFuture<Long>> parts = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                parts.add(tasks.fill(array, (long) p * n / 4, (long) (p + 1) * n / 4));
            }
            Set<Long> pids = new HashSet<>();
            for (TaskFuture<Long> part : parts) {
                pids.add(await(part));
            }
            assertEquals(2, pids.size(), "both workers wrote");
            long[] all = new long[n];
            array.get(0, all, 0, n);
            for (int i = 0; i < n; i++) {
                assertEquals(2L * i, all[i], "element " + i);
            }
        }
    }

    @Test
    void atomicUpdatesFromManyCallsOnSeveralWorkersAreAllCounted() throws Exception {
        try (SharedLongArray counter = SharedLongArray.allocate(1)) {
            List<TaskFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                calls.add(tasks.count(counter, 5_000));
            }
            for (int i = 0; i < 20_000; i++) {
                counter.getAndAdd(0, 1); // the caller too, at the same time
            }
            for (TaskFuture<Integer> c : calls) {
                await(c);
            }
            assertEquals(40 * 5_000 + 20_000, counter.get(0));
        }
    }

    @Test
    void anArrayPastTwoGibElementsWorksEverywhere() throws Exception {
        long length = (1L << 31) + 10; // sparse: only the pages touched take memory
        try (SharedByteArray bytes = SharedByteArray.allocate(length)) {
            long far = length - 3;
            bytes.set(far, (byte) 42);
            assertEquals((byte) 42, await(tasks.readAndWrite(bytes, far, (byte) 7)));
            assertEquals((byte) 7, bytes.get(far + 1));
            assertEquals(length, bytes.length());
            byte[] across = new byte[8];
            bytes.set((1L << 30) - 4, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 0, 8);
            bytes.get((1L << 30) - 4, across, 0, 8); // across two mapped pieces
            assertEquals("[1, 2, 3, 4, 5, 6, 7, 8]", java.util.Arrays.toString(across));
        }
    }

    @Test
    void aQueueCarriesValuesBothWaysBetweenTheCallerAndAWorker() throws Exception {
        try (SharedQueue<Integer> in = SharedQueue.create(2);
                SharedQueue<Integer> out = SharedQueue.create(2)) {
            TaskFuture<Integer> squaring = tasks.square(in, out, 200);
            for (int i = 0; i < 200; i++) {
                in.put(i);
                assertEquals(i * i, out.take());
            }
            assertEquals(200, await(squaring));
            assertEquals(0, in.size());
            assertEquals(null, out.poll(Duration.ofMillis(10)));
        }
    }

    @Test
    void aQueueCarriesLargeAndSmallElementsBetweenTasksOnTwoWorkers() throws Exception {
        bothWorkersReady(); // the consumer and the producer must run at once
        try (SharedQueue<String> queue = SharedQueue.create(3)) {
            TaskFuture<List<String>> consumer = tasks.consume(queue);
            TaskFuture<Integer> producer =
                    tasks.produce(queue, 30, 100_000); // past the ring's 16 KiB
            TaskFuture<Integer> small = tasks.produce(queue, 0, 1); // only its empty string
            assertEquals(30, await(producer));
            assertEquals(0, await(small));
            List<String> got = await(consumer); // it stops at the first empty string
            List<String> seen = new ArrayList<>(got);
            if (seen.size() < 30) { // the small producer's empty string came first: take the rest
                for (String s; !(s = queue.take()).isEmpty(); ) {
                    seen.add(s.substring(0, Math.min(s.length(), 8)) + ":" + s.length());
                }
            }
            assertEquals(30, seen.size(), seen.toString());
            for (int i = 0; i < 30; i++) {
                assertTrue(seen.get(i).startsWith(Integer.toString(i)), seen.toString()); // FIFO
            }
            Path dir = SharedDirectory.get();
            queue.close();
            try (Stream<Path> left = Files.list(dir)) {
                assertTrue(left.noneMatch(p -> p.toString().contains(".shm")), "files left");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"exit", "halt", "outOfMemory", "hang", "cancel"})
    void aLockWhoseHolderDiedIsTakenByTheNext(String how) throws Exception {
        try (SharedLock lock = SharedLock.create();
                SharedEvent held = SharedEvent.create()) {
            TaskFuture<Integer> holder =
                    tasks.lockAndDie(lock, held, how.equals("cancel") ? "hang" : how);
            assertTrue(held.await(Duration.ofSeconds(60)), "the worker took the lock");
            assertFalse(lock.tryLock(Duration.ofMillis(50)), "held by the worker");
            if (how.equals("cancel")) {
                holder.cancel(true);
            }
            assertTrue(lock.tryLock(Duration.ofSeconds(60)), "taken over after " + how);
            lock.unlock();
            assertThrows(
                    Exception.class, () -> Futures.await(holder), "it failed, or was cancelled");
        }
    }

    @Test
    void aWorkerAndItsCallerHandItemsOverThroughALocksConditions() throws Exception {
        try (SharedLock lock = SharedLock.create();
                SharedLongArray ring = SharedLongArray.allocate(3 + 2)) {
            int n = 5_000;
            TaskFuture<Long> producer = tasks.putThroughConditions(lock, ring, n);
            assertEquals((long) n * (n + 1) / 2, SharedWork.takeThroughConditions(lock, ring, n));
            assertEquals(n, await(producer));
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void aConditionsWaiterWakesAndTakesTheLockOverWhenItsHolderDies() throws Exception {
        bothWorkersReady();
        try (SharedLock lock = SharedLock.create();
                SharedEvent waiting = SharedEvent.create();
                SharedEvent held = SharedEvent.create()) {
            TaskFuture<Integer> waiter = tasks.awaitOnce(lock, waiting);
            assertTrue(waiting.await(Duration.ofSeconds(60)), "the worker waits");
            TaskFuture<Integer> holder = tasks.lockAndDie(lock, held, "halt");
            assertTrue(held.await(Duration.ofSeconds(60)), "the other worker took the lock");
            assertEquals(2, await(waiter), "woke, holding the lock as often as before");
            assertThrows(Exception.class, () -> Futures.await(holder), "it died");
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void aWorkerRemovesElementsFromTheMiddleOfAQueueItsCallerDrains() throws Exception {
        try (SharedQueue<Integer> queue = SharedQueue.create(200)) {
            for (int i = 0; i < 100; i++) {
                queue.put(i);
            }
            assertTrue(await(tasks.removeEvens(queue)));
            assertEquals(50, queue.size());
            assertEquals(150, queue.remainingCapacity());
            List<Integer> left = new ArrayList<>();
            assertEquals(50, queue.drainTo(left));
            assertEquals(IntStream.range(0, 50).map(i -> 2 * i + 1).boxed().toList(), left);
            assertTrue(queue.isEmpty());
        }
    }

    @Test
    void aSharedValueIsDecodedOncePerWorkerWhateverTheCallsThatReadIt() throws Exception {
        bothWorkersReady();
        List<Long> numbers = LongStream.range(0, 200_000).boxed().toList();
        try (SharedValue<List<Long>> value = SharedValue.of(numbers)) {
            List<TaskFuture<String>> reads = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                reads.add(tasks.readValue(value));
            }
            Map<String, Set<String>> decodedByPid = new HashMap<>();
            for (TaskFuture<String> read : reads) {
                String[] seen = await(read).split(" ");
                assertEquals(String.valueOf(199_999L * 200_000 / 2), seen[2], "the whole value");
                decodedByPid.computeIfAbsent(seen[0], pid -> new HashSet<>()).add(seen[1]);
            }
            for (Set<String> decoded : decodedByPid.values()) {
                assertEquals(1, decoded.size(), "one decoding per worker: " + decodedByPid);
            }
        }
    }

    @Test
    void mergesFromTwoWorkersAndTheCallerAreEachCounted() throws Exception {
        bothWorkersReady();
        try (SharedMap<String, Long> counts = SharedMap.create(1 << 16)) {
            TaskFuture<Integer> one = tasks.mergeCounts(counts, 10, 500);
            TaskFuture<Integer> other = tasks.mergeCounts(counts, 10, 500);
            SharedWork.mergeCounts(counts, 10, 500);
            await(one);
            await(other);
            for (int i = 0; i < 10; i++) {
                assertEquals(1_500L, counts.get("c" + i), "c" + i);
            }
            assertEquals(10, counts.size());
        }
    }

    @Test
    void aMapWhoseWriterIsKilledMidUpdateStaysWhole() throws Exception {
        try (SharedMap<Integer, String> map = SharedMap.create(8_192)) {
            for (int round = 0; round < 3; round++) {
                try (SharedEvent started = SharedEvent.create()) {
                    TaskFuture<Integer> writer = tasks.churn(map, started);
                    assertTrue(started.await(Duration.ofSeconds(60)));
                    Thread.sleep(20 + 37 * round); // somewhere in the middle of its changes
                    writer.cancel(true); // kills its worker
                }
                // Every entry there is whole, and the map takes changes (its mutex taken over).
                for (Map.Entry<Integer, String> e : map.entrySet()) {
                    String value = e.getValue();
                    String key = String.valueOf(e.getKey());
                    assertEquals(
                            key.repeat(value.length() / key.length()),
                            value,
                            "the entry of " + key);
                }
                map.put(1_000, "after");
                assertEquals("after", map.remove(1_000));
            }
        }
    }

    @Test
    void aLatchCountedDownByWorkersReleasesItsWaiters() throws Exception {
        bothWorkersReady();
        try (SharedCountDownLatch latch = SharedCountDownLatch.create(1_000)) {
            TaskFuture<Long> waiter = tasks.awaitLatch(latch);
            assertFalse(latch.await(0, TimeUnit.MILLISECONDS), "not yet zero");
            TaskFuture<Long> counter = tasks.countDown(latch, 999);
            await(counter);
            assertEquals(1, latch.getCount());
            assertFalse(waiter.isDone(), "one count is left");
            latch.countDown();
            assertTrue(latch.await(60, TimeUnit.SECONDS));
            assertTrue(await(waiter) > 0, "the worker's wait ended");
            latch.countDown();
            assertEquals(0, latch.getCount(), "never below zero");
        }
    }

    @Test
    void aBarrierLetsTheCallerAndTwoWorkersMeetRoundAfterRound() throws Exception {
        bothWorkersReady();
        try (SharedCyclicBarrier barrier = SharedCyclicBarrier.create(3)) {
            int rounds = 50;
            TaskFuture<List<Integer>> first = tasks.meet(barrier, rounds);
            TaskFuture<List<Integer>> second = tasks.meet(barrier, rounds);
            List<Integer> mine = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                mine.add(barrier.await(60, TimeUnit.SECONDS));
            }
            List<Integer> a = await(first);
            List<Integer> b = await(second);
            for (int i = 0; i < rounds; i++) {
                assertEquals(
                        Set.of(0, 1, 2),
                        Set.of(mine.get(i), a.get(i), b.get(i)),
                        "round " + i + ": each arrival index once");
            }
            assertFalse(barrier.isBroken());
            assertEquals(0, barrier.getNumberWaiting());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"halt", "exit", "cancel"})
    void aBarrierWhosePartyDiedWhileWaitingIsBrokenForTheOthers(String how) throws Exception {
        try (SharedCyclicBarrier barrier = SharedCyclicBarrier.create(3);
                SharedEvent waiting = SharedEvent.create()) {
            TaskFuture<Integer> doomed =
                    tasks.waitAndDie(barrier, waiting, how.equals("cancel") ? "hang" : how);
            assertTrue(waiting.await(Duration.ofSeconds(60)), "the worker waits at the barrier");
            if (how.equals("cancel")) {
                doomed.cancel(true);
            }
            // The caller is the second party of three: the third never comes, and the first died.
            assertThrows(
                    java.util.concurrent.BrokenBarrierException.class,
                    () -> barrier.await(60, TimeUnit.SECONDS));
            assertTrue(barrier.isBroken());
            assertThrows(
                    java.util.concurrent.BrokenBarrierException.class,
                    barrier::await,
                    "broken until reset");
            barrier.reset();
            assertFalse(barrier.isBroken(), "whole again after reset");
            assertThrows(Exception.class, () -> Futures.await(doomed), "it died, or was cancelled");
        }
    }

    @Test
    void aBarrierThatTimesOutIsBrokenForTheOthers() throws Exception {
        try (SharedCyclicBarrier barrier = SharedCyclicBarrier.create(3)) {
            TaskFuture<List<Integer>> other = tasks.meet(barrier, 1);
            Futures.eventually("the worker waits", () -> barrier.getNumberWaiting() == 1);
            assertThrows(
                    java.util.concurrent.TimeoutException.class,
                    () -> barrier.await(100, TimeUnit.MILLISECONDS));
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> Futures.await(other));
            assertTrue(
                    e.getCause() instanceof java.util.concurrent.BrokenBarrierException,
                    () -> "the worker's party: " + e.getCause());
            barrier.reset();
        }
    }

    @Test
    void aPermitWhoseHolderDiedIsGivenBack() throws Exception {
        try (SharedSemaphore permits = SharedSemaphore.create(1);
                SharedEvent held = SharedEvent.create()) {
            TaskFuture<Integer> holder = tasks.acquireAndDie(permits, held, "halt");
            assertTrue(held.await(Duration.ofSeconds(60)));
            assertTrue(permits.tryAcquire(Duration.ofSeconds(60)), "given back");
            assertEquals(0, permits.availablePermits());
            permits.release();
            assertEquals(1, permits.availablePermits());
            failure(holder, dev.paralleltask.runtime.WorkerCrashedException.class);
        }
    }

    @Test
    void aSemaphoreBoundsHowManyCallsRunAtOnce() throws Exception {
        try (ProcessPool four = ProcessPool.builder().workers(4).jvmOptions("-Xmx64m").build();
                SharedSemaphore permits = SharedSemaphore.create(2);
                SharedLongArray gauge = SharedLongArray.allocate(2)) {
            SharedWorkTasks on4 = new SharedWorkTasks(four);
            List<TaskFuture<Long>> calls = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                calls.add(on4.limited(permits, gauge, 100));
            }
            for (TaskFuture<Long> c : calls) {
                assertTrue(await(c) <= 2);
            }
            assertTrue(gauge.get(1) >= 1 && gauge.get(1) <= 2, "peak " + gauge.get(1));
            assertEquals(2, permits.availablePermits());
        }
    }

    @Test
    void anEventWakesEveryWaiter() throws Exception {
        try (SharedEvent event = SharedEvent.create()) {
            TaskFuture<Boolean> first = tasks.await(event, 60_000);
            TaskFuture<Boolean> second = tasks.await(event, 60_000);
            Futures.eventually("both wait", () -> pool.stats().running() == 2);
            assertFalse(event.isSet());
            event.set();
            assertTrue(await(first));
            assertTrue(await(second));
            event.clear();
            assertFalse(await(tasks.await(event, 50)), "not set: the wait times out");
        }
    }

    @Test
    void anArrayMadeInAWorkerOutlivesItAndReachesOtherWorkers() throws Exception {
        try (SharedLongArray made = await(tasks.make(10, 7))) {
            assertEquals(7, made.get(9));
            made.set(3, 11);
            assertEquals(11L, await(tasks.get(made, 3)));
        }
    }

    @Test
    void theSameObjectsWorkOnAThreadPool() throws Exception {
        try (ThreadPool threads = ThreadPool.builder().threads(4).build();
                ThreadPool copying = ThreadPool.builder().threads(2).copyValues(true).build();
                SharedLongArray counter = SharedLongArray.allocate(1);
                SharedQueue<Integer> in = SharedQueue.create(2);
                SharedQueue<Integer> out = SharedQueue.create(2)) {
            List<TaskFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(
                        new SharedWorkTasks(i % 2 == 0 ? threads : copying).count(counter, 1_000));
            }
            for (TaskFuture<Integer> c : calls) {
                await(c);
            }
            assertEquals(8_000, counter.get(0));
            TaskFuture<Integer> squaring = new SharedWorkTasks(copying).square(in, out, 3);
            for (int i = 1; i <= 3; i++) {
                in.put(i);
                assertEquals(i * i, out.take());
            }
            assertEquals(3, await(squaring));
            try (SharedMap<String, Long> counts = SharedMap.create(1 << 12);
                    SharedValue<List<Long>> value = SharedValue.of(List.of(1L, 2L, 3L))) {
                await(new SharedWorkTasks(threads).mergeCounts(counts, 3, 10));
                await(new SharedWorkTasks(copying).mergeCounts(counts, 3, 10));
                assertEquals(20L, counts.get("c2"));
                assertTrue(await(new SharedWorkTasks(copying).readValue(value)).endsWith(" 6"));
            }
        }
    }

    @Test
    void largeArraysArriveExactlyBothWays() throws Exception {
        double[] values = new double[3 << 20]; // 24 MiB: through shared memory
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.sqrt(i) * (i % 2 == 0 ? 1 : -1);
        }
        values[7] = Double.NaN;
        values[8] = -0.0;
        double[] back = await(tasks.echo(values));
        assertTrue(java.util.Arrays.equals(values, back));
    }

    @Test
    void aLargeArgumentIsThereAgainForTheRetryOfACallWhoseWorkerDied(
            @org.junit.jupiter.api.io.TempDir Path temp) throws Exception {
        long[] values = new long[1 << 18]; // 2 MiB
        java.util.Arrays.fill(values, 3);
        long sum = await(tasks.sumAfterDying(values, temp.resolve("died").toString()));
        assertEquals(3L * values.length, sum);
        assertTrue(Files.exists(temp.resolve("died")), "the first attempt died");
    }

    @Test
    void badInputIsRefusedNamingTheValue() {
        assertEquals(
                "SharedLongArray.allocate: length must be between 0 and what memory holds, was -5",
                assertThrows(IllegalArgumentException.class, () -> SharedLongArray.allocate(-5))
                        .getMessage());
        IllegalArgumentException tooBig =
                assertThrows(
                        IllegalArgumentException.class, () -> SharedDoubleArray.allocate(1L << 50));
        assertTrue(
                tooBig.getMessage().contains("takes 9007199254740992 bytes"), tooBig::getMessage);
        assertEquals(
                "SharedQueue.create: capacity must be >= 1, was 0",
                assertThrows(IllegalArgumentException.class, () -> SharedQueue.create(0))
                        .getMessage());
        assertEquals(
                "SharedSemaphore.create: permits must be >= 0, was -1",
                assertThrows(IllegalArgumentException.class, () -> SharedSemaphore.create(-1))
                        .getMessage());
    }

    @Test
    void unlockByAWorkerThatDoesNotHoldTheLockFailsNamingTheHolder() throws Exception {
        try (SharedLock lock = SharedLock.create()) {
            lock.lock();
            Throwable e = failure(tasks.unlock(lock), IllegalMonitorStateException.class);
            assertTrue(
                    e.getMessage().contains("but pid " + ProcessHandle.current().pid()),
                    e::getMessage);
            lock.unlock();
            IllegalMonitorStateException notLocked =
                    assertThrows(IllegalMonitorStateException.class, lock::unlock);
            assertTrue(
                    notLocked.getMessage().endsWith("but it is not locked: lock it first"),
                    notLocked::getMessage);
        }
    }

    @Test
    void aClosedObjectFailsItsUseHereAndItsCallThere() throws Exception {
        SharedLongArray array = SharedLongArray.allocate(4);
        array.close();
        IllegalStateException here = assertThrows(IllegalStateException.class, () -> array.get(0));
        assertTrue(here.getMessage().endsWith("is closed"), here::getMessage);
        TaskException there = failure(tasks.get(array, 0), TaskException.class);
        assertTrue(there.getMessage().contains("closed"), there::getMessage);
        assertEquals(5L, await(new FaultsTasks(pool).sleep(5)), "the worker goes on");
    }

    @Test
    void anObjectClosedWhileAWorkerHoldsItFailsThereClearly() throws Exception {
        SharedEvent event = SharedEvent.create();
        TaskFuture<Boolean> waiting;
        try (SharedEvent started = SharedEvent.create()) {
            waiting = tasks.awaitOnceStarted(started, event, 60_000);
            assertTrue(started.await(Duration.ofSeconds(60)), "the worker has the event");
        }
        event.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(waiting));
        Throwable cause = e.getCause();
        assertTrue(
                cause instanceof IllegalStateException || cause instanceof RemoteTaskException,
                String.valueOf(cause));
        assertTrue(cause.getMessage().contains("is closed"), cause::getMessage);
        try (SharedEvent another = SharedEvent.create()) {
            assertFalse(await(tasks.await(another, 1)), "the worker goes on");
        }
    }
}
