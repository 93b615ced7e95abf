package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskExecutor;
import dev.paralleltask.runtime.TaskSerializationException;
import dev.paralleltask.runtime.ThreadPool;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Signatures real libraries have: static interface methods, comparators. */
@Timeout(120)
class RealSignaturesTest {
    private static final List<String> WORDS = List.of("b", "A", "c");

    private static void runsTheSame(TaskExecutor executor) throws Exception {
        LookupTasks lookup = new LookupTasks(executor);
        assertEquals("ABC", await(lookup.upper("abc")));
        assertEquals(
                List.of("A", "b", "c"), await(lookup.sorted(WORDS, String.CASE_INSENSITIVE_ORDER)));
        assertEquals(
                List.of("A", "b", "c"), await(lookup.sorted(WORDS, Comparator.naturalOrder())));
        assertEquals(
                List.of("c", "b", "A"),
                await(lookup.sorted(WORDS, Comparator.<String>naturalOrder().reversed())));
    }

    @Test
    void staticInterfaceTasksAndSerializableComparatorsRunOnAProcessPool() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            runsTheSame(pool);
        }
    }

    @Test
    void staticInterfaceTasksAndSerializableComparatorsRunOnAThreadPool() throws Exception {
        try (ThreadPool pool = ThreadPool.builder().threads(1).build()) {
            runsTheSame(pool);
        }
    }

    @Test
    void aLambdaComparatorIsReportedAtTheCall() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            Comparator<String> byLength = (a, b) -> a.length() - b.length();
            TaskSerializationException e =
                    failure(
                            new LookupTasks(pool).sorted(WORDS, byLength),
                            TaskSerializationException.class);
            assertTrue(
                    e.getMessage()
                            .startsWith(
                                    "argument 'order' of Lookup.sorted(List, Comparator) could not be serialized"),
                    e::getMessage);
        }
    }
}
