package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.WorkerCrashedException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pool tells its System.Logger what happens to its workers. */
@Timeout(120)
class DiagnosticsTest {
    /** Held here: java.util.logging keeps loggers only weakly. */
    private final Logger logger = Logger.getLogger("dev.paralleltask.runtime.ProcessPool");

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler capture =
            new Handler() {
                @Override
                public void publish(LogRecord record) {
                    lines.add(record.getLevel() + " " + record.getMessage());
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            };
    private Level level;

    @BeforeEach
    void listen() {
        level = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        logger.removeHandler(capture);
        logger.setLevel(level);
    }

    @Test
    void workersStartingCrashingAndLeavingAreLogged() throws Exception {
        long pid;
        try (ProcessPool pool = ProcessPool.builder().workers(1).namePrefix("logged-").build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            pid = await(tasks.pid());
            failure(tasks.exit(3), WorkerCrashedException.class);
            await(tasks.pid());
        }
        assertLogged("FINE started worker logged-1 (pid " + pid + ")");
        assertLogged(
                "FINE worker logged-1 (pid " + pid + ") exited with code 3 without saying goodbye");
        assertLogged("FINE started worker logged-2");
        assertLogged("FINE worker logged-2 (pid");
        assertTrue(
                lines.stream()
                        .anyMatch(
                                l ->
                                        l.startsWith("FINE worker logged-2")
                                                && l.contains("after saying goodbye")),
                () -> "no goodbye of logged-2 in " + lines);
    }

    private void assertLogged(String start) {
        assertTrue(
                lines.stream().anyMatch(l -> l.startsWith(start)),
                () -> "no line starting '" + start + "' in " + lines);
    }
}
