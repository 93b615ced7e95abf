package dev.paralleltask.it;

import dev.paralleltask.ParallelTask;
import dev.paralleltask.shared.SharedByteArray;
import dev.paralleltask.shared.SharedCountDownLatch;
import dev.paralleltask.shared.SharedCyclicBarrier;
import dev.paralleltask.shared.SharedEvent;
import dev.paralleltask.shared.SharedLock;
import dev.paralleltask.shared.SharedLongArray;
import dev.paralleltask.shared.SharedMap;
import dev.paralleltask.shared.SharedQueue;
import dev.paralleltask.shared.SharedSemaphore;
import dev.paralleltask.shared.SharedValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;

/** Tasks that work on shared objects their caller passes them. */
public final class SharedWork {
    private SharedWork() {}

    /** Sets elements {@code from..to} of {@code array} to twice their index. */
    @ParallelTask
    public static long fill(SharedLongArray array, long from, long to) {
        for (long i = from; i < to; i++) {
            array.set(i, 2 * i);
        }
        return ProcessHandle.current().pid();
    }

    /** Adds 1 to element 0, {@code times} times, half by getAndAdd, half by compareAndSet. */
    @ParallelTask
    public static int count(SharedLongArray counter, int times) {
        for (int i = 0; i < times; i++) {
            if (i % 2 == 0) {
                counter.getAndAdd(0, 1);
            } else {
                long seen;
                do {
                    seen = counter.get(0);
                } while (!counter.compareAndSet(0, seen, seen + 1));
            }
        }
        return times;
    }

    /** Reads byte {@code index} and sets byte {@code index + 1} to {@code value}. */
    @ParallelTask
    public static byte readAndWrite(SharedByteArray bytes, long index, byte value) {
        bytes.set(index + 1, value);
        return bytes.get(index);
    }

    /** Takes {@code n} numbers from {@code in} and puts their squares to {@code out}. */
    @ParallelTask
    public static int square(SharedQueue<Integer> in, SharedQueue<Integer> out, int n)
            throws InterruptedException {
        for (int i = 0; i < n; i++) {
            int x = in.take();
            out.put(x * x);
        }
        return n;
    }

    /** Puts {@code n} strings of {@code size} chars, then an empty one. */
    @ParallelTask
    public static int produce(SharedQueue<String> queue, int n, int size)
            throws InterruptedException {
        for (int i = 0; i < n; i++) {
            queue.put(Integer.toString(i).repeat(Math.max(1, size / Integer.toString(i).length())));
        }
        queue.put("");
        return n;
    }

    /** Takes strings until an empty one; returns the first char of each, as numbers seen. */
    @ParallelTask
    public static List<String> consume(SharedQueue<String> queue) throws InterruptedException {
        List<String> heads = new ArrayList<>();
        for (String s; !(s = queue.take()).isEmpty(); ) {
            heads.add(s.substring(0, Math.min(s.length(), 8)) + ":" + s.length());
        }
        return heads;
    }

    /** Takes the lock, says so through {@code held}, then dies as {@code how} says. */
    /** Counts the latch down {@code times} times. */
    @ParallelTask
    public static long countDown(SharedCountDownLatch latch, int times) {
        for (int i = 0; i < times; i++) {
            latch.countDown();
        }
        return ProcessHandle.current().pid();
    }

    /** Waits for the latch; returns this worker's pid. */
    @ParallelTask
    public static long awaitLatch(SharedCountDownLatch latch) throws InterruptedException {
        latch.await();
        return ProcessHandle.current().pid();
    }

