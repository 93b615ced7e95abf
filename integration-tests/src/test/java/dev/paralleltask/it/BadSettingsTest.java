package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.WorkerStartException;
import dev.paralleltask.runtime.internal.worker.WorkerMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pool settings that cannot work fail fast, in the child's own words, and leave nothing running.
 */
@Timeout(120)
class BadSettingsTest {
    @TempDir Path temp;

    @AfterEach
    void nothingIsLeftRunning() throws InterruptedException {
        Futures.eventually("no worker is left", () -> workerChildren().isEmpty());
    }

    private static List<ProcessHandle> workerChildren() {
        return ProcessHandle.current()
                .children()
                .filter(
                        p ->
                                p.info()
                                        .commandLine()
                                        .map(c -> c.contains(WorkerMain.class.getName()))
                                        .orElse(false))
                .collect(Collectors.toList());
    }

    @Test
    void badJvmOptionFailsBuildWithTheChildsWords() {
        WorkerStartException e =
                assertThrows(
                        WorkerStartException.class,
                        () ->
                                ProcessPool.builder()
                                        .workers(2)
                                        .jvmOptions("-XX:+NoSuchOption")
                                        .build());
        assertTrue(
                e.getMessage().contains("Unrecognized VM option 'NoSuchOption'"), e.getMessage());
    }

    @Test
    void classpathWithoutTheRuntimeFailsBuild() {
        WorkerStartException e =
                assertThrows(
                        WorkerStartException.class,
                        () -> ProcessPool.builder().workers(1).classpath(temp.toString()).build());
        assertTrue(e.getMessage().contains(WorkerMain.class.getName()), e.getMessage());
    }

    @Test
    void javaThatCannotRunFailsBuild() {
        Path missing = temp.resolve("no-such-java");
        WorkerStartException e =
                assertThrows(
                        WorkerStartException.class,
                        () -> ProcessPool.builder().workers(1).java(missing).build());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void builderRejectsNonsenseAtOnce() {
        assertEquals(
                "workers must be >= 1, was 0",
                assertThrows(IllegalArgumentException.class, () -> ProcessPool.builder().workers(0))
                        .getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> ProcessPool.builder().maxTasksPerWorker(-1));
        assertThrows(
                IllegalArgumentException.class,
                () -> ProcessPool.builder().defaultTimeout(Duration.ofSeconds(-1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> ProcessPool.builder().jvmOptions("-Xmx64m", " "));
        assertThrows(NullPointerException.class, () -> ProcessPool.builder().classpath(null));
    }

    @Test
    void poolWhoseWorkersKeepDyingAtStartFailsQueuedCallsInsteadOfLooping() throws Exception {
        // The argument file exists for the first worker and is gone for every replacement.
        Path options = Files.writeString(temp.resolve("worker.options"), "-Xmx128m\n");
        try (ProcessPool pool =
                ProcessPool.builder().workers(1).jvmOptions("@" + options).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            assertEquals(1, await(tasks.increment()));
            Files.delete(options);
            TaskFuture<Integer> crashes = tasks.exit(1);
            TaskFuture<Integer> stranded = tasks.increment();
            failure(crashes, dev.paralleltask.runtime.WorkerCrashedException.class);
            WorkerStartException e = failure(stranded, WorkerStartException.class);
            assertTrue(e.getMessage().contains("worker.options"), e.getMessage());
        }
    }
}
