package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.spi.CallFutures;
import dev.paralleltask.runtime.internal.spi.RuntimeAccess;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The pending result of one call made through a generated proxy.
 *
 * <ul>
 *   <li>It completes exactly once: with the task's result; with the task's own exception, or a
 *       {@link TaskException} saying what else went wrong, as the cause of {@link
 *       ExecutionException}; or cancelled.
 *   <li>{@code cancel(true)} on a running call stops it for real: a {@link ProcessPool} kills the
 *       worker (and replaces it), a {@link ThreadPool} interrupts the thread. {@code cancel(false)}
 *       only removes a call that has not started. A call that has not started never starts once
 *       cancelled.
 *   <li>Dependent stages ({@code thenApply} and so on) that are not {@code ...Async} and are made
 *       before the call completes run, in a {@code ProcessPool}, on a thread of the pool's own for
 *       them, never on the thread that reads a worker's answers: a slow stage slows no other call.
 *       In a {@code ThreadPool} they run on the thread that ran the call. A stage made after the
 *       call completed runs at once on the thread that made it, as with any completed stage.
 *   <li>It cannot be completed from outside; {@link #toCompletableFuture()} returns a dependent
 *       copy.
 * </ul>
 *
 * <pre>{@code
 * TaskFuture<Long> f = primes.count(0, 10_000_000);
 * f.thenAccept(n -> System.out.println(n + " primes"));
 * long n = f.get(1, TimeUnit.MINUTES);
 * }</pre>
 *
 * @param <T> the type of the call's result ({@code Void} for a void method)
 */
public final class TaskFuture<T> implements Future<T>, CompletionStage<T> {
    /*
     * The result races through `result`'s own compare-and-set: whichever of result, failure,
     * timeout, crash or cancel completes it first wins, and the others only clean up. `phase`
     * records separately whether an executor has started the call (QUEUED -> RUNNING, back to
     * QUEUED only when a call is retried), which is what cancel needs to know to stop it.
     */
    private static final int QUEUED = 0;
    private static final int RUNNING = 1;

    static {
        RuntimeAccess.install(new SpiBridge()); // executors make and settle futures through it
    }

    private final CompletableFuture<T> result = new CompletableFuture<>();
    private final AtomicInteger phase = new AtomicInteger(QUEUED);
    private final CallFutures.Canceller canceller;

    /** Where dependent stages made before completion run; null for the completing thread. */
    private final Executor stages;

    TaskFuture(CallFutures.Canceller canceller, Executor stages) {
        this.canceller = canceller;
        this.stages = stages;
    }

    /**
     * The executor a dependent stage made now runs on: the executor's, unless there is none or the
     * call is done (then it runs at once, on the caller's thread, as with any completed stage).
     */
    private Executor stageExecutor() {
        return stages == null || result.isDone() ? null : stages;
    }

    /** Runs {@code action} on the completing thread once done: for the runtime's own short work. */
    void whenDone(Runnable action) {
        result.whenComplete((value, failure) -> action.run());
    }

    /** Whether the call is running now: started, and not yet done. */
    public boolean isRunning() {
        return phase.get() == RUNNING && !result.isDone();
    }

    // ---- executor side ----

    /** Moves a queued call to running; false if it was cancelled or completed meanwhile. */
    boolean markRunning() {
        return phase.compareAndSet(QUEUED, RUNNING) && !result.isDone();
    }

    /** Moves a running call back to the queue, for a retry. */
    void markQueued() {
        phase.set(QUEUED);
    }

    /** Whether it completed with a failure (not a cancellation). */
    boolean isFailed() {
        return result.isCompletedExceptionally() && !result.isCancelled();
    }

    boolean complete(T value) {
        return result.complete(value);
    }

    boolean fail(Throwable failure) {
        return result.completeExceptionally(failure);
    }

    // ---- Future ----

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!result.cancel(mayInterruptIfRunning)) {
            return false;
        }
        canceller.cancelled(this, phase.get() == RUNNING, mayInterruptIfRunning);
        return true;
    }

    @Override
    public boolean isCancelled() {
        return result.isCancelled();
    }

    @Override
    public boolean isDone() {
        return result.isDone();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        return result.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return result.get(timeout, unit);
    }

    /**
     * Waits for the result like {@link CompletableFuture#join()}: unchecked, and uninterruptible.
     */
    public T join() {
        return result.join();
    }

    @Override
    public String toString() {
        String state =
                result.isDone()
                        ? (result.isCompletedExceptionally()
                                ? (result.isCancelled() ? "cancelled" : "failed")
                                : "completed")
                        : phase.get() == RUNNING ? "running" : "queued";
        return "TaskFuture[" + state + "]";
    }

    // ---- CompletionStage: every stage is a dependent of `result`, never `result` itself, and is
    // returned as the CompletableFuture it is, so chains read naturally: f.thenApply(g).join() ----

    @Override
    public CompletableFuture<T> toCompletableFuture() {
        Executor e = stageExecutor();
        return e == null
                ? result.thenApply(Function.identity())
                : result.thenApplyAsync(Function.identity(), e);
    }

    @Override
    public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        Executor e = stageExecutor();
        return e == null ? result.thenApply(fn) : result.thenApplyAsync(fn, e);
    }

    @Override
    public <U> CompletableFuture<U> thenApplyAsync(Function<? super T, ? extends U> fn) {
        return result.thenApplyAsync(fn);
    }

    @Override
    public <U> CompletableFuture<U> thenApplyAsync(
            Function<? super T, ? extends U> fn, Executor executor) {
        return result.thenApplyAsync(fn, executor);
    }

    @Override
    public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        Executor e = stageExecutor();
        return e == null ? result.thenAccept(action) : result.thenAcceptAsync(action, e);
    }

    @Override
    public CompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action) {
        return result.thenAcceptAsync(action);
    }

    @Override
    public CompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action, Executor executor) {
        return result.thenAcceptAsync(action, executor);
    }

    @Override
    public CompletableFuture<Void> thenRun(Runnable action) {
        Executor e = stageExecutor();
        return e == null ? result.thenRun(action) : result.thenRunAsync(action, e);
    }

    @Override
    public CompletableFuture<Void> thenRunAsync(Runnable action) {
        return result.thenRunAsync(action);
    }

    @Override
    public CompletableFuture<Void> thenRunAsync(Runnable action, Executor executor) {
        return result.thenRunAsync(action, executor);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombine(
            CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn) {
        Executor e = stageExecutor();
        return e == null ? result.thenCombine(other, fn) : result.thenCombineAsync(other, fn, e);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombineAsync(
            CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn) {
        return result.thenCombineAsync(other, fn);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombineAsync(
            CompletionStage<? extends U> other,
            BiFunction<? super T, ? super U, ? extends V> fn,
            Executor executor) {
        return result.thenCombineAsync(other, fn, executor);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBoth(
            CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
        Executor e = stageExecutor();
        return e == null
                ? result.thenAcceptBoth(other, action)
                : result.thenAcceptBothAsync(other, action, e);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBothAsync(
            CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
        return result.thenAcceptBothAsync(other, action);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBothAsync(
            CompletionStage<? extends U> other,
            BiConsumer<? super T, ? super U> action,
            Executor executor) {
        return result.thenAcceptBothAsync(other, action, executor);
    }

    @Override
    public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        Executor e = stageExecutor();
        return e == null
                ? result.runAfterBoth(other, action)
                : result.runAfterBothAsync(other, action, e);
    }

    @Override
    public CompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action) {
        return result.runAfterBothAsync(other, action);
    }

    @Override
    public CompletableFuture<Void> runAfterBothAsync(
            CompletionStage<?> other, Runnable action, Executor executor) {
        return result.runAfterBothAsync(other, action, executor);
    }

    @Override
    public <U> CompletableFuture<U> applyToEither(
            CompletionStage<? extends T> other, Function<? super T, U> fn) {
        Executor e = stageExecutor();
        return e == null
                ? result.applyToEither(other, fn)
                : result.applyToEitherAsync(other, fn, e);
    }

    @Override
    public <U> CompletableFuture<U> applyToEitherAsync(
            CompletionStage<? extends T> other, Function<? super T, U> fn) {
        return result.applyToEitherAsync(other, fn);
    }

    @Override
    public <U> CompletableFuture<U> applyToEitherAsync(
            CompletionStage<? extends T> other, Function<? super T, U> fn, Executor executor) {
        return result.applyToEitherAsync(other, fn, executor);
    }

    @Override
    public CompletableFuture<Void> acceptEither(
            CompletionStage<? extends T> other, Consumer<? super T> action) {
        Executor e = stageExecutor();
        return e == null
                ? result.acceptEither(other, action)
                : result.acceptEitherAsync(other, action, e);
    }

    @Override
    public CompletableFuture<Void> acceptEitherAsync(
            CompletionStage<? extends T> other, Consumer<? super T> action) {
        return result.acceptEitherAsync(other, action);
    }

    @Override
    public CompletableFuture<Void> acceptEitherAsync(
            CompletionStage<? extends T> other, Consumer<? super T> action, Executor executor) {
        return result.acceptEitherAsync(other, action, executor);
    }

    @Override
    public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        Executor e = stageExecutor();
        return e == null
                ? result.runAfterEither(other, action)
                : result.runAfterEitherAsync(other, action, e);
    }

    @Override
    public CompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action) {
        return result.runAfterEitherAsync(other, action);
    }

    @Override
    public CompletableFuture<Void> runAfterEitherAsync(
            CompletionStage<?> other, Runnable action, Executor executor) {
        return result.runAfterEitherAsync(other, action, executor);
    }

    @Override
    public <U> CompletableFuture<U> thenCompose(
            Function<? super T, ? extends CompletionStage<U>> fn) {
        Executor e = stageExecutor();
        return e == null ? result.thenCompose(fn) : result.thenComposeAsync(fn, e);
    }

    @Override
    public <U> CompletableFuture<U> thenComposeAsync(
            Function<? super T, ? extends CompletionStage<U>> fn) {
        return result.thenComposeAsync(fn);
    }

    @Override
    public <U> CompletableFuture<U> thenComposeAsync(
            Function<? super T, ? extends CompletionStage<U>> fn, Executor executor) {
        return result.thenComposeAsync(fn, executor);
    }

    @Override
    public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        Executor e = stageExecutor();
        return e == null ? result.handle(fn) : result.handleAsync(fn, e);
    }

    @Override
    public <U> CompletableFuture<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn) {
        return result.handleAsync(fn);
    }

    @Override
    public <U> CompletableFuture<U> handleAsync(
            BiFunction<? super T, Throwable, ? extends U> fn, Executor executor) {
        return result.handleAsync(fn, executor);
    }

    @Override
    public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        Executor e = stageExecutor();
        return e == null ? result.whenComplete(action) : result.whenCompleteAsync(action, e);
    }

    @Override
    public CompletableFuture<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action) {
        return result.whenCompleteAsync(action);
    }

    @Override
    public CompletableFuture<T> whenCompleteAsync(
            BiConsumer<? super T, ? super Throwable> action, Executor executor) {
        return result.whenCompleteAsync(action, executor);
    }

    @Override
    public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        Executor e = stageExecutor();
        return e == null ? result.exceptionally(fn) : result.exceptionallyAsync(fn, e);
    }
}
