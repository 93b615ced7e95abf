package dev.paralleltask.runtime.internal.pool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Looks at workers' resident memory, from {@code /proc/<pid>/status} (Linux), after a worker
 * answers and at most every {@value #SAMPLE_MILLIS} ms each: for {@code maxWorkerMemory}, and for
 * the message of a worker the kernel killed ("its resident memory was last ..."). A look costs
 * about a file read, so a worker answering a million calls a second is looked at 20 times.
 */
final class WorkerMemory {
    static final long SAMPLE_MILLIS = 50;

    private WorkerMemory() {}

    /** Whether this machine says what a process's resident memory is. */
    static boolean available() {
        return residentBytes(ProcessHandle.current().pid()) >= 0;
    }

    /**
     * Looks at the worker's memory if it is time to, on its reader's thread; returns the bytes when
     * they passed {@code limit} (0 for none), else -1.
     */
    static long lookAfterAnswers(Worker worker, long limit) {
        long now = System.nanoTime();
        if (worker.residentSampledAt != 0
                && now - worker.residentSampledAt < SAMPLE_MILLIS * 1_000_000) {
            return -1;
        }
        worker.residentSampledAt = now;
        long bytes = residentBytes(worker.pid());
        if (bytes < 0) {
            return -1;
        }
        worker.residentBytes = bytes;
        return limit > 0 && bytes > limit ? bytes : -1;
    }

    /** The process's resident memory in bytes, or -1 if it cannot be read. */
    static long residentBytes(long pid) {
        try {
            String status =
                    new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "status")),
                            StandardCharsets.US_ASCII);
            int at = status.indexOf("VmRSS:");
            if (at < 0) {
                return -1;
            }
            int end = status.indexOf('\n', at);
            String kb = status.substring(at + 6, end < 0 ? status.length() : end).trim();
            return Long.parseLong(kb.substring(0, kb.indexOf(' '))) * 1024;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Bytes as a message says them: "812 MiB". */
    static String mib(long bytes) {
        return (bytes + (1 << 19)) / (1 << 20) + " MiB";
    }
}
