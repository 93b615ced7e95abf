package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.pool.CallBatch;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The calls of {@link TaskFutures#map} and {@link TaskFutures#mapUnordered}: at most {@code
 * maxInFlight} started ahead of the element being consumed, in input order or as they complete. Not
 * thread-safe, as a stream's spliterator need not be.
 */
final class MappedCalls<I, O> extends Spliterators.AbstractSpliterator<O> {
    private final Iterator<? extends I> inputs;
    private final Function<? super I, ? extends TaskFuture<O>> call;
    private final int maxInFlight;
    private final boolean inInputOrder;
    private final Progress progress;

    /** The number of inputs when known, else -1: for {@link Progress#started}. */
    private final long total;

    private boolean progressStarted;
    private boolean progressFinished;

    /** Started and not yet consumed, in input order. */
    private final ArrayDeque<TaskFuture<O>> started = new ArrayDeque<>();

    /** For completion order: those started that completed, as they did. */
    private final LinkedBlockingQueue<TaskFuture<O>> completed = new LinkedBlockingQueue<>();

    /** For completion order: those started and not yet consumed. */
    private final Set<TaskFuture<O>> pending = Collections.newSetFromMap(new IdentityHashMap<>());

    MappedCalls(
            Iterable<? extends I> inputs,
            Function<? super I, ? extends TaskFuture<O>> call,
            MapOptions options,
            boolean inInputOrder) {
        super(Long.MAX_VALUE, inInputOrder ? Spliterator.ORDERED : 0);
        this.inputs = Objects.requireNonNull(inputs, "inputs").iterator();
        this.total = inputs instanceof java.util.Collection<?> c ? c.size() : -1;
        this.call = Objects.requireNonNull(call, "call");
        this.maxInFlight = options.maxInFlightCalls();
        this.progress = options.progressReport();
        this.inInputOrder = inInputOrder;
    }

    /**
     * How many elements are consumed between two looks at their pace, and how long a batch of calls
     * should take to run (see {@link #batchSize}).
     */
    private static final int PACE_WINDOW = 512;

    private static final long BATCH_NANOS = 1_000_000;

    /** The most calls submitted as one batch: 256 calls of a microsecond are still a fair share. */
    static final int MAX_BATCH = 256;

    /**
     * How many calls are submitted to a pool as one batch ({@link CallBatch}): 1 until the elements
     * come fast, then enough for a batch to take about a millisecond, at most {@value #MAX_BATCH}
     * and a quarter of {@code maxInFlight}. Calls of a millisecond or more are not batched. A batch
     * is a way of submitting only: each call is answered on its own.
     */
    private int batchSize = 1;

    private long windowStart = System.nanoTime();
    private int windowCount;

    @Override
    public boolean tryAdvance(Consumer<? super O> action) {
        if (!progressStarted) {
            progressStarted = true;
            progress.started(total);
        }
        startMore();
        TaskFuture<O> next = inInputOrder ? started.pollFirst() : nextCompleted();
        if (next == null) {
            finishProgress();
            return false;
        }
        O value;
        try {
            value = next.join();
        } catch (CompletionException | CancellationException e) {
            progress.completed(false);
            close(); // a failure ends the map: nothing it started runs on for nothing
            throw e;
        }
        progress.completed(true);
        pace();
        action.accept(value);
        return true;
    }

    /** The stream's close handler, and the end of a failed map. */
    void close() {
        cancelStarted();
        finishProgress();
    }

    private void finishProgress() {
        if (progressStarted && !progressFinished) {
            progressFinished = true;
            progress.finished();
        }
    }

    /** Counts a consumed element, and sets {@link #batchSize} from the pace of the last window. */
    private void pace() {
        if (++windowCount < PACE_WINDOW) {
            return;
        }
        long now = System.nanoTime();
        long perElement = Math.max(1, (now - windowStart) / PACE_WINDOW);
        batchSize =
                (int)
                        Math.max(
                                1,
                                Math.min(
                                        BATCH_NANOS / perElement,
                                        Math.min(MAX_BATCH, maxInFlight / 4)));
        windowStart = now;
        windowCount = 0;
    }

    /** Cancels every call started and not consumed; the stream's close handler. */
    void cancelStarted() {
        for (TaskFuture<O> f; (f = started.pollFirst()) != null; ) {
            f.cancel(true);
        }
        pending.forEach(f -> f.cancel(true));
        pending.clear();
    }

    private int inFlight() {
        return inInputOrder ? started.size() : pending.size();
    }

    private void startMore() {
        if (batchSize == 1) {
            startEach();
        } else if (inFlight() <= maxInFlight - batchSize) { // whole batches, not one call at a time
            try (CallBatch batch = CallBatch.open(batchSize)) {
                startEach();
            }
        }
    }

    private void startEach() {
        while (inFlight() < maxInFlight && inputs.hasNext()) {
            TaskFuture<O> f =
                    Objects.requireNonNull(
                            call.apply(inputs.next()), "the call returned no future");
            if (inInputOrder) {
                started.addLast(f);
            } else {
                pending.add(f);
                f.whenDone(() -> completed.add(f));
            }
        }
    }

    private TaskFuture<O> nextCompleted() {
        if (pending.isEmpty()) {
            return null;
        }
        try {
            TaskFuture<O> f = completed.take();
            pending.remove(f);
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelStarted();
            throw new CompletionException(
                    "interrupted while waiting for the next completed call", e);
        }
    }
}
