package dev.paralleltask.runtime;

import java.util.Objects;

/**
 * How {@link TaskFutures#map(Iterable, java.util.function.Function, MapOptions)} runs: {@code
 * MapOptions.defaults().maxInFlight(1_000).progress(Progress.console("primes"))}. Immutable: each
 * setter returns a copy.
 */
public final class MapOptions {
    private static final MapOptions DEFAULTS =
            new MapOptions(TaskFutures.DEFAULT_MAX_IN_FLIGHT, null);

    private final int maxInFlight;
    private final Progress progress;

    private MapOptions(int maxInFlight, Progress progress) {
        this.maxInFlight = maxInFlight;
        this.progress = progress;
    }

    /** At most {@value TaskFutures#DEFAULT_MAX_IN_FLIGHT} calls ahead, no progress. */
    public static MapOptions defaults() {
        return DEFAULTS;
    }

    /**
     * At most this many calls started ahead of the element being consumed.
     *
     * @throws IllegalArgumentException if below 1
     */
    public MapOptions maxInFlight(int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException(
                    "MapOptions.maxInFlight must be >= 1, was " + maxInFlight);
        }
        return new MapOptions(maxInFlight, progress);
    }

    /** Where the map reports its progress: {@link Progress#console(String)}, or your own. */
    public MapOptions progress(Progress progress) {
        return new MapOptions(maxInFlight, Objects.requireNonNull(progress, "progress"));
    }

    /** The calls started ahead at most. */
    public int maxInFlightCalls() {
        return maxInFlight;
    }

    /** The progress set, or {@link Progress#none()}. */
    public Progress progressReport() {
        return progress != null ? progress : Progress.none();
    }

    @Override
    public String toString() {
        return "MapOptions[maxInFlight="
                + maxInFlight
                + ", progress="
                + (progress != null ? progress : "none")
                + "]";
    }
}
