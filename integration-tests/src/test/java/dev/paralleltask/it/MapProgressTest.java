package dev.paralleltask.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.MapOptions;
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.Progress;
import dev.paralleltask.runtime.TaskFutures;
import dev.paralleltask.runtime.WorkerCrashedException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A map's progress, reported as it goes, on real workers. */
@Timeout(180)
class MapProgressTest {
    private static final List<Integer> INPUTS = IntStream.range(0, 100_000).boxed().toList();

    /** Every event, as a line. */
    private static final class Recorded implements Progress {
        final List<String> events = new ArrayList<>();
        long ok;
        long failed;

        @Override
        public void started(long total) {
            events.add("started " + total);
        }

        @Override
        public void completed(boolean success) {
            if (success) {
                ok++;
            } else {
                failed++;
            }
        }

        @Override
        public void finished() {
            events.add("finished after " + ok + " ok, " + failed + " failed");
        }
    }

    @Test
    void aMapOfOneHundredThousandCallsReportsEachAndFinishesOnce() throws Exception {
        Recorded recorded = new Recorded();
        try (ProcessPool pool = ProcessPool.builder().workers(2).build();
                Stream<Integer> squares =
                        TaskFutures.map(
                                INPUTS,
                                new MappedTasks(pool)::square,
                                MapOptions.defaults().maxInFlight(4_096).progress(recorded))) {
            assertEquals(100_000, squares.count());
        }
        assertEquals(
                List.of("started 100000", "finished after 100000 ok, 0 failed"), recorded.events);
    }

    @Test
    void theConsoleLineEndsAtTheTotalOnATerminalAndElsewhere() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            MappedTasks mapped = new MappedTasks(pool);
            for (boolean terminal : new boolean[] {true, false}) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
                long sum;
                try (Stream<Integer> squares =
                        TaskFutures.mapUnordered(
                                INPUTS,
                                mapped::square,
                                MapOptions.defaults()
                                        .progress(Progress.console("squares", out, terminal)))) {
                    sum = squares.mapToLong(Integer::longValue).sum();
                }
                assertEquals(
                        INPUTS.stream().mapToLong(x -> (long) x * x).map(x -> (int) x).sum(), sum);
                String text = bytes.toString(StandardCharsets.UTF_8);
                String last =
                        terminal
                                ? text.substring(text.lastIndexOf('\r') + 1).strip()
                                : text.strip().substring(text.strip().lastIndexOf('\n') + 1);
                assertTrue(
                        last.startsWith("squares: 100,000/100,000 (100%) "),
                        (terminal ? "terminal: " : "plain: ") + text);
                assertEquals(terminal, text.indexOf('\r') >= 0, text);
                assertTrue(text.endsWith("\n"), text);
            }
        }
    }

    @Test
    void aFailedCallIsCountedAndTheMapFinishes() throws Exception {
        Recorded recorded = new Recorded();
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            MappedTasks mapped = new MappedTasks(pool);
            Stream<Integer> run =
                    TaskFutures.map(
                            List.of(0, 1, 2, 3, 4),
                            x -> mapped.exitAt(x, 2),
                            MapOptions.defaults().progress(recorded));
            CompletionException e = assertThrows(CompletionException.class, run::count);
            assertTrue(e.getCause() instanceof WorkerCrashedException, e::toString);
        }
        assertEquals(List.of("started 5", "finished after 2 ok, 1 failed"), recorded.events);
    }

    @Test
    void closingAMapEarlyFinishesItsProgress() throws Exception {
        Recorded recorded = new Recorded();
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            try (Stream<Integer> squares =
                    TaskFutures.map(
                            INPUTS,
                            new MappedTasks(pool)::square,
                            MapOptions.defaults().progress(recorded))) {
                assertEquals(10, squares.limit(10).count());
            }
        }
        assertEquals(List.of("started 100000", "finished after 10 ok, 0 failed"), recorded.events);
    }
}
