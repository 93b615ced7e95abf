package dev.paralleltask.runtime;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Waiting on several calls at once: Python's {@code concurrent.futures.wait} and {@code
 * as_completed}.
 *
 * <pre>{@code
 * List<TaskFuture<Long>> futures = ...;
 * Done<TaskFuture<Long>> first = TaskFutures.await(futures, ReturnWhen.FIRST_COMPLETED, Duration.ofMinutes(1));
 * for (TaskFuture<Long> f : TaskFutures.asCompleted(futures)) {
 *     System.out.println(f.get());
 * }
 * }</pre>
 */
public final class TaskFutures {
    private TaskFutures() {}

    /** When {@link #await} returns. */
    public enum ReturnWhen {
        /** As soon as any future is done. */
        FIRST_COMPLETED,
        /** As soon as any future fails (cancelled does not count), or when all are done. */
        FIRST_EXCEPTION,
        /** When every future is done. */
        ALL_COMPLETED
    }

    /**
     * The futures that were done when {@link #await} returned, and the rest, each in the order
     * given.
     */
    public record Done<F>(Set<F> done, Set<F> notDone) {}

    /**
     * Waits until {@code when} holds for {@code futures} or the timeout passes, and splits them
     * into done and not done. Duplicates count once.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public static <F extends TaskFuture<?>> Done<F> await(
            Collection<? extends F> futures, ReturnWhen when, Duration timeout)
            throws InterruptedException {
        Set<F> pending = distinct(futures);
        LinkedBlockingQueue<F> completions = notifyOnCompletion(pending);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int completed = 0; completed < pending.size(); completed++) {
            F next = completions.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (next == null
                    || when == ReturnWhen.FIRST_COMPLETED
                    || (when == ReturnWhen.FIRST_EXCEPTION && next.isFailed())) {
                break;
            }
        }
        // Every future done by now, not only those seen above: several may have been done at once.
        Set<F> doneInOrder = new LinkedHashSet<>();
        Set<F> notDone = new LinkedHashSet<>();
        for (F f : pending) {
            (f.isDone() ? doneInOrder : notDone).add(f);
        }
        return new Done<>(
                Collections.unmodifiableSet(doneInOrder), Collections.unmodifiableSet(notDone));
    }

    /**
     * The futures in the order they complete, those already done first. The iterator's {@code
     * next()} waits for the next one; if the waiting thread is interrupted, it restores the
     * interrupt flag and throws {@link CompletionException} caused by {@link InterruptedException}.
     * Duplicates count once.
     */
    public static <F extends TaskFuture<?>> Iterable<F> asCompleted(
            Collection<? extends F> futures) {
        Set<F> pending = distinct(futures);
        LinkedBlockingQueue<F> completions = notifyOnCompletion(pending);
        return () ->
                new Iterator<F>() {
                    private int remaining = pending.size();

                    @Override
                    public boolean hasNext() {
                        return remaining > 0;
                    }

                    @Override
                    public F next() {
                        if (remaining == 0) {
                            throw new NoSuchElementException();
                        }
                        try {
                            F f = completions.take();
                            remaining--;
                            return f;
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new CompletionException(
                                    "interrupted while waiting for the next completed call", e);
                        }
                    }
                };
    }

    /**
     * How many calls {@link #map} and {@link #mapUnordered} start ahead, unless told: far more than
     * a pool keeps at its workers (256 each), so that the calls queued at the pool never run out
     * between two that the stream consumes. A million {@code id(int)} calls on a pool of 2 ran at
     * 0.7-1.0M calls/s with 1,024, 1.3-1.6M with 4,096, 1.6M with 8,192 and 1.4-1.8M with 16,384
     * (warm, before short calls went in batches). Each call started holds its arguments until it is
     * answered: pass a smaller {@code maxInFlight} for large arguments.
     */
    public static final int DEFAULT_MAX_IN_FLIGHT = 8_192;

