package dev.paralleltask.runtime.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool must know a worker's process before the worker can say hello; a worker cannot say hello
 * before it has read the pool's secret from its stdin.
 */
@Timeout(60)
class WorkerLauncherTest {
    @TempDir Path temp;

    @Test
    void theProcessIsKnownBeforeTheWorkerIsGivenTheSecret() throws Exception {
        // Stands in for java: reads the secret, as a worker does first, and leaves a mark.
        Path marker = temp.resolve("read-the-secret");
        Path fakeJava = temp.resolve("java");
        Files.writeString(fakeJava, "#!/bin/sh\nread secret\ntouch '" + marker + "'\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwx------"));
        WorkerLauncher launcher =
                new WorkerLauncher(
                        fakeJava,
                        List.of(),
                        WorkerClasspath.given("unused.jar"),
                        temp.resolve("pool.sock"),
                        new byte[] {1, 2, 3},
                        1);

        AtomicBoolean secretReadFirst = new AtomicBoolean();
        Process process =
                launcher.launch(
                        1,
                        started -> {
                            try {
                                Thread.sleep(
                                        300); // time enough to read a secret, had it been written
                                // already
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            secretReadFirst.set(Files.exists(marker));
                        });
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue());
        assertFalse(
                secretReadFirst.get(),
                "the child read the secret before the pool knew its process");
        assertTrue(Files.exists(marker), "the child never got the secret");
    }
}
