package dev.paralleltask.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pipeline sample, which docs/sharing.md shows: it runs, and prints its sum. */
@Timeout(120)
class PipelineTest {
    @Test
    void twoWorkersPassTheSquaresThroughASharedQueue() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            Pipeline.main(new String[0]);
        } finally {
            System.setOut(out);
        }
        long expected = 0;
        for (long i = 0; i < 1_000; i++) {
            expected += i * i;
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("passed between two workers: " + expected), text);
    }
}
