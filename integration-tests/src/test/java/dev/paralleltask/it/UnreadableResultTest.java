package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskSerializationException;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A result whose rebuilding in the caller throws an {@link Error} fails that call alone: the
 * worker's reader goes on, the pool goes on, and it still shuts down.
 */
@Timeout(120)
class UnreadableResultTest {
    private static void failsThatCallAlone(
            Function<UnreadableTasks, TaskFuture<?>> call,
            Class<? extends Error> error,
            String method)
            throws Exception {
        ProcessPool pool =
                ProcessPool.builder()
                        .workers(1)
                        .jvmOptions("-D" + Unreadable.IN_WORKER + "=true")
                        .build();
        UnreadableTasks tasks = new UnreadableTasks(pool);
        TaskSerializationException e = failure(call.apply(tasks), TaskSerializationException.class);
        assertInstanceOf(error, e.getCause());
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "the result of Unreadable."
                                        + method
                                        + "() could not be rebuilt in the caller"),
                e::getMessage);
        assertEquals(42, await(tasks.answer()), "the pool goes on");
        assertEquals(1, pool.workers().get(0).tasksCompleted() - 1, "on the same worker");
        pool.shutdown();
        assertTrue(pool.awaitTermination(Duration.ofSeconds(30)), "the pool terminates");
    }

    @Test
    void aResultThatOverflowsTheStackFailsItsCallAlone() throws Exception {
        failsThatCallAlone(UnreadableTasks::deep, StackOverflowError.class, "deep");
    }

    @Test
    void aResultThatRunsOutOfMemoryFailsItsCallAlone() throws Exception {
        failsThatCallAlone(UnreadableTasks::huge, OutOfMemoryError.class, "huge");
    }

    @Test
    void aResultWhoseClassCannotBeInitializedFailsItsCallAlone() throws Exception {
        failsThatCallAlone(
                UnreadableTasks::unloadable, ExceptionInInitializerError.class, "unloadable");
    }
}
