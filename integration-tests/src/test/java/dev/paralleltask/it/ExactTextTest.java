package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Text crosses to a worker and back exactly as it was, and so do exception messages. */
@Timeout(120)
class ExactTextTest {
    @Test
    void everyCharAndUnpairedSurrogatesArriveExactly() throws Exception {
        List<String> strings = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (int c = 0; c <= 0xFFFF; c++) {
            all.append((char) c);
        }
        strings.add(all.toString());
        strings.add("a\uDC00b");
        strings.add("\uD800");
        strings.add("\uDE00\uD83D");
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            for (String s : strings) {
                assertEquals(s, await(tasks.identity(s)));
            }
            assertEquals('\uDC00', await(tasks.identity('\uDC00')));
            assertEquals(
                    List.of("x\uD800"), await(tasks.identity(new ArrayList<>(List.of("x\uD800")))));
            // An exception's message, on its way back.
            IllegalArgumentException e =
                    failure(tasks.throwMessage("lone \uDBFF"), IllegalArgumentException.class);
            assertEquals("lone \uDBFF", e.getMessage());
        }
    }

    @Test
    void aHelpfulNullPointerMessageArrivesAsInProcess() throws Exception {
        String inProcess = null;
        try {
            Faults.arrayLength(null);
        } catch (NullPointerException e) {
            inProcess = e.getMessage();
        }
        assertTrue(
                inProcess != null && inProcess.startsWith("Cannot read the array length"),
                inProcess);
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            NullPointerException e =
                    failure(new FaultsTasks(pool).arrayLength(null), NullPointerException.class);
            assertEquals(inProcess, e.getMessage());
        }
    }
}
