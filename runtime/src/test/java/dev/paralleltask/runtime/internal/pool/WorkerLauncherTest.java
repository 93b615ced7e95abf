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
 * before it has read the pool's secret from its stdin, which it is given once the pool listens.
 */
@Timeout(60)
class WorkerLauncherTest {
    @TempDir Path temp;

    /** Where the stand-in for java writes the secret it read. */
    private Path marker;

    /**
     * A launcher of a stand-in for java that reads the secret, as a worker does first, and writes
     * it to {@link #marker}.
     */
    private WorkerLauncher launcher() throws Exception {
        marker = temp.resolve("read-the-secret");
        Path fakeJava = temp.resolve("java");
        Files.writeString(
                fakeJava, "#!/bin/sh\nread secret\necho \"$secret\" > '" + marker + "'\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwx------"));
        return new WorkerLauncher(
                fakeJava,
                List.of(),
                WorkerClasspath.given("unused.jar"),
                temp.resolve("pool.sock"),
                1);
    }

    @Test
    void theProcessIsKnownBeforeTheWorkerIsGivenTheSecret() throws Exception {
        WorkerLauncher launcher = launcher();
        launcher.secret(new byte[] {1, 2, 3});

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
        assertEquals("010203\n", Files.readString(marker), "the child's secret");
    }

    /** The pool launches its first workers before it listens, and so before it has a secret. */
    @Test
    void aWorkerLaunchedBeforeThereIsASecretWaitsForIt() throws Exception {
        WorkerLauncher launcher = launcher();
        Process first = launcher.launch(1, started -> {});
        assertFalse(first.waitFor(300, TimeUnit.MILLISECONDS), "the child ended without a secret");
        assertFalse(Files.exists(marker));
        launcher.secret(new byte[] {(byte) 0xca, (byte) 0xfe});
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        assertEquals("cafe\n", Files.readString(marker), "the child's secret");

        Files.delete(marker); // a worker launched later, a replacement, has it at once
        Process later = launcher.launch(2, started -> {});
        assertTrue(later.waitFor(30, TimeUnit.SECONDS));
        assertEquals("cafe\n", Files.readString(marker), "the replacement's secret");
    }
}
