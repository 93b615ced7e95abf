package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskExecutor;
import dev.paralleltask.runtime.TaskSerializationException;
import dev.paralleltask.runtime.ThreadPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A ThreadPool passes values by reference unless told to copy them; copying, it answers as a
 * ProcessPool does.
 */
@Timeout(120)
class CopyValuesTest {
    /** Two bumps of one target, and what a mark did to the caller's array. */
    private static String observe(TaskExecutor executor) throws Exception {
        Tally tally = new Tally();
        TallyTasks tasks = new TallyTasks(executor, tally);
        int first = await(tasks.bump());
        int second = await(tasks.bump());
        int[] values = {1, 2};
        int[] marked = await(tasks.mark(values));
        assertArrayEquals(new int[] {-1, 2}, marked);
        return first
                + ","
                + second
                + " target="
                + tally.count
                + " caller's array="
                + values[0]
                + (marked == values ? " same array" : " another array");
    }

    @Test
    void byDefaultAThreadPoolSharesTheCallersObjects() throws Exception {
        try (ThreadPool pool = ThreadPool.builder().threads(1).build()) {
            assertEquals("1,2 target=2 caller's array=-1 same array", observe(pool));
        }
    }

    @Test
    void copyingAThreadPoolAnswersAsAProcessPoolDoes() throws Exception {
        String copied;
        try (ThreadPool pool = ThreadPool.builder().threads(1).copyValues(true).build()) {
            copied = observe(pool);
        }
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            assertEquals(observe(pool), copied);
        }
        assertEquals("1,1 target=0 caller's array=1 another array", copied);
    }

    @Test
    void copyingFailsAnUnserializableArgumentAtTheCall() throws Exception {
        try (ThreadPool pool = ThreadPool.builder().threads(1).copyValues(true).build()) {
            TaskSerializationException e =
                    Futures.failure(
                            new FaultsTasks(pool).identity(new Object()),
                            TaskSerializationException.class);
            assertTrue(
                    e.getMessage()
                            .startsWith(
                                    "argument 'value' of Faults.identity(Object) could not be serialized"),
                    e.getMessage());
        }
        try (ThreadPool pool = ThreadPool.builder().threads(1).build()) {
            Object same = new Object();
            assertSame(same, await(new FaultsTasks(pool).identity(same)));
        }
    }
}
