package dev.paralleltask.runtime;

import java.io.PrintStream;

/**
 * What a {@link TaskFutures#map(Iterable, java.util.function.Function, MapOptions)} reports as it
 * goes: {@link #started} once, {@link #completed} for each element as the stream hands it on (or
 * fails on it), {@link #finished} once, when the stream is read to its end, fails, or is closed.
 * All on the thread that reads the stream, so an implementation needs no locking but must be quick:
 * it runs between two elements.
 *
 * <pre>{@code
 * try (Stream<Long> counts = TaskFutures.map(ranges, r -> primes.count(r.from(), r.to()),
 *         MapOptions.defaults().progress(Progress.console("primes")))) {
 *     total = counts.mapToLong(Long::longValue).sum();
 * }
 * }</pre>
 */
public interface Progress {
    /**
     * The map starts: {@code total} elements when the inputs are a {@link java.util.Collection}, -1
     * when their number is not known.
     */
    void started(long total);

    /** An element is done: {@code ok} when its call returned, false when it failed. */
    void completed(boolean ok);

    /** The map is over: read to the end, failed, or closed. */
    void finished();

    /**
     * One line on {@code System.err}: done (of total), rate, elapsed, time left, failures. On a
     * terminal it is redrawn in place, at most ten times a second; otherwise a plain line is
     * written every five seconds, and one at the end. Whether {@code System.err} is a terminal is
     * judged by {@link System#console()}; the system property {@code paralleltask.progress}, {@code
     * terminal} or {@code plain}, decides instead when set.
     */
    static Progress console(String label) {
        String forced = System.getProperty("paralleltask.progress", "");
        boolean terminal =
                forced.equals("terminal") || (!forced.equals("plain") && System.console() != null);
        return console(label, System.err, terminal);
    }

    /** {@link #console(String)}, writing to {@code out}, redrawn in place when {@code terminal}. */
    static Progress console(String label, PrintStream out, boolean terminal) {
        return new ConsoleProgress(label, out, terminal, System::nanoTime);
    }

    /** Reports nothing. */
    static Progress none() {
        return ConsoleProgress.NONE;
    }
}
