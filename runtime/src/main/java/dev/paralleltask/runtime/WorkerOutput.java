package dev.paralleltask.runtime;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the lines that workers print go: {@link ProcessPool.Builder#output(WorkerOutput)}.
 *
 * <ul>
 *   <li>{@link #console()}, the default: this JVM's {@code System.out} and {@code System.err}, each
 *       line prefixed with the worker's name and pid, {@code [pool-1-worker-2 pid 4242] }.
 *   <li>{@link #logger()}: the {@link System.Logger} {@value #LOGGER}, {@code INFO} for stdout and
 *       {@code WARNING} for stderr, with the same prefix.
 *   <li>{@link #files(Path)}: {@code <directory>/<worker>.out} and {@code .err}, appended to.
 *   <li>Any other: a lambda that takes each {@link Line}.
 * </ul>
 *
 * Lines arrive on a thread per worker and stream, in the order the worker printed them on that
 * stream; whatever the output, the pool keeps each worker's last lines for its crash reports.
 * Output never shares the channel that carries calls.
 *
 * <pre>{@code
 * ProcessPool.builder().output(line -> log.info("{}: {}", line.worker(), line.text())).build();
 * }</pre>
 */
@FunctionalInterface
public interface WorkerOutput {
    /** The logger {@link #logger()} writes to. */
    String LOGGER = "dev.paralleltask.runtime.WorkerOutput";

    /**
     * One line a worker printed, or a piece of one: a line longer than {@link #MAX_LINE_CHARS}
     * arrives in pieces of that many characters, each but the last with {@code continues} set, so
     * that no line can take the caller's memory and none is lost.
     *
     * @param worker the worker's name, e.g. {@code pool-1-worker-2}
     * @param pid the worker's process id
     * @param stderr whether it came on stderr, else stdout
     * @param text the line or piece, without its line terminator
     * @param continues whether the line goes on in the next {@code Line} of this stream
     */
    record Line(String worker, long pid, boolean stderr, String text, boolean continues) {
        /** The most characters a {@code Line} holds; a longer line comes in pieces. */
        public static final int MAX_LINE_CHARS = 64 * 1024;

        /** A whole line. */
        public Line(String worker, long pid, boolean stderr, String text) {
            this(worker, pid, stderr, text, false);
        }

        /**
         * {@code [pool-1-worker-2 pid 4242] text}, and {@code [continues]} after a piece of a
         * longer line.
         */
        @Override
        public String toString() {
            return "[" + worker + " pid " + pid + "] " + text + (continues ? " [continues]" : "");
        }
    }

    /** Takes one line; called on the thread that reads that worker's stream. */
    void accept(Line line);

    /** The worker's stream ended (it exited): a chance to release what was held for it. */
    default void ended(String worker, boolean stderr) {}

    /** Lines to this JVM's stdout and stderr, prefixed with the worker's name and pid. */
    static WorkerOutput console() {
        return line -> (line.stderr() ? System.err : System.out).println(line);
    }

    /** Lines to the {@link System.Logger} {@value #LOGGER}: stdout at INFO, stderr at WARNING. */
    static WorkerOutput logger() {
        Logger logger = System.getLogger(LOGGER);
        return line -> logger.log(line.stderr() ? Level.WARNING : Level.INFO, line.toString());
    }

    /**
     * Lines appended to {@code <directory>/<worker>.out} and {@code <directory>/<worker>.err},
     * flushed line by line; the directory is made if need be.
     *
     * @throws UncheckedIOException if the directory cannot be made
     */
    static WorkerOutput files(Path directory) {
        Objects.requireNonNull(directory, "directory");
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot make the workers' output directory " + directory, e);
        }
        return new WorkerOutput() {
            private final Map<String, BufferedWriter> open = new ConcurrentHashMap<>();

            @Override
            public void accept(Line line) {
                String file = line.worker() + (line.stderr() ? ".err" : ".out");
                try {
                    BufferedWriter out =
                            open.computeIfAbsent(
                                    file,
                                    f -> {
                                        try {
                                            return Files.newBufferedWriter(
                                                    directory.resolve(f),
                                                    StandardCharsets.UTF_8,
                                                    StandardOpenOption.CREATE,
                                                    StandardOpenOption.APPEND);
                                        } catch (IOException e) {
                                            throw new UncheckedIOException(e);
                                        }
                                    });
                    out.write(line.text());
                    out.newLine();
                    out.flush();
                } catch (IOException | UncheckedIOException e) {
                    System.err.println(
                            line
                                    + " (could not be written to "
                                    + directory.resolve(file)
                                    + ": "
                                    + e
                                    + ")");
                }
            }

            @Override
            public void ended(String worker, boolean stderr) {
                BufferedWriter out = open.remove(worker + (stderr ? ".err" : ".out"));
                if (out != null) {
                    try {
                        out.close();
                    } catch (IOException e) {
                        // Each line was flushed as it came.
                    }
                }
            }
        };
    }
}
