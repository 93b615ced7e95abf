package dev.paralleltask.benchmarks;

import dev.paralleltask.ParallelTask;
import dev.paralleltask.shared.SharedCyclicBarrier;
import dev.paralleltask.shared.SharedEvent;
import dev.paralleltask.shared.SharedLock;
import dev.paralleltask.shared.SharedLongArray;
import dev.paralleltask.shared.SharedMap;
import dev.paralleltask.shared.SharedQueue;

/** The tasks the benchmarks call. */
public final class Bench {
    private Bench() {}

    @ParallelTask
    public static void noop() {}

    @ParallelTask
    public static long pid() {
        return ProcessHandle.current().pid();
    }

    @ParallelTask
    public static int exit(int code) {
        Runtime.getRuntime().halt(code);
        return code;
    }

    @ParallelTask
    public static int id(int x) {
        return x;
    }

    @ParallelTask
    public static int add(int a, int b) {
        return a + b;
    }

    @ParallelTask
    public static String greet(String name, int times) {
        return name.length() > times ? name : name + times;
    }

    /** Writes its worker's pid to {@code file}, then sleeps. */
    @ParallelTask
    public static long sleepWritingPid(long millis, String file) throws Exception {
        java.nio.file.Files.writeString(
                java.nio.file.Path.of(file), Long.toString(ProcessHandle.current().pid()));
        Thread.sleep(millis);
        return millis;
    }

    /** Waits, as a call that waits on I/O does; returns what it waited. */
    @ParallelTask
    public static long pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return millis;
    }

    @ParallelTask
    public static byte[] echo(byte[] data) {
        return data;
    }

    /** Puts 0..n-1 into {@code queue}. */
    @ParallelTask
    public static int produce(SharedQueue<Integer> queue, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            queue.put(i);
        }
        return n;
    }

    /** Takes {@code n} numbers from {@code queue}; returns their sum. */
    @ParallelTask
    public static long consume(SharedQueue<Integer> queue, int n) throws InterruptedException {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += queue.take();
        }
        return sum;
    }

    /**
     * Takes {@code n} turns with another call of this: each turn, under the lock, only when element
     * 0 has its parity ({@code side}, 0 or 1), so the lock passes back and forth every time.
     */
    @ParallelTask
    public static int takeTurns(SharedLock lock, SharedLongArray turn, int side, int n) {
        for (int done = 0; done < n; ) {
            lock.lock();
            try {
                long t = turn.get(0);
                if (t % 2 == side) {
                    turn.set(0, t + 1);
                    done++;
                }
            } finally {
                lock.unlock();
            }
        }
        return n;
    }

    /**
     * One end of a ping-pong: {@code n} times, puts a number in {@code out} and takes the answer
     * from {@code in}; returns the nanoseconds that took.
     */
    @ParallelTask
    public static long ping(SharedQueue<Long> out, SharedQueue<Long> in, int n)
            throws InterruptedException {
        long t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
            out.put(i);
            if (in.take() != i) {
                throw new AssertionError("out of order");
            }
        }
        return System.nanoTime() - t0;
    }

    /**
     * The other end: {@code n} times, takes a number from {@code in} and puts it in {@code out}.
     */
    @ParallelTask
    public static int pong(SharedQueue<Long> in, SharedQueue<Long> out, int n)
            throws InterruptedException {
        for (int i = 0; i < n; i++) {
            out.put(in.take());
        }
        return n;
    }

    /** {@code n} times: idles {@code idleMillis}, then puts {@link System#nanoTime()}. */
    @ParallelTask
    public static int stamp(SharedQueue<Long> queue, int n, long idleMillis)
            throws InterruptedException {
        for (int i = 0; i < n; i++) {
            Thread.sleep(idleMillis);
            queue.put(System.nanoTime());
        }
        return n;
    }

    /**
     * Takes {@code n} stamps of {@link #stamp}; returns the median, in nanoseconds, of how long
     * after its stamp each arrived (the monotonic clock is the machine's, in every process).
     */
    @ParallelTask
    public static long lateness(SharedQueue<Long> queue, int n) throws InterruptedException {
        long[] late = new long[n];
        for (int i = 0; i < n; i++) {
            long stamp = queue.take();
            late[i] = System.nanoTime() - stamp;
        }
        java.util.Arrays.sort(late);
        return late[n / 2];
    }

    /**
     * {@code n} times, puts an entry in {@code map} and gets one back (1,000 keys); returns the
     * nanoseconds that took.
     */
    @ParallelTask
    public static long putAndGet(SharedMap<String, Integer> map, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            String key = "k" + (i % 1_000);
            map.put(key, i);
            if (map.get(key) != i) {
                throw new AssertionError("lost a put");
            }
        }
        return System.nanoTime() - t0;
    }

    /** Waits at {@code barrier} {@code n} times; returns the nanoseconds that took. */
    @ParallelTask
    public static long meet(SharedCyclicBarrier barrier, int n) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            barrier.await();
        }
        return System.nanoTime() - t0;
    }

    /**
     * Waits for the event at most {@code millis}, after a first wait of 100 ms that makes what the
     * thread needs to sleep; returns the CPU time, in nanoseconds, its thread spent in the second
     * wait, or -1 if the event was set.
     */
    @ParallelTask
    public static long awaitCpu(SharedEvent event, long millis) throws InterruptedException {
        java.lang.management.ThreadMXBean threads =
                java.lang.management.ManagementFactory.getThreadMXBean();
        event.await(java.time.Duration.ofMillis(100)); // the thread's first sleep sets it up
        long before = threads.getCurrentThreadCpuTime();
        boolean set = event.await(java.time.Duration.ofMillis(millis));
        return set ? -1 : threads.getCurrentThreadCpuTime() - before;
    }

    /** Waits for the event at most {@code millis}. */
    @ParallelTask
    public static boolean await(SharedEvent event, long millis) throws InterruptedException {
        return event.await(java.time.Duration.ofMillis(millis));
    }

    /** Counts a run of call {@code index} in {@code runs}, and returns the index. */
    @ParallelTask(retries = 0)
    public static int countOnce(SharedLongArray runs, int index) {
        runs.getAndAdd(index, 1);
        return index;
    }

    /** The same with one retry allowed. */
    @ParallelTask(retries = 1)
    public static int countRetried(SharedLongArray runs, int index) {
        runs.getAndAdd(index, 1);
        return index;
    }

    /** Returns about {@code answerBytes} bytes for an argument of any size. */
    @ParallelTask
    public static byte[] digest(byte[] data, int answerBytes) {
        byte[] answer = new byte[answerBytes];
        for (int i = 0; i < data.length; i += 64) {
            answer[i % answerBytes] ^= data[i];
        }
        return answer;
    }

    /** Spins until stopped, in a method of its own for the stack to show. */
    @ParallelTask(timeoutMillis = 200)
    public static long spinUntilStopped() {
        long n = 0;
        while (!Thread.currentThread().isInterrupted()) {
            n++;
        }
        return n;
    }
}
