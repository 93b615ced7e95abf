package dev.paralleltask.runtime;

/**
 * How an {@link Actor} runs: {@code ActorOptions.defaults().restarts(3).concurrency(4)}. Immutable:
 * each setter returns a copy.
 */
public final class ActorOptions {
    private static final ActorOptions DEFAULTS = new ActorOptions(0, 1);

    /** More calls at once than this want a thread pool inside the actor instead. */
    private static final int MAX_CONCURRENCY = 1024;

    private final int restarts;
    private final int concurrency;

    private ActorOptions(int restarts, int concurrency) {
        this.restarts = restarts;
        this.concurrency = concurrency;
    }

    /** No restart, one call at a time. */
    public static ActorOptions defaults() {
        return DEFAULTS;
    }

    /**
     * How often the actor may restart from its initial state after its JVM died; default 0, as
     * Ray's {@code max_restarts}. {@link Integer#MAX_VALUE} for always.
     *
     * @throws IllegalArgumentException if negative
     */
    public ActorOptions restarts(int restarts) {
        if (restarts < 0) {
            throw new IllegalArgumentException(
                    "ActorOptions.restarts must be >= 0, was " + restarts);
        }
        return new ActorOptions(restarts, concurrency);
    }

    /**
     * How many calls the actor runs at once, on threads of its own; default 1, one at a time in the
     * order made. With more, calls start in that order but run side by side on the one object,
     * which must then be thread-safe, as Ray's {@code max_concurrency}.
     *
     * @throws IllegalArgumentException if not between 1 and 1024
     */
    public ActorOptions concurrency(int concurrency) {
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException(
                    "ActorOptions.concurrency must be between 1 and "
                            + MAX_CONCURRENCY
                            + ", was "
                            + concurrency);
        }
        return new ActorOptions(restarts, concurrency);
    }

    /** The restarts allowed. */
    public int maxRestarts() {
        return restarts;
    }

    /** The calls run at once. */
    public int maxConcurrency() {
        return concurrency;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActorOptions other
                && other.restarts == restarts
                && other.concurrency == concurrency;
    }

    @Override
    public int hashCode() {
        return restarts * 31 + concurrency;
    }

    @Override
    public String toString() {
        return "ActorOptions[restarts=" + restarts + ", concurrency=" + concurrency + "]";
    }
}