    /**
     * Python's {@code Executor.map}: the results of {@code call} on each input, in input order, as
     * a lazy stream. At most {@value #DEFAULT_MAX_IN_FLIGHT} calls are started ahead of the element
     * being consumed, enough to keep a pool's workers busy, so an endless input works ({@code
     * map(endless, f).limit(10)}).
     *
     * <ul>
     *   <li>A failed call throws {@link CompletionException} when its element is reached, with what
     *       the task threw or the {@link TaskException} as its cause, as {@link
     *       java.util.concurrent.CompletableFuture#join()} does; a cancelled one, {@link
     *       java.util.concurrent.CancellationException}. The calls started and not yet consumed are
     *       cancelled then.
     *   <li>Closing the stream cancels the calls it started and not yet consumed: use it in
     *       try-with-resources when it may not be read to the end.
     *   <li>An exception from {@code call} itself (a {@code RejectedExecutionException}) is thrown
     *       as it is.
     *   <li>Short calls on a {@link ProcessPool} or a cluster are submitted in batches: once
     *       elements come faster than a few per millisecond, up to 256 calls, about a millisecond
     *       of work, reach the pool with one decision and one write (a cluster's dispatcher with
     *       one turn of its lock). Each is still a call of its own, answered, timed, retried and
     *       failed on its own: if a worker dies (a crash, {@code System.exit}, a JVM error), only
     *       the call it was running fails (or runs again as its {@code retries} allow), and the
     *       calls sent after it run elsewhere; no call runs twice that its {@code retries} do not
     *       allow.
     * </ul>
     *
     * <pre>{@code
     * try (Stream<Long> counts = TaskFutures.map(ranges, r -> primes.count(r.from(), r.to()))) {
     *     long total = counts.mapToLong(Long::longValue).sum();
     * }
     * }</pre>
     */
    public static <I, O> Stream<O> map(
            Iterable<? extends I> inputs, Function<? super I, ? extends TaskFuture<O>> call) {
        return map(inputs, call, DEFAULT_MAX_IN_FLIGHT);
    }

    /** {@link #map(Iterable, Function)}, with at most {@code maxInFlight} calls started ahead. */
    public static <I, O> Stream<O> map(
            Iterable<? extends I> inputs,
            Function<? super I, ? extends TaskFuture<O>> call,
            int maxInFlight) {
        return map(inputs, call, MapOptions.defaults().maxInFlight(maxInFlight));
    }

    /**
     * Python's {@code imap_unordered}: as {@link #map(Iterable, Function)}, but the results come as
     * the calls complete, so a slow call holds up none of the others.
     */
    public static <I, O> Stream<O> mapUnordered(
            Iterable<? extends I> inputs, Function<? super I, ? extends TaskFuture<O>> call) {
        return mapUnordered(inputs, call, DEFAULT_MAX_IN_FLIGHT);
    }

    /**
     * {@link #mapUnordered(Iterable, Function)}, with at most {@code maxInFlight} calls started
     * ahead.
     */
    public static <I, O> Stream<O> mapUnordered(
            Iterable<? extends I> inputs,
            Function<? super I, ? extends TaskFuture<O>> call,
            int maxInFlight) {
        return mapUnordered(inputs, call, MapOptions.defaults().maxInFlight(maxInFlight));
    }

    /**
     * {@link #map(Iterable, Function)} with {@code options}: how many calls run ahead, and where
     * the map reports its progress ({@link Progress#console(String)} draws a line on stderr).
     */
    public static <I, O> Stream<O> map(
            Iterable<? extends I> inputs,
            Function<? super I, ? extends TaskFuture<O>> call,
            MapOptions options) {
        return stream(new MappedCalls<>(inputs, call, options, true));
    }

    /** {@link #mapUnordered(Iterable, Function)} with {@code options}, as {@link #map}'s. */
    public static <I, O> Stream<O> mapUnordered(
            Iterable<? extends I> inputs,
            Function<? super I, ? extends TaskFuture<O>> call,
            MapOptions options) {
        return stream(new MappedCalls<>(inputs, call, options, false));
    }

    private static <O> Stream<O> stream(MappedCalls<?, O> calls) {
        return StreamSupport.stream(calls, false).onClose(calls::close);
    }

    private static <F extends TaskFuture<?>> Set<F> distinct(Collection<? extends F> futures) {
        Set<F> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<F> ordered = new LinkedHashSet<>();
        for (F f : futures) {
            if (seen.add(java.util.Objects.requireNonNull(f, "futures element"))) {
                ordered.add(f);
            }
        }
        return ordered;
    }

    private static <F extends TaskFuture<?>> LinkedBlockingQueue<F> notifyOnCompletion(
            Set<F> futures) {
        LinkedBlockingQueue<F> completions = new LinkedBlockingQueue<>();
        for (F f : futures) {
            f.whenDone(() -> completions.add(f));
        }
        return completions;
    }
}
