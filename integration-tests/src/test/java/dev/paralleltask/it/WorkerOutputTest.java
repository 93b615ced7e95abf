package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.WorkerOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Worker output goes where the pool is told: a callback, files, a logger. */
@Timeout(120)
class WorkerOutputTest {
    @TempDir Path temp;

    @Test
    void linesReachACallbackWithTheirWorkerAndStream() throws Exception {
        List<WorkerOutput.Line> lines = new CopyOnWriteArrayList<>();
        long pid;
        try (ProcessPool pool =
                ProcessPool.builder().workers(1).namePrefix("loud-").output(lines::add).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            pid = await(tasks.pid());
            assertEquals(3, await(tasks.shout(3)));
        }
        assertTrue(
                lines.contains(
                        new WorkerOutput.Line("loud-1", pid, false, "line 2 of 3 on stdout")),
                lines::toString);
        assertTrue(
                lines.contains(new WorkerOutput.Line("loud-1", pid, true, "line 0 of 3 on stderr")),
                lines::toString);
        assertEquals(
                "[loud-1 pid " + pid + "] hi",
                new WorkerOutput.Line("loud-1", pid, false, "hi").toString());
    }

    @Test
    void linesGoToAFilePerWorkerAndStream() throws Exception {
        Path dir = temp.resolve("logs");
        try (ProcessPool pool =
                ProcessPool.builder()
                        .workers(1)
                        .namePrefix("filed-")
                        .output(WorkerOutput.files(dir))
                        .build()) {
            await(new FaultsTasks(pool).shout(2));
        }
        eventually("the files hold the lines", () -> Files.exists(dir.resolve("filed-1.err")));
        assertEquals(
                List.of("line 0 of 2 on stdout", "line 1 of 2 on stdout"),
                Files.readAllLines(dir.resolve("filed-1.out")));
        assertEquals(
                List.of("line 0 of 2 on stderr", "line 1 of 2 on stderr"),
                Files.readAllLines(dir.resolve("filed-1.err")));
    }

    @Test
    void linesGoToTheLogger() throws Exception {
        Logger logger = Logger.getLogger(WorkerOutput.LOGGER);
        List<String> records = new CopyOnWriteArrayList<>();
        Handler capture =
                new Handler() {
                    @Override
                    public void publish(LogRecord record) {
                        records.add(record.getLevel() + " " + record.getMessage());
                    }

                    @Override
                    public void flush() {}

                    @Override
                    public void close() {}
                };
        logger.addHandler(capture);
        logger.setUseParentHandlers(false); // keep the test's own output quiet
        try (ProcessPool pool =
                ProcessPool.builder()
                        .workers(1)
                        .namePrefix("logged-")
                        .output(WorkerOutput.logger())
                        .build()) {
            await(new FaultsTasks(pool).shout(1));
        } finally {
            logger.removeHandler(capture);
            logger.setUseParentHandlers(true);
        }
        assertTrue(
                records.stream()
                        .anyMatch(
                                r ->
                                        r.startsWith("INFO [logged-1 pid ")
                                                && r.endsWith("] line 0 of 1 on stdout")),
                records::toString);
        assertTrue(
                records.stream()
                        .anyMatch(
                                r ->
                                        r.startsWith(Level.WARNING + " [logged-1 pid ")
                                                && r.endsWith("] line 0 of 1 on stderr")),
                records::toString);
    }

    @Test
    void anOutputThatThrowsDoesNotStopTheWorker() throws Exception {
        try (ProcessPool pool =
                ProcessPool.builder()
                        .workers(1)
                        .output(
                                line -> {
                                    throw new IllegalStateException("no room");
                                })
                        .build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            assertEquals(
                    2_000,
                    await(tasks.shout(2_000)),
                    "a worker whose pipe were not drained would block");
        }
    }

    /**
     * A line far longer than {@link WorkerOutput.Line#MAX_LINE_CHARS} arrives in marked pieces that
     * join to the line, and the worker's later lines still arrive (before, the pump read the line
     * whole and could run the caller out of memory, after which the worker's output was lost).
     */
    @Test
    void aHugeLineArrivesInPiecesAndLaterLinesFollow() throws Exception {
        List<WorkerOutput.Line> lines = new CopyOnWriteArrayList<>();
        int chunks = 40_000; // 40,000 x 100 characters: 4,000,000 on one line
        String chunk = "0123456789".repeat(10);
        try (ProcessPool pool = ProcessPool.builder().workers(1).output(lines::add).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            assertEquals(chunks, await(tasks.print(chunk, chunks)));
            assertEquals(1, await(tasks.print("\nafter\n", 1)));
        }
        eventually(
                "the line after the huge one arrives",
                () -> lines.size() >= 2 && lines.get(lines.size() - 1).text().equals("after"));
        List<WorkerOutput.Line> pieces = lines.subList(0, lines.size() - 1);
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < pieces.size(); i++) {
            WorkerOutput.Line piece = pieces.get(i);
            assertTrue(piece.text().length() <= WorkerOutput.Line.MAX_LINE_CHARS);
            assertEquals(i < pieces.size() - 1, piece.continues(), "piece " + i);
            joined.append(piece.text());
        }
        assertEquals(chunk.repeat(chunks), joined.toString());
        assertTrue(pieces.get(0).toString().endsWith("5 [continues]"), pieces.get(0)::toString);
    }
}