    /** Meets the other parties at the barrier {@code rounds} times; returns its arrival indexes. */
    @ParallelTask
    public static List<Integer> meet(SharedCyclicBarrier barrier, int rounds)
            throws InterruptedException, java.util.concurrent.BrokenBarrierException {
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            indexes.add(barrier.await());
        }
        return indexes;
    }

    /** Arrives at the barrier, says so, and dies there (or is killed there: "hang"). */
    @ParallelTask(timeoutMillis = 2_000)
    public static int waitAndDie(SharedCyclicBarrier barrier, SharedEvent waiting, String how)
            throws Exception {
        Thread waiter =
                new Thread(
                        () -> {
                            try {
                                barrier.await();
                            } catch (Exception e) {
                                // it dies with its process
                            }
                        });
        waiter.setDaemon(true);
        waiter.start();
        while (barrier.getNumberWaiting() == 0) {
            Thread.onSpinWait();
        }
        waiting.set();
        return Faults.dieAs(how);
    }

    @ParallelTask(timeoutMillis = 2_000)
    public static int lockAndDie(SharedLock lock, SharedEvent held, String how)
            throws InterruptedException {
        lock.lock();
        held.set();
        return Faults.dieAs(how);
    }

    /** Takes a permit, says so through {@code held}, then dies as {@code how} says. */
    @ParallelTask(timeoutMillis = 2_000)
    public static int acquireAndDie(SharedSemaphore permits, SharedEvent held, String how)
            throws InterruptedException {
        permits.acquire();
        held.set();
        return Faults.dieAs(how);
    }

    /** Runs for {@code millis} holding a permit; counts in {@code gauge} who else does. */
    @ParallelTask
    public static long limited(SharedSemaphore permits, SharedLongArray gauge, long millis)
            throws InterruptedException {
        permits.acquire();
        try {
            long now = gauge.getAndAdd(0, 1) + 1;
            long most;
            while ((most = gauge.get(1)) < now && !gauge.compareAndSet(1, most, now)) {
                // another call raised the peak meanwhile: look again
            }
            Thread.sleep(millis);
            gauge.getAndAdd(0, -1);
            return now;
        } finally {
            permits.release();
        }
    }

    /**
     * Puts {@code 1..n} through a ring of {@code ring.length() - 2} slots guarded by {@code lock}
     * and its conditions (the last two elements count puts and takes), as the JDK's {@code
     * Condition} documentation's bounded buffer does; {@link #takeThroughConditions} takes them.
     */
    @ParallelTask
    public static long putThroughConditions(SharedLock lock, SharedLongArray ring, int n)
            throws InterruptedException {
        Condition changed = lock.newCondition();
        int slots = (int) ring.length() - 2;
        for (long x = 1; x <= n; x++) {
            lock.lock();
            try {
                while (ring.get(slots) - ring.get(slots + 1) == slots) {
                    changed.await();
                }
                ring.set(ring.get(slots) % slots, x);
                ring.set(slots, ring.get(slots) + 1);
                changed.signal();
            } finally {
                lock.unlock();
            }
        }
        return n;
    }

    /** Takes {@code n} elements that {@link #putThroughConditions} puts; returns their sum. */
    public static long takeThroughConditions(SharedLock lock, SharedLongArray ring, int n)
            throws InterruptedException {
        Condition changed = lock.newCondition();
        int slots = (int) ring.length() - 2;
        long sum = 0;
        long expected = 1;
        for (int i = 0; i < n; i++) {
            lock.lock();
            try {
                while (ring.get(slots) == ring.get(slots + 1)) {
                    changed.await();
                }
                long x = ring.get(ring.get(slots + 1) % slots);
                if (x != expected++) {
                    throw new AssertionError("took " + x + " where " + (expected - 1) + " was due");
                }
                sum += x;
                ring.set(slots + 1, ring.get(slots + 1) + 1);
                changed.signal();
            } finally {
                lock.unlock();
            }
        }
        return sum;
    }

    /**
     * Holds {@code lock} twice, says so through {@code waiting}, and awaits a condition of it once:
     * returns this thread's hold count after the wait, which ends with a signal or with the death
     * of whoever holds the lock meanwhile.
     */
    @ParallelTask
    public static int awaitOnce(SharedLock lock, SharedEvent waiting) throws InterruptedException {
        Condition c = lock.newCondition();
        lock.lock();
        lock.lock();
        try {
            waiting.set();
            c.await();
            return lock.getHoldCount();
        } finally {
            lock.unlock();
            lock.unlock();
        }
    }

    /**
     * Removes the even elements of {@code queue}, wherever they wait, through the {@link
     * java.util.concurrent.BlockingQueue} it is; returns whether it removed any.
     */
    @ParallelTask
    public static boolean removeEvens(SharedQueue<Integer> queue) {
        java.util.concurrent.BlockingQueue<Integer> q = queue;
        return q.removeIf(x -> x % 2 == 0);
    }

    /**
     * What this worker sees of {@code value}: its pid, the identity of the list it decoded, and the
     * sum of its elements.
     */
    @ParallelTask
    public static String readValue(SharedValue<List<Long>> value) {
        List<Long> numbers = value.get();
        return ProcessHandle.current().pid()
                + " "
                + System.identityHashCode(numbers)
                + " "
                + numbers.stream().mapToLong(Long::longValue).sum();
    }

    /** Adds 1 to {@code n} counters of {@code counts}, {@code times} times each, by merge. */
    @ParallelTask
    public static int mergeCounts(SharedMap<String, Long> counts, int n, int times) {
        for (int t = 0; t < times; t++) {
            for (int i = 0; i < n; i++) {
                counts.merge("c" + i, 1L, Long::sum);
            }
        }
        return n * times;
    }

    /**
     * Puts, removes and replaces entries of {@code map} until it is killed, after saying so through
     * {@code started}: each value is its key's number repeated, so a reader can tell a whole entry.
     */
    @ParallelTask(timeoutMillis = 60_000)
    public static int churn(SharedMap<Integer, String> map, SharedEvent started) {
        started.set();
        for (int i = 0; ; i++) {
            int key = i % 64;
            String value = String.valueOf(key).repeat(1 + i % 30);
            switch (i % 3) {
                case 0 -> map.put(key, value);
                case 1 -> map.merge(key, value, (a, b) -> a.length() > 40 ? b : a + b);
                default -> map.remove(key);
            }
        }
    }

    /** Unlocks a lock this worker does not hold. */
    @ParallelTask
    public static int unlock(SharedLock lock) {
        lock.unlock();
        return 0;
    }

    /** Waits for the event, at most {@code millis}. */
    @ParallelTask
    public static boolean await(SharedEvent event, long millis) throws InterruptedException {
        return event.await(Duration.ofMillis(millis));
    }

    /**
     * Says it started through {@code started}, then waits for the event, at most {@code millis}.
     */
    @ParallelTask
    public static boolean awaitOnceStarted(SharedEvent started, SharedEvent event, long millis)
            throws InterruptedException {
        started.set();
        return event.await(Duration.ofMillis(millis));
    }

    /** Makes an array in the worker and hands it to the caller. */
    @ParallelTask
    public static SharedLongArray make(long length, long value) {
        SharedLongArray array = SharedLongArray.allocate(length);
        for (long i = 0; i < length; i++) {
            array.set(i, value);
        }
        return array;
    }

    /** Returns its argument: a large one crosses through shared memory both ways. */
    @ParallelTask
    public static double[] echo(double[] values) {
        return values;
    }

    /** The sum of {@code values}; halts the worker the first time, when {@code marker} is new. */
    @ParallelTask(retries = 1)
    public static long sumAfterDying(long[] values, String marker) throws java.io.IOException {
        java.nio.file.Path path = java.nio.file.Path.of(marker);
        if (java.nio.file.Files.notExists(path)) {
            java.nio.file.Files.createFile(path);
            Runtime.getRuntime().halt(9);
        }
        long sum = 0;
        for (long v : values) {
            sum += v;
        }
        return sum;
    }

    /** Element {@code index} of {@code array}. */
    @ParallelTask
    public static long get(SharedLongArray array, long index) {
        return array.get(index);
    }
}
