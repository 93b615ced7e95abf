package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.internal.shared.SharedDirectory;
import dev.paralleltask.runtime.internal.worker.WorkerMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Workers never outlive their parent, however it dies. */
@Timeout(120)
class ParentDeathTest {
    @Test
    void workersExitWhenTheirParentIsKilledWithSigkill() throws Exception {
        Process parent = startParent();
        try {
            List<Long> pids = readWorkerPids(parent);
            assertEquals(2, pids.size());
            assertTrue(pids.stream().noneMatch(Futures::isDead));
            Path directory = poolDirectory(pids.get(0));
            Path shared = sharedDirectory(pids.get(0));
            parent.destroyForcibly().waitFor();
            Futures.awaitAllDead(pids);
            assertFalse(
                    Files.exists(directory),
                    "the workers of a dead pool remove its directory " + directory);
            assertFalse(
                    Files.exists(shared),
                    "the workers of a dead parent remove its shared objects " + shared);
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void workersExitWhenTheirParentExitsNormally() throws Exception {
        Process parent = startParent();
        try {
            List<Long> pids = readWorkerPids(parent);
            Path directory = poolDirectory(pids.get(0));
            Path shared = sharedDirectory(pids.get(0));
            parent.destroy(); // SIGTERM: the JVM runs its shutdown and exits
            parent.waitFor();
            Futures.awaitAllDead(pids);
            assertFalse(
                    Files.exists(directory),
                    "the workers of a dead pool remove its directory " + directory);
            assertFalse(Files.exists(shared), "the parent removes its shared objects " + shared);
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void whatAProcessKilledWithNoWorkerLeftIsRemovedByTheNextPool() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path base = Path.of("/dev/shm");
        var ownerOnly =
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path pool =
                Files.createDirectory(
                        base.resolve("paralleltask-" + gone.pid() + "-left"), ownerOnly);
        Files.createFile(pool.resolve("pool.sock"));
        Path shared =
                Files.createDirectory(
                        base.resolve("paralleltask-shared-" + gone.pid() + "-left"), ownerOnly);
        Files.createFile(shared.resolve("object-1.shm"));
        try (ProcessPool next = ProcessPool.builder().workers(1).build()) {
            assertEquals(next.workers().get(0).pid(), await(new FaultsTasks(next).pid()));
        }
        assertFalse(Files.exists(pool), "a dead process's pool directory: " + pool);
        assertFalse(Files.exists(shared), "a dead process's shared objects: " + shared);
    }

    private static Process startParent() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // The pool's class data archive goes where this JVM's pools keep theirs, not in ~/.cache.
        String cache =
                "-Dparalleltask.cache.dir=" + System.getProperty("paralleltask.cache.dir", "");
        return new ProcessBuilder(
                        java.toString(),
                        cache,
                        "-cp",
                        System.getProperty("java.class.path"),
                        OrphanParent.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    /** The pool's private directory: where the socket on the worker's command line is. */
    private static Path poolDirectory(long workerPid) {
        List<String> args =
                Arrays.asList(
                        ProcessHandle.of(workerPid).orElseThrow().info().arguments().orElseThrow());
        Path directory =
                Path.of(args.get(args.indexOf(WorkerMain.class.getName()) + 1)).getParent();
        assertTrue(Files.isDirectory(directory), directory + " should exist while the pool runs");
        return directory;
    }

    /** The parent's directory of shared objects, as its workers were told; with two objects. */
    private static Path sharedDirectory(long workerPid) throws IOException {
        String prefix = "-D" + SharedDirectory.PROPERTY + "=";
        Path directory =
                Path.of(
                        Arrays.stream(
                                        ProcessHandle.of(workerPid)
                                                .orElseThrow()
                                                .info()
                                                .arguments()
                                                .orElseThrow())
                                .filter(a -> a.startsWith(prefix))
                                .findFirst()
                                .orElseThrow()
                                .substring(prefix.length()));
        try (Stream<Path> objects = Files.list(directory)) {
            assertEquals(2, objects.count(), "the parent's array and the worker's");
        }
        return directory;
    }

    private static List<Long> readWorkerPids(Process parent) throws Exception {
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("PIDS ")) {
                return Arrays.stream(line.substring(5).split(" "))
                        .map(Long::parseLong)
                        .collect(Collectors.toList());
            }
        }
        throw new AssertionError("the parent exited before printing its workers' pids");
    }
}
