package dev.paralleltask.runtime.internal.pool;

import static java.lang.System.Logger.Level.WARNING;

import dev.paralleltask.runtime.WorkerOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Reads a worker's stdout or stderr line by line, hands each line to the pool's {@link
 * WorkerOutput}, and remembers the last lines for crash reports. It reads to the end whatever the
 * output does, so a worker never blocks on a full pipe.
 */
final class OutputPump {
    static final int TAIL_LINES = 20;
    private static final int MAX_REMEMBERED_LINE = 2_000;

    private final InputStream source;
    private final String worker;
    private final long pid;
    private final boolean stderr;
    private final WorkerOutput output;
    private final Thread thread;

    /** Guarded by itself. */
    private final ArrayDeque<String> tail = new ArrayDeque<>(TAIL_LINES);

    private OutputPump(
            InputStream source, String worker, long pid, boolean stderr, WorkerOutput output) {
        this.source = source;
        this.worker = worker;
        this.pid = pid;
        this.stderr = stderr;
        this.output = output;
        this.thread = new Thread(this::pump, worker + (stderr ? "-stderr" : "-stdout"));
        thread.setDaemon(true);
    }

    /** Starts reading {@code source}, the worker's stderr if {@code stderr}, else its stdout. */
    static OutputPump start(
            InputStream source, String worker, long pid, boolean stderr, WorkerOutput output) {
        OutputPump pump = new OutputPump(source, worker, pid, stderr, output);
        pump.thread.start();
        return pump;
    }

    /** The last lines read, oldest first. */
    List<String> tail() {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    /**
     * Waits up to {@code millis} for the stream to end, so the tail holds a dead worker's last
     * words.
     */
    void awaitEnd(long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pump() {
        try (InputStreamReader reader = new InputStreamReader(source, Charset.defaultCharset())) {
            char[] buffer = new char[8192];
            StringBuilder line = new StringBuilder();
            boolean afterReturn = false; // "\r\n" ends one line, as BufferedReader reads it
            for (int n; (n = reader.read(buffer)) != -1; ) {
                for (int i = 0; i < n; i++) {
                    char c = buffer[i];
                    if (c == '\n' && afterReturn) {
                        afterReturn = false;
                        continue;
                    }
                    afterReturn = c == '\r';
                    if (c == '\n' || c == '\r') {
                        deliver(line.toString(), false);
                        line.setLength(0);
                    } else {
                        line.append(c);
                        if (line.length() == WorkerOutput.Line.MAX_LINE_CHARS) {
                            deliver(line.toString(), true);
                            line.setLength(0);
                        }
                    }
                }
            }
            if (line.length() > 0) {
                deliver(line.toString(), false);
            }
        } catch (IOException e) {
            // The worker is gone; what it wrote so far was read.
        } catch (RuntimeException | Error e) {
            // Nothing the output does may stop the reading, or the worker would block on a full
            // pipe: drain the rest.
            PoolLog.pool.log(WARNING, "the output pump of " + worker + " failed; draining", e);
            drain();
        } finally {
            output.ended(worker, stderr);
        }
    }

    private boolean outputFailed;

    /** Hands a line or a piece of one on, and keeps it in the tail. */
    private void deliver(String text, boolean continues) {
        try {
            output.accept(new WorkerOutput.Line(worker, pid, stderr, text, continues));
        } catch (RuntimeException e) {
            if (!outputFailed) { // once per stream: the reading goes on
                outputFailed = true;
                PoolLog.pool.log(
                        WARNING, "the pool's WorkerOutput failed on a line of " + worker, e);
            }
        }
        synchronized (tail) {
            if (tail.size() == TAIL_LINES) {
                tail.removeFirst();
            }
            tail.addLast(
                    text.length() > MAX_REMEMBERED_LINE
                            ? text.substring(0, MAX_REMEMBERED_LINE) + "..."
                            : text);
        }
    }

    private void drain() {
        byte[] sink = new byte[8192];
        try {
            while (source.read(sink) != -1) {
                // Discarded: the pump could not pass it on.
            }
        } catch (IOException e) {
            // The worker is gone.
        }
    }
}
