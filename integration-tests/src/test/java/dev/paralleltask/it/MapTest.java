package dev.paralleltask.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskFutures;
import dev.paralleltask.runtime.WorkerCrashedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** TaskFutures.map and mapUnordered over a real pool: order, laziness, failures, cancellation. */
@Timeout(120)
class MapTest {
    private static ProcessPool pool;
    private static MappedTasks tasks;

    @BeforeAll
    static void start() {
        pool = ProcessPool.builder().workers(2).build();
        tasks = new MappedTasks(pool);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    @Test
    void resultsComeInInputOrder() {
        List<Integer> inputs = IntStream.range(0, 2_000).boxed().collect(Collectors.toList());
        try (Stream<Integer> squares = TaskFutures.map(inputs, tasks::square)) {
            assertEquals(
                    inputs.stream().map(x -> x * x).collect(Collectors.toList()),
                    squares.collect(Collectors.toList()));
        }
    }

    /**
     * Many short calls go to the workers in batches, and each is still a call of its own: a crash
     * in the middle of a batch fails only the call that crashed, and no call of this {@code retries
     * = 0} method runs twice (before, the batch's calls ran again one by one after a crash: those
     * before the culprit twice, the culprit too, killing a second worker).
     */
    @Test
    void aCrashInABatchRunsNoCallTwice(@TempDir Path ran) throws IOException {
        List<Integer> seen = new ArrayList<>();
        try (Stream<Integer> values =
                TaskFutures.map(
                        IntStream.range(0, 20_000).boxed().collect(Collectors.toList()),
                        x -> tasks.once(x, 12_000, ran.toString()))) {
            CompletionException e = readUntilItThrows(values, seen);
            assertInstanceOf(WorkerCrashedException.class, e.getCause(), () -> "" + e.getCause());
        }
        assertEquals(IntStream.range(0, 12_000).boxed().collect(Collectors.toList()), seen);
        try (Stream<Path> files = Files.list(ran)) {
            assertTrue(files.count() >= 12_001); // every file once: a second run throws
        }
    }

    @Test
    void aFailureInABatchIsThrownAtItsOwnElement() {
        List<Integer> seen = new ArrayList<>();
        List<Integer> inputs =
                IntStream.range(0, 5_000)
                        .map(x -> x == 4_000 ? -1 : x)
                        .boxed()
                        .collect(Collectors.toList());
        try (Stream<Integer> squares = TaskFutures.map(inputs, tasks::square)) {
            CompletionException e = readUntilItThrows(squares, seen);
            assertEquals(
                    "negative: -1",
                    assertInstanceOf(IllegalArgumentException.class, e.getCause()).getMessage());
        }
        assertEquals(
                IntStream.range(0, 4_000).map(x -> x * x).boxed().collect(Collectors.toList()),
                seen);
    }

    /**
     * A call that ends its worker's JVM inside a batch fails alone: the elements before it arrive,
     * and the pool goes on.
     */
    @Test
    void aCrashInABatchFailsOnlyItsOwnElement() {
        List<Integer> seen = new ArrayList<>();
        try (Stream<Integer> values =
                TaskFutures.map(
                        IntStream.range(0, 5_000).boxed().collect(Collectors.toList()),
                        x -> tasks.exitAt(x, 3_000))) {
            CompletionException e = readUntilItThrows(values, seen);
            assertInstanceOf(WorkerCrashedException.class, e.getCause());
        }
        assertEquals(IntStream.range(0, 3_000).boxed().collect(Collectors.toList()), seen);
        try (Stream<Integer> squares = TaskFutures.map(List.of(1, 2, 3), tasks::square)) {
            assertEquals(List.of(1, 4, 9), squares.collect(Collectors.toList()));
        }
    }

    /** Reads {@code results} into {@code seen} until it throws, and returns what it threw. */
    private static <T> CompletionException readUntilItThrows(Stream<T> results, List<T> seen) {
        Iterator<T> it = results.iterator();
        return assertThrows(
                CompletionException.class,
                () -> {
                    while (it.hasNext()) {
                        seen.add(it.next());
                    }
                });
    }

    @Test
    void anEndlessInputIsReadOnlyAsFarAsNeeded() {
        AtomicInteger calls = new AtomicInteger();
        Iterable<Integer> endless = () -> Stream.iterate(0, i -> i + 1).iterator();
        try (Stream<Integer> squares =
                TaskFutures.map(
                        endless,
                        x -> {
                            calls.incrementAndGet();
                            return tasks.square(x);
                        },
                        8)) {
            assertEquals(
                    List.of(0, 1, 4, 9, 16, 25, 36, 49, 64, 81),
                    squares.limit(10).collect(Collectors.toList()));
        }
        assertTrue(
                calls.get() <= 10 + 8,
                () -> calls.get() + " calls started for 10 results, 8 ahead");
    }

    @Test
    void aFailureIsThrownAtItsElementAndCancelsTheRest() {
        List<TaskFuture<Integer>> started = new CopyOnWriteArrayList<>();
        List<Integer> seen = new ArrayList<>();
        List<Integer> inputs = List.of(1, 2, -3, 4, 5, 6);
        try (Stream<Integer> squares =
                TaskFutures.map(
                        inputs,
                        x -> {
                            TaskFuture<Integer> f = x == 4 ? tasks.slow(60_000) : tasks.square(x);
                            started.add(f);
                            return f;
                        })) {
            CompletionException e = readUntilItThrows(squares, seen);
            IllegalArgumentException cause =
                    assertInstanceOf(IllegalArgumentException.class, e.getCause());
            assertEquals("negative: -3", cause.getMessage());
        }
        assertEquals(List.of(1, 4), seen);
        assertTrue(started.get(3).isCancelled(), "the slow call after the failure was cancelled");
    }

    @Test
    void closingTheStreamCancelsWhatItStarted() {
        List<TaskFuture<Integer>> started = new CopyOnWriteArrayList<>();
        try (Stream<Integer> results =
                TaskFutures.mapUnordered(
                        List.of(0, 60_000, 60_000, 60_000),
                        x -> {
                            TaskFuture<Integer> f = tasks.slow(x);
                            started.add(f);
                            return f;
                        })) {
            assertEquals(0, results.iterator().next());
        }
        assertEquals(4, started.size());
        assertTrue(
                started.subList(1, 4).stream().allMatch(TaskFuture::isCancelled),
                started::toString);
    }

    @Test
    void unorderedResultsComeAsTheyComplete() {
        try (Stream<Integer> results =
                TaskFutures.mapUnordered(List.of(1_000, 0, 0, 0), tasks::slow)) {
            List<Integer> order = results.collect(Collectors.toList());
            assertEquals(1_000, order.get(3), order::toString);
        }
    }
}
