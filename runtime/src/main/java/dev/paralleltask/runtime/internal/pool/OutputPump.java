package dev.paralleltask.runtime.internal.pool;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Supplier;

/**
 * Copies a worker's stdout or stderr to this JVM's, line by line, each line prefixed with the
 * worker's name and pid, and remembers the last lines for crash reports.
 */
final class OutputPump {
    static final int TAIL_LINES = 20;
    private static final int MAX_REMEMBERED_LINE = 2_000;

    private final InputStream source;
    private final String prefix;
    private final Supplier<PrintStream> sink;
    private final Thread thread;

    /** Guarded by itself. */
    private final ArrayDeque<String> tail = new ArrayDeque<>(TAIL_LINES);

    private OutputPump(
            InputStream source, String prefix, Supplier<PrintStream> sink, String threadName) {
        this.source = source;
        this.prefix = prefix;
        this.sink = sink;
        this.thread = new Thread(this::pump, threadName);
        thread.setDaemon(true);
    }

    /** Starts copying {@code source}; {@code sink} is asked for the stream at each line. */
    static OutputPump start(
            InputStream source, String prefix, Supplier<PrintStream> sink, String threadName) {
        OutputPump pump = new OutputPump(source, prefix, sink, threadName);
        pump.thread.start();
        return pump;
    }

    /** The last lines copied, oldest first. */
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
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(source, Charset.defaultCharset()))) {
            for (String line; (line = reader.readLine()) != null; ) {
                sink.get().println(prefix + line);
                synchronized (tail) {
                    if (tail.size() == TAIL_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(
                            line.length() > MAX_REMEMBERED_LINE
                                    ? line.substring(0, MAX_REMEMBERED_LINE) + "..."
                                    : line);
                }
            }
        } catch (IOException e) {
            // The worker is gone; what it wrote so far was copied.
        }
    }
}
