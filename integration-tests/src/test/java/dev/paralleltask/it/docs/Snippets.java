package dev.paralleltask.it.docs;

import dev.paralleltask.runtime.Actor;
import dev.paralleltask.runtime.ActorOptions;
import dev.paralleltask.runtime.CallOptions;
import dev.paralleltask.runtime.MapOptions;
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.Progress;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskFutures;
import dev.paralleltask.shared.SharedCyclicBarrier;
import dev.paralleltask.shared.SharedLock;
import dev.paralleltask.shared.SharedLongArray;
import dev.paralleltask.shared.SharedMap;
import dev.paralleltask.shared.SharedQueue;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The examples of README.md and docs/, each as the page shows it (DocSnippetsTest checks that the
 * text is the same), with what it needs around it; DocSnippetsTest runs each.
 */
final class Snippets {
    private Snippets() {}

    /** README.md, "In five lines". */
    static void fiveLines() throws Exception {
        // com.acme.PrimesTasks is generated at compile time.
        try (ProcessPool pool = ProcessPool.builder().workers(4).jvmOptions("-Xmx256m").build()) {
            PrimesTasks primes = new PrimesTasks(pool);
            TaskFuture<Long> f = primes.count(0, 1_000_000); // returns at once
            long n = f.get(); // computed in a child JVM
        }
    }

    /** README.md, "The pool". */
    static void thePool() throws Exception {
        try (ProcessPool pool =
                ProcessPool.builder()
                        .workers(4) // child JVMs; default: one per core
                        .jvmOptions("-Xmx512m") // each worker's own flags and heap
                        .maxTasksPerWorker(1_000) // leaks die with the worker
                        .maxWorkerMemory(1L << 30) // a worker past 1 GiB resident is replaced
                        .initializer(w -> new ModelTasks(w).load("model.bin"))
                        .build()) {
            PrimesTasks primes = new PrimesTasks(pool);
            long n = primes.count(0, 1_000_000).get();
        }
    }

    /** docs/actors.md. */
    static void anActor() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(4).build();
                Actor<Counter> actor =
                        pool.actor(new Counter(0), ActorOptions.defaults().restarts(3))) {
            CounterTasks counter = new CounterTasks(actor); // the generated proxy, on the actor
            counter.increment();
            counter.increment();
            System.out.println(counter.get().get()); // 2
        }
    }

    /** docs/pool.md, per-call options, and its map with a progress line. */
    static long callOptionsAndProgress() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            PrimesTasks patient = new PrimesTasks(pool);
            PrimesTasks hasty =
                    new PrimesTasks(
                            pool.with(CallOptions.defaults().timeout(Duration.ofSeconds(5))));
            PrimesTasks once = new PrimesTasks(pool.with(CallOptions.defaults().retries(0)));

            record Range(int from, int to) {}
            List<Range> ranges =
                    IntStream.range(0, 100)
                            .mapToObj(i -> new Range(i * 1_000, (i + 1) * 1_000))
                            .toList();
            PrimesTasks primes = patient;
            long total;
            try (Stream<Long> counts =
                    TaskFutures.map(
                            ranges,
                            r -> primes.count(r.from(), r.to()),
                            MapOptions.defaults().progress(Progress.console("primes")))) {
                total = counts.mapToLong(Long::longValue).sum();
            }
            // primes: 45,210/100,000 (45%) 12,345/s, 0:03 elapsed, 0:04 left
            return total + hasty.count(0, 10).get() + once.count(0, 10).get();
        }
    }

    /** docs/sharing.md, the barrier. */
    static void aBarrier() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(4).build()) {
            GridTasks tasks = new GridTasks(pool);
            try (SharedCyclicBarrier barrier = SharedCyclicBarrier.create(4);
                    SharedLongArray grid = SharedLongArray.allocate(1 << 20)) {
                List<TaskFuture<Long>> parts =
                        IntStream.range(0, 4)
                                .mapToObj(p -> tasks.step(barrier, grid, p, 100))
                                .toList(); // a pool of 4 workers
                for (TaskFuture<Long> part : parts) {
                    // a part whose worker died fails; the others get BrokenBarrierException
                    part.get();
                }
            }
        }
    }

    /** docs/sharing.md, a condition, a map and a pipe. */
    static void aConditionAndAPipe() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            BoardTasks tasks = new BoardTasks(pool);
            try (SharedLock lock = SharedLock.create();
                    SharedLongArray board = SharedLongArray.allocate(1)) {
                TaskFuture<Long> worker = tasks.awaitWork(lock, board);
                Condition posted = lock.newCondition();
                lock.lock();
                try {
                    board.set(0, 42);
                    posted.signalAll();
                } finally {
                    lock.unlock();
                }
                System.out.println("the worker got " + worker.get());
            }
            try (SharedMap<String, Long> counts = SharedMap.create(1 << 20)) {
                List<TaskFuture<Integer>> parts =
                        List.of(
                                tasks.countWords(counts, List.of("a rose is", "a rose")),
                                tasks.countWords(counts, List.of("is a rose")));
                for (TaskFuture<Integer> part : parts) {
                    part.get();
                }
                System.out.println(counts.get("rose")); // 3
            }
            try (SharedQueue<String> there = SharedQueue.create(1);
                    SharedQueue<String> back = SharedQueue.create(1)) { // a, b = Pipe()
                TaskFuture<Integer> other = tasks.echo(there, back, 2);
                there.put("ping");
                System.out.println(back.take()); // PING
                there.put("pong");
                System.out.println(back.take()); // PONG
                other.get();
            }
        }
    }
}
