package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.internal.worker.WorkerMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers start from a class data sharing archive of the runtime jar (an ahead-of-time cache on JDK
 * 25 and newer), made in the background by the first pool; a damaged archive, or a cache directory
 * others can write to, costs speed, never a call. Needs the runtime as a jar, as {@code mvn verify}
 * gives it.
 */
@Timeout(180)
class ClassArchiveTest {
    private static final String CACHE_PROPERTY = "paralleltask.cache.dir";

    @TempDir Path temp;
    private Path cache;
    private String savedCache;

    @BeforeEach
    void useAnEmptyCache() {
        String runtime =
                WorkerMain.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        assertTrue(
                runtime.endsWith(".jar"),
                "these tests need the runtime as a jar (mvn verify), not " + runtime);
        cache = temp.resolve("cache");
        savedCache = System.setProperty(CACHE_PROPERTY, cache.toString());
    }

    @AfterEach
    void restoreTheCache() {
        if (savedCache == null) {
            System.clearProperty(CACHE_PROPERTY);
        } else {
            System.setProperty(CACHE_PROPERTY, savedCache);
        }
    }

    @Test
    void workersStartFromTheArchiveOnceTheFirstPoolMadeIt() throws Exception {
        Path archive = makeArchive();

        assertTrue(
                aWorkerStartsFromTheArchive(),
                "the worker did not load its main class from " + archive);
    }

    /**
     * A user who sets the workers' class sharing (here: none) decides it alone: the pool adds no
     * archive, which JDK 25 refuses beside {@code -Xshare} (no worker would start), and makes none.
     */
    @Test
    void classSharingOptionsOfTheUserLeaveThePoolsArchiveOut() throws Exception {
        makeArchive();
        List<String> before = files();
        for (String option : List.of("-Xshare:off", "-Xshare:auto")) {
            try (ProcessPool pool = ProcessPool.builder().workers(1).jvmOptions(option).build()) {
                FaultsTasks tasks = new FaultsTasks(pool);
                assertEquals(1, await(tasks.increment()), option);
            }
        }
        assertEquals(before, files(), "the pool made or changed an archive");
    }

    @Test
    void aDamagedArchiveIsPassedOverAndCallsStillRun() throws Exception {
        Path archive = makeArchive();
        Files.delete(archive);
        Files.writeString(archive, "not an archive");

        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            assertEquals(1, await(tasks.increment()));
            assertEquals(2, await(tasks.increment()));
        }
    }

    @Test
    void aRebuiltRuntimeJarGetsANewArchiveThatReplacesTheOld() throws Exception {
        Path first = makeArchive();
        Path jar =
                Path.of(
                        WorkerMain.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        FileTime built = Files.getLastModifiedTime(jar);
        Files.setLastModifiedTime(
                jar, FileTime.fromMillis(built.toMillis() + 60_000)); // as a rebuild would
        try {
            Path second = makeArchive();
            assertNotEquals(first, second);
            assertFalse(
                    Files.exists(first), "the earlier build's archive is still there: " + files());
        } finally {
            Files.setLastModifiedTime(jar, built);
        }
    }

    @Test
    void turnedOffNothingIsWritten() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).classDataSharing(false).build()) {
            assertEquals(1, await(new FaultsTasks(pool).increment()));
            assertFalse(Files.exists(cache), "made " + cache);
        }
    }

    @Test
    void aCacheDirectoryOthersCanWriteToIsNotUsed() throws Exception {
        Files.createDirectory(
                cache,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(
                cache, PosixFilePermissions.fromString("rwxrwxrwx")); // past the umask
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            assertEquals(1, await(new FaultsTasks(pool).increment()));
            assertEquals(List.of(), files());
        }
    }

    @Test
    void anArchiveATrainingMadeAfterAShortProgramExitedIsUsedByTheNextPool() throws Exception {
        ShortProgram.runFresh("-D" + CACHE_PROPERTY + "=" + cache);
        assertTrue(
                files().stream().anyMatch(f -> f.contains(".tmp-")),
                "the program started a training, which outlives it: " + files());
        Futures.eventually("the training to end", this::noTrainingRuns);

        try (ProcessPool adopting = ProcessPool.builder().workers(1).build()) {
            assertEquals(1, await(new FaultsTasks(adopting).increment()));
        }
        Futures.eventually(
                "the archive in place",
                () -> files().stream().anyMatch(f -> f.endsWith(".aot") || f.endsWith(".jsa")));
        assertTrue(files().stream().noneMatch(f -> f.contains(".tmp-")), files().toString());
        assertTrue(aWorkerStartsFromTheArchive(), "the next worker starts from the archive");
    }

    /** Whether a new pool's worker loads its main class from the archive. */
    private boolean aWorkerStartsFromTheArchive() throws Exception {
        Path classes = Files.createTempFile(temp, "classes", ".log");
        try (ProcessPool pool =
                ProcessPool.builder()
                        .workers(1)
                        .jvmOptions("-Xlog:class+load=info:file=" + classes)
                        .build()) {
            assertEquals(1, await(new FaultsTasks(pool).increment()));
        }
        // "(top)" follows for a dynamic archive, nothing for an ahead-of-time cache
        return Files.readString(classes)
                .contains(WorkerMain.class.getName() + " source: shared objects file");
    }

    /**
     * Whether no training holds the lock beside the archive (the OS lets go as it exits) and no JVM
     * assembles an ahead-of-time cache from a training's profile (a {@code .config} file).
     */
    private boolean noTrainingRuns() {
        for (String name : files()) {
            if (name.endsWith(".config")) {
                return false;
            }
            if (name.endsWith(".lock")) {
                try (java.nio.channels.FileChannel lock =
                        java.nio.channels.FileChannel.open(
                                cache.resolve(name), java.nio.file.StandardOpenOption.WRITE)) {
                    if (lock.tryLock() == null) {
                        return false;
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        return true;
    }

    /** Starts a pool, which starts the training, and waits for the archive it makes. */
    private Path makeArchive() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            assertEquals(1, await(new FaultsTasks(pool).increment()));
            assertFalse(files().isEmpty(), "the first pool started no training in " + cache);
        }
        // The training's output goes last, once the archive is in place or the training failed.
        Futures.eventually(
                "the training to end in " + cache,
                () -> files().stream().noneMatch(f -> f.contains(".tmp-")));
        List<String> archives =
                files().stream()
                        .filter(
                                f ->
                                        f.endsWith(
                                                Runtime.version().feature() >= 25
                                                        ? ".aot"
                                                        : ".jsa"))
                        .collect(Collectors.toList());
        assertFalse(
                files().stream().anyMatch(f -> f.endsWith(".log")),
                "the training failed: " + files());
        assertEquals(1, archives.size(), archives.toString());
        return cache.resolve(archives.get(0));
    }

    private List<String> files() {
        if (!Files.isDirectory(cache)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(cache)) {
            return files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
