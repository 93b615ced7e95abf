package dev.paralleltask.runtime;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * {@link Progress#console}: counts each element, and looks at the clock every {@value #LOOK_EVERY}
 * elements (and on the first ones), so a map of no-op calls pays a counter per element.
 */
final class ConsoleProgress implements Progress {
    static final Progress NONE =
            new Progress() {
                @Override
                public void started(long total) {}

                @Override
                public void completed(boolean ok) {}

                @Override
                public void finished() {}

                @Override
                public String toString() {
                    return "none";
                }
            };

    private static final int LOOK_EVERY = 64;
    private static final long REDRAW_NANOS = 100_000_000;
    private static final long PLAIN_NANOS = 5_000_000_000L;

    private final String label;
    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier nanos;

    private long total = -1;
    private long done;
    private long failed;
    private long start;
    private long lastDrawn;
    private int widest;
    private boolean over;

    ConsoleProgress(String label, PrintStream out, boolean terminal, LongSupplier nanos) {
        this.label = Objects.requireNonNull(label, "label");
        this.out = Objects.requireNonNull(out, "out");
        this.terminal = terminal;
        this.nanos = nanos;
    }

    @Override
    public void started(long total) {
        this.total = total;
        this.start = nanos.getAsLong();
        this.lastDrawn = start;
        if (terminal) {
            draw(start);
        }
    }

    @Override
    public void completed(boolean ok) {
        done++;
        if (!ok) {
            failed++;
        }
        if (done % LOOK_EVERY != 0 && done > 8 && ok) {
            return;
        }
        long now = nanos.getAsLong();
        if (now - lastDrawn >= (terminal ? REDRAW_NANOS : PLAIN_NANOS) || !ok) {
            draw(now);
        }
    }

    @Override
    public void finished() {
        if (over) {
            return;
        }
        over = true;
        draw(nanos.getAsLong());
        if (terminal) {
            out.print('\n');
        }
        out.flush();
    }

    private void draw(long now) {
        lastDrawn = now;
        String line = line(now);
        if (terminal) {
            // Spaces over what a longer earlier line left, then back to the start of the line.
            int pad = Math.max(0, widest - line.length());
            widest = Math.max(widest, line.length());
            out.print("\r" + line + " ".repeat(pad));
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** "primes: 45,210/100,000 (45%) 12,345/s, 0:03 elapsed, 0:04 left, 1 failed". */
    String line(long now) {
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        double rate = done / seconds;
        StringBuilder b = new StringBuilder(label).append(": ");
        b.append(String.format(Locale.ROOT, "%,d", done));
        if (total >= 0) {
            b.append(String.format(Locale.ROOT, "/%,d", total));
            b.append(" (").append(total == 0 ? 100 : done * 100 / total).append("%)");
        }
        b.append(String.format(Locale.ROOT, " %,.0f/s, ", rate));
        b.append(clock((long) seconds)).append(" elapsed");
        if (total >= 0 && done < total && rate > 0) {
            b.append(", ").append(clock((long) ((total - done) / rate))).append(" left");
        }
        if (failed > 0) {
            b.append(", ").append(failed).append(" failed");
        }
        return b.toString();
    }

    private static String clock(long seconds) {
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        return h > 0
                ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s)
                : String.format(Locale.ROOT, "%d:%02d", m, s);
    }

    @Override
    public String toString() {
        return "Progress.console(" + label + (terminal ? ", terminal" : ", plain") + ")";
    }
}
