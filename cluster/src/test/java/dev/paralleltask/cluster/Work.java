package dev.paralleltask.cluster;

import dev.paralleltask.ParallelTask;
import dev.paralleltask.shared.SharedLongArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Tasks the cluster tests run on nodes; their generated proxy is WorkTasks. */
public class Work {
    /** What a task throws on purpose: it must arrive as itself. */
    public static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        public Refusal(String message) {
            super(message);
        }
    }

    @ParallelTask
    public static int add(int a, int b) {
        return a + b;
    }

    /** The pid of the node JVM whose worker ran the call. */
    @ParallelTask
    public static long nodePid() {
        return ProcessHandle.current().parent().orElseThrow().pid();
    }

    /** The pid of the node JVM whose worker ran the call, after a sleep. */
    @ParallelTask
    public static long nodePidAfter(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return nodePid();
    }

    /** The pid of the worker JVM that ran the call. */
    @ParallelTask
    public static long workerPid() {
        return ProcessHandle.current().pid();
    }

    @ParallelTask
    public static byte[] echo(byte[] bytes) {
        return bytes;
    }

    @ParallelTask
    public static String refuse(String why) throws Refusal {
        throw new Refusal(why);
    }

    @ParallelTask
    public static int exit(int code) {
        System.exit(code);
        return code;
    }

    /** Sleeps, after writing the worker's pid to {@code pidFile} (if given). */
    @ParallelTask
    public static long sleep(long millis, String pidFile) throws InterruptedException {
        if (!pidFile.isEmpty()) {
            try {
                Files.writeString(Path.of(pidFile), Long.toString(ProcessHandle.current().pid()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Thread.sleep(millis);
        return millis;
    }

    /**
     * Adds a line "call node" to {@code log} (its node's pid: a worker's parent), waits, and
     * returns {@code call}: a log of every run.
     */
    @ParallelTask
    public static int logged(int call, long millis, String log) throws Exception {
        long node = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        java.nio.file.Files.writeString(
                java.nio.file.Path.of(log),
                call + " " + node + "\n",
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        Thread.sleep(millis);
        return call;
    }

    @ParallelTask(timeoutMillis = 1_000)
    public static void spinPastTimeout() {
        while (true) {
            Thread.onSpinWait();
        }
    }

    /**
     * Appends the pid of its node to {@code log} for each attempt, then sleeps: how often a call
     * ran, and where.
     */
    @ParallelTask(retries = 1)
    public static long retriedSleep(long millis, String log) throws Exception {
        Files.writeString(
                Path.of(log),
                nodePid() + "\n",
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        Thread.sleep(millis);
        return nodePid();
    }

    /** Reads a shared array: never runs on a cluster, whose nodes cannot map it. */
    @ParallelTask
    public static long first(SharedLongArray array) {
        return array.get(0);
    }
}
