package dev.paralleltask.runtime.internal.pool;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * Starts worker JVMs: the command line, and the pool's secret on the child's stdin. The pool
 * launches its first workers before it has a secret (see {@link WorkerListener#WorkerListener});
 * they wait for it on their stdin, and have it once {@link #secret} is called.
 */
final class WorkerLauncher {
    private final Path java;
    private final List<String> jvmOptions;
    private final String classpath;
    private final String mainClass;
    private final Path socket;
    private final int threads;

    /**
     * Every worker runs without the JVM's performance counters: sampling them woke each idle worker
     * 20 times a second (0.15% of a core per worker, measured; a pool of 16 burned 2.4% of a core
     * doing nothing). {@code jcmd <pid>} still reaches a worker; {@code jps} no longer lists it.
     * {@code -XX:+UsePerfData} in the pool's {@code jvmOptions} brings them back.
     */
    static final String NO_PERF_DATA = "-XX:-UsePerfData";

    /** Guarded by this; null until {@link #secret}. */
    private byte[] secret;

    /** Guarded by this: the processes launched before there was a secret. */
    private final List<Process> waiting = new ArrayList<>();

    /**
     * @param threads how many calls a worker runs at once
     */
    WorkerLauncher(
            Path java, List<String> jvmOptions, WorkerClasspath where, Path socket, int threads) {
        this.java = java;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.classpath = where.classpath();
        this.mainClass = where.mainClass();
        this.socket = socket;
        this.threads = threads;
    }

    /**
     * Starts worker {@code workerId}, whose {@linkplain #ring ring} must exist; it maps the ring
     * and connects back to the pool's socket on its own once it has the secret. {@code started} is
     * given the process before the worker is given the pool's secret: the worker cannot say hello
     * before the pool knows its pid.
     */
    synchronized Process launch(int workerId, Consumer<Process> started) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(workerId));
        Process process = builder.start();
        started.accept(process);
        if (secret != null) {
            tell(process);
        } else {
            waiting.add(process);
        }
        return process;
    }

    /** The pool's secret, now that it listens: given to every worker launched before and after. */
    synchronized void secret(byte[] secret) {
        this.secret = secret.clone();
        waiting.forEach(this::tell);
        waiting.clear();
    }

    /**
     * Writes the secret on the worker's stdin, and leaves it open: the worker knows its parent is
     * gone when its stdin ends ({@code ParentWatch}). It is closed as the worker is reaped.
     */
    private void tell(Process process) {
        try {
            OutputStream stdin = process.getOutputStream();
            stdin.write(
                    (HexFormat.of().formatHex(secret) + "\n").getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
        } catch (IOException e) {
            // The child died before reading its secret; its exit and stderr tell why.
        }
    }

    /** The file of worker {@code workerId}'s answer ring, beside the pool's socket. */
    Path ring(int workerId) {
        return socket.resolveSibling("worker-" + workerId + ".ring");
    }

    /** The command line, for messages; the secret is not on it. */
    List<String> command(int workerId) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.add(socket.toString());
        command.add(ring(workerId).toString());
        command.add(Integer.toString(workerId));
        command.add(Long.toString(ProcessHandle.current().pid()));
        command.add(Integer.toString(threads));
        return command;
    }

    /**
     * Worker heaps that together cannot overcommit the machine: each JVM would take a quarter of
     * its memory by default, so 8 workers could claim twice of it. Unless the user sets a heap
     * limit, each worker gets {@code 60% / workers} of the memory (the JVM reads it, container
     * limits included), at most the JVM's own quarter; the caller keeps the rest.
     */
    static List<String> heapLimit(int workers, List<String> userOptions) {
        boolean userSetsIt =
                userOptions.stream()
                        .anyMatch(
                                o ->
                                        o.startsWith("-Xmx")
                                                || o.startsWith("-XX:MaxHeapSize")
                                                || o.startsWith(
                                                        "-XX:MaxRAM")); // and its Percentage,
        // Fraction
        if (userSetsIt) {
            return List.of();
        }
        long hundredths = Math.round(Math.min(25.0, WORKER_HEAPS_PERCENT / workers) * 100);
        // Not String.format: its locale data costs a cold JVM ~8 ms on the way to the first worker.
        return List.of(
                "-XX:MaxRAMPercentage="
                        + hundredths / 100
                        + "."
                        + (hundredths % 100 < 10 ? "0" : "")
                        + hundredths % 100);
    }

    /** The share of the machine's memory all worker heaps of a pool may take together. */
    static final double WORKER_HEAPS_PERCENT = 60.0;
}
