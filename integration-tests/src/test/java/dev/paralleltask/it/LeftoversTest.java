package dev.paralleltask.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.ThreadPool;
import dev.paralleltask.runtime.internal.shared.SharedDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a pool made is gone when {@code close()} returns: its directory, and the file of every large
 * array its calls carried, calls that were rejected or cancelled included (issue 23: racing
 * shutdown with 1 MiB submissions left array files, and the pool's directory, behind).
 */
@Timeout(300)
class LeftoversTest {
    private static final String OWN = "paralleltask-" + ProcessHandle.current().pid() + "-";

    @Test
    void closeRacingSubmissionsOfLargeArraysLeavesNothing() throws Exception {
        Random random = new Random(23);
        for (int round = 0; round < 8; round++) {
            ProcessPool pool = ProcessPool.builder().workers(2).build();
            FaultsTasks tasks = new FaultsTasks(pool);
            List<TaskFuture<byte[]>> made = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> submitter =
                    CompletableFuture.runAsync(
                            () -> {
                                try {
                                    while (true) {
                                        made.add(tasks.echo(new byte[1 << 20]));
                                    }
                                } catch (RejectedExecutionException e) {
                                    // the pool was shut down: what follows must clean up
                                }
                            });
            Thread.sleep(random.nextInt(100));
            if (round % 2 == 1) {
                made.forEach(f -> f.cancel(random.nextBoolean()));
            }
            pool.close();
            submitter.get(60, TimeUnit.SECONDS);
            assertTrue(pool.isTerminated());
            assertEquals(List.of(), ownDirectories(), "round " + round);
            assertEquals(List.of(), arrayFiles(), "round " + round);
            for (TaskFuture<byte[]> f : made) {
                assertTrue(f.isDone(), "an accepted call never completed");
            }
        }
    }

    @Test
    void aThreadPoolCopyCallCancelledBeforeItStartedLeavesNoFile() throws Exception {
        try (ThreadPool pool = ThreadPool.builder().threads(1).copyValues(true).build()) {
            FaultsTasks tasks = new FaultsTasks(pool);
            List<Path> before = arrayFiles();
            TaskFuture<Long> blocker = tasks.sleep(500);
            TaskFuture<byte[]> queued = tasks.echo(new byte[2 << 20]);
            assertEquals(before.size() + 1, arrayFiles().size(), "the copy's array is in a file");
            assertTrue(queued.cancel(false));
            assertEquals(before, arrayFiles());
            blocker.get(30, TimeUnit.SECONDS);
        }
    }

    /** This JVM's pool directories in /dev/shm (or wherever the pools make them). */
    private static List<Path> ownDirectories() throws IOException {
        Path shm = Path.of("/dev/shm");
        Path base = Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> all = Files.list(base)) {
            return all.filter(p -> p.getFileName().toString().startsWith(OWN))
                    .collect(Collectors.toList());
        }
    }

    /** Large-array files of calls in this JVM's shared directory (not the kept spares). */
    private static List<Path> arrayFiles() throws IOException {
        try (Stream<Path> all = Files.list(SharedDirectory.get())) {
            return all.filter(p -> p.getFileName().toString().startsWith("array-"))
                    .collect(Collectors.toList());
        }
    }
}
