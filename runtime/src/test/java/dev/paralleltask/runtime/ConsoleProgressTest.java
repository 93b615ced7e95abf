package dev.paralleltask.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The console progress line, on a clock of the test's own. */
class ConsoleProgressTest {
    private final AtomicLong clock = new AtomicLong();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String written() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theLineSaysDoneRateElapsedTimeLeftAndFailures() {
        ConsoleProgress p = new ConsoleProgress("squares", out, true, clock::get);
        p.started(100_000);
        for (int i = 0; i < 25_000; i++) {
            p.completed(i != 7);
        }
        clock.set(5_000_000_000L);
        assertEquals(
                "squares: 25,000/100,000 (25%) 5,000/s, 0:05 elapsed, 0:15 left, 1 failed",
                p.line(clock.get()));
    }

    @Test
    void withoutATotalItSaysNoShareAndNoTimeLeft() {
        ConsoleProgress p = new ConsoleProgress("lines", out, true, clock::get);
        p.started(-1);
        p.completed(true);
        clock.set(3_723_000_000_000L);
        assertEquals("lines: 1 0/s, 1:02:03 elapsed", p.line(clock.get()));
    }

    @Test
    void onATerminalItRedrawsOneLineAtMostTenTimesASecond() {
        ConsoleProgress p = new ConsoleProgress("work", out, true, clock::get);
        p.started(1_000);
        for (int i = 1; i <= 1_000; i++) {
            clock.addAndGet(1_000_000); // a millisecond per element: a second in all
            p.completed(true);
        }
        p.finished();
        String text = written();
        long redraws = text.chars().filter(c -> c == '\r').count();
        assertTrue(redraws >= 5 && redraws <= 12, redraws + " redraws: " + text);
        assertTrue(text.endsWith("\n"), text);
        assertEquals(
                "work: 1,000/1,000 (100%) 1,000/s, 0:01 elapsed",
                text.substring(text.lastIndexOf('\r') + 1).strip(),
                "the last drawing, with spaces over the longer one before it");
        assertEquals(1, text.chars().filter(c -> c == '\n').count(), "one line: " + text);
    }

    @Test
    void elsewhereItWritesAPlainLineEveryFiveSecondsAndOneAtTheEnd() {
        ConsoleProgress p = new ConsoleProgress("work", out, false, clock::get);
        p.started(-1);
        for (int i = 1; i <= 12_000; i++) {
            clock.addAndGet(1_000_000);
            p.completed(true);
        }
        p.finished();
        p.finished(); // once only
        String[] lines = written().split("\n");
        assertEquals(3, lines.length, written());
        assertTrue(lines[0].startsWith("work: 5,0"), lines[0]);
        assertEquals("work: 12,000 1,000/s, 0:12 elapsed", lines[2]);
        assertTrue(written().indexOf('\r') < 0);
    }
}
