package dev.paralleltask.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Python's wait and as_completed, on calls that finish in an order the test chooses. */
@Timeout(60)
class TaskFuturesTest {
    private ThreadPool pool;
    private Gates gates;
    private List<TaskFuture<Integer>> futures;

    @BeforeEach
    void start() {
        pool = ThreadPool.builder().threads(3).build();
        gates = new Gates(3);
        futures = List.of(gates.call(pool, 0), gates.call(pool, 1), gates.call(pool, 2));
    }

    @AfterEach
    void stop() {
        gates.openAll();
        pool.close();
    }

    @Test
    void firstCompletedReturnsOnceOneIsDone() throws Exception {
        gates.open(1);
        TaskFutures.Done<TaskFuture<Integer>> done =
                TaskFutures.await(
                        futures, TaskFutures.ReturnWhen.FIRST_COMPLETED, Duration.ofSeconds(60));
        assertEquals(Set.of(futures.get(1)), done.done());
        assertEquals(List.of(futures.get(0), futures.get(2)), List.copyOf(done.notDone()));
    }

    @Test
    void firstCompletedHoldsEveryFutureAlreadyDone() throws Exception {
        gates.open(0);
        gates.open(2);
        futures.get(0).get();
        futures.get(2).get();
        TaskFutures.Done<TaskFuture<Integer>> done =
                TaskFutures.await(
                        futures, TaskFutures.ReturnWhen.FIRST_COMPLETED, Duration.ofSeconds(60));
        assertEquals(List.of(futures.get(0), futures.get(2)), List.copyOf(done.done()));
        assertEquals(Set.of(futures.get(1)), done.notDone());
    }

    @Test
    void firstExceptionHoldsEveryFutureAlreadyDone() throws Exception {
        gates.fail(0);
        gates.fail(1);
        assertThrows(ExecutionException.class, () -> futures.get(0).get());
        assertThrows(ExecutionException.class, () -> futures.get(1).get());
        TaskFutures.Done<TaskFuture<Integer>> done =
                TaskFutures.await(
                        futures, TaskFutures.ReturnWhen.FIRST_EXCEPTION, Duration.ofSeconds(60));
        assertEquals(List.of(futures.get(0), futures.get(1)), List.copyOf(done.done()));
        assertEquals(Set.of(futures.get(2)), done.notDone());
    }

    @Test
    void firstExceptionReturnsOnTheFirstFailure() throws Exception {
        gates.open(0);
        gates.fail(2);
        TaskFutures.Done<TaskFuture<Integer>> done =
                TaskFutures.await(
                        futures, TaskFutures.ReturnWhen.FIRST_EXCEPTION, Duration.ofSeconds(60));
        assertTrue(done.done().contains(futures.get(2)));
        assertTrue(done.notDone().contains(futures.get(1)));
    }

    @Test
    void firstExceptionWithoutFailuresWaitsForAll() throws Exception {
        gates.openAll();
        TaskFutures.Done<TaskFuture<Integer>> done =
                TaskFutures.await(
                        futures, TaskFutures.ReturnWhen.FIRST_EXCEPTION, Duration.ofSeconds(60));
        assertEquals(3, done.done().size());
    }

    @Test
    void allCompletedReturnsWhatIsDoneWhenTheTimeoutPasses() throws Exception {
        gates.open(0);
        futures.get(0).get();
        TaskFutures.Done<TaskFuture<Integer>> done =
                TaskFutures.await(
                        futures, TaskFutures.ReturnWhen.ALL_COMPLETED, Duration.ofMillis(50));
        assertEquals(Set.of(futures.get(0)), done.done());
        assertEquals(2, done.notDone().size());
    }

    @Test
    void asCompletedYieldsInCompletionOrder() throws Exception {
        Iterator<TaskFuture<Integer>> order = TaskFutures.asCompleted(futures).iterator();
        gates.open(2);
        assertSame(futures.get(2), order.next());
        gates.open(0);
        assertSame(futures.get(0), order.next());
        gates.fail(1);
        assertSame(futures.get(1), order.next());
        assertFalse(order.hasNext());
    }

    @Test
    void duplicatesCountOnce() throws Exception {
        gates.openAll();
        List<TaskFuture<Integer>> twice = List.of(futures.get(0), futures.get(0), futures.get(1));
        int n = 0;
        for (TaskFuture<Integer> f : TaskFutures.asCompleted(twice)) {
            n++;
            assertTrue(f.isDone());
        }
        assertEquals(2, n);
    }

    @Test
    void chainsEndInGetOrJoinWithoutConversion() throws Exception {
        gates.open(1);
        int doubled = futures.get(1).thenApply(i -> i * 2).join();
        assertEquals(2, doubled);
        String text =
                futures.get(1)
                        .thenApply(i -> i + 1)
                        .thenCompose(i -> futures.get(1).thenApply(j -> i + "/" + j))
                        .get();
        assertEquals("2/1", text);
    }
}
