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
            f.whenComplete((value, failure) -> completions.add(f));
        }
        return completions;
    }
}
