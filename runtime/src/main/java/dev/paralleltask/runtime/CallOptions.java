package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.TaskMethod;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Options for calls, overriding what their methods' {@code @ParallelTask} says, without changing
 * the proxy: {@code new
 * PrimesTasks(pool.with(CallOptions.defaults().timeout(Duration.ofSeconds(5))))} times out every
 * call made through that proxy after 5 seconds (see {@link TaskExecutor#with}). Immutable: each
 * setter returns a copy. An option not set leaves the annotation's value.
 */
public final class CallOptions {
    private static final CallOptions DEFAULTS = new CallOptions(0, -1);

    /** Milliseconds, or 0 when not set. */
    private final long timeoutMillis;

    /** -1 when not set. */
    private final int retries;

    private CallOptions(long timeoutMillis, int retries) {
        this.timeoutMillis = timeoutMillis;
        this.retries = retries;
    }

    /** No option set: calls run as their annotations say. */
    public static CallOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Each call times out after {@code timeout}, counted from when it starts, as {@code
     * timeoutMillis} would say (rounded up to a whole millisecond).
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public CallOptions timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(
                    "CallOptions.timeout must be positive, was " + timeout);
        }
        long millis;
        try {
            millis = timeout.plusNanos(999_999).toMillis();
        } catch (ArithmeticException e) {
            millis = Long.MAX_VALUE;
        }
        return new CallOptions(millis, retries);
    }

    /**
     * Each call whose worker dies under it runs again up to {@code retries} times, as {@code
     * retries} of the annotation would say; 0 makes it run at most once.
     *
     * @throws IllegalArgumentException if {@code retries} is negative
     */
    public CallOptions retries(int retries) {
        if (retries < 0) {
            throw new IllegalArgumentException("CallOptions.retries must be >= 0, was " + retries);
        }
        return new CallOptions(timeoutMillis, retries);
    }

    /** The timeout set, if one was. */
    public Optional<Duration> timeout() {
        return timeoutMillis == 0
                ? Optional.empty()
                : Optional.of(Duration.ofMillis(timeoutMillis));
    }

    /** The retries set, if they were. */
    public OptionalInt retries() {
        return retries < 0 ? OptionalInt.empty() : OptionalInt.of(retries);
    }

    /** These options, with what {@code later} sets taking the place of what these set. */
    CallOptions and(CallOptions later) {
        return new CallOptions(
                later.timeoutMillis != 0 ? later.timeoutMillis : timeoutMillis,
                later.retries >= 0 ? later.retries : retries);
    }

    /** The method as its calls run with these options. */
    TaskMethod applyTo(TaskMethod method) {
        if (this == DEFAULTS) {
            return method;
        }
        return new TaskMethod(
                method.invoker(),
                method.index(),
                method.displayName(),
                method.parameterNames(),
                timeoutMillis != 0 ? timeoutMillis : method.timeoutMillis(),
                retries >= 0 ? retries : method.retries(),
                method.answerTypes());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CallOptions other
                && other.timeoutMillis == timeoutMillis
                && other.retries == retries;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(timeoutMillis) * 31 + retries;
    }

    @Override
    public String toString() {
        return "CallOptions"
                + "[timeout="
                + timeout().map(Duration::toString).orElse("as annotated")
                + ", retries="
                + (retries < 0 ? "as annotated" : Integer.toString(retries))
                + "]";
    }
}
