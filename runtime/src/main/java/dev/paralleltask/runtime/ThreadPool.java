package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.pool.Pool;
import dev.paralleltask.runtime.internal.shared.LargeArrays;
import dev.paralleltask.runtime.internal.spi.CallCoding;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.wire.CallCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link TaskExecutor} that runs calls on threads of this JVM: the same proxies as a {@link
 * ProcessPool}, for debugging, for I/O-bound work, and as the in-process baseline.
 *
 * <ul>
 *   <li>Arguments and results are passed by reference, not copied; nothing is serialized. With
 *       {@link Builder#copyValues(boolean)} they are copied through the codec instead, as a {@link
 *       ProcessPool} copies them.
 *   <li>A timeout or {@code cancel(true)} interrupts the thread; a task that ignores interrupts
 *       runs on (only a {@link ProcessPool} can really stop it). A timed-out call fails with {@link
 *       TaskTimeoutException} at once, whatever the task does. Such a call no longer holds up
 *       {@link #awaitTermination} or {@link #close()}: its daemon thread runs on until the task
 *       returns, and the pool starts another in its place meanwhile.
 *   <li>A task's exception arrives as itself, as from a process pool.
 * </ul>
 *
 * <pre>{@code
 * try (ThreadPool pool = ThreadPool.builder().threads(8).build()) {
 *     PrimesTasks primes = new PrimesTasks(pool);
 *     long n = primes.count(0, 1_000).get();
 * }
 * }</pre>
 */
public final class ThreadPool implements TaskExecutor {
    /*
     * Termination counts calls, not threads. A call is outstanding from submit until it ends, or
     * until its future fails while it still runs (a timeout, or cancel(true), whose interrupt the
     * task may ignore). Such a runaway call is let go: it no longer holds up awaitTermination or
     * close(), and the pool gets one more thread for as long as it runs, so the other calls keep
     * their number of threads.
     */
    private final ThreadPoolExecutor threads;
    private final ScheduledThreadPoolExecutor timer;
    private final Duration defaultTimeout;
    private final boolean copyValues;
    private final String name;

    /** The calls running now. */
    private final Set<Job> running = ConcurrentHashMap.newKeySet();

    /** Set by shutdownNow: a call that fails from then on was stopped, and ends cancelled. */
    private volatile boolean stopping;

    /** The actors made here, which end with this pool. */
    private final ActorRegistry actors = new ActorRegistry();

    /** Calls submitted and not yet ended or let go; guarded by {@code this}. */
    private int outstanding;

    private ThreadPool(Builder b) {
        this.name = b.namePrefix;
        this.defaultTimeout = b.defaultTimeout;
        this.copyValues = b.copyValues;
        this.timer = new ScheduledThreadPoolExecutor(1, Pool.daemonThreads(b.namePrefix + "timer"));
        timer.setRemoveOnCancelPolicy(true);
        this.threads =
                new ThreadPoolExecutor(
                        b.threads,
                        b.threads,
                        0,
                        TimeUnit.MILLISECONDS,
                        new LinkedBlockingQueue<>(),
                        Pool.daemonThreads(b.namePrefix + "thread"));
    }

    /** A builder with the defaults: one thread per available processor, no timeout. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public <T> TaskFuture<T> submit(TaskMethod method, Object target, Object[] args) {
        return submit(method, target, args, false);
    }

    /**
     * A call on {@code object} itself, never a copy, whatever {@link Builder#copyValues} says: an
     * actor's calls, which must see what the earlier ones did to it.
     */
    <T> TaskFuture<T> submitOn(TaskMethod method, Object object, Object[] args) {
        return submit(method, object, args, true);
    }

    private <T> TaskFuture<T> submit(
            TaskMethod method, Object target, Object[] args, boolean liveTarget) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(args, "args");
        Job job;
        try {
            CallCodec.Encoded copy =
                    copyValues ? CallCoding.encode(method, liveTarget ? null : target, args) : null;
            job = new Job(method, target, args, copy == null ? null : copy.body(), liveTarget);
            if (copy != null && !copy.files().isEmpty()) { // however the job ends, cancelled too
                job.future.whenDone(() -> copy.files().forEach(LargeArrays::discard));
            }
        } catch (TaskSerializationException e) {
            return CallFutures.failed(e);
        }
        synchronized (this) {
            outstanding++;
        }
        try {
            threads.execute(job);
        } catch (RejectedExecutionException e) {
            job.release();
            RejectedExecutionException rejected =
                    Failures.rejected(method, "the thread pool " + name);
            rejected.initCause(e);
            throw rejected;
        }
        @SuppressWarnings("unchecked") // the proxy knows the method's result type
        TaskFuture<T> future = (TaskFuture<T>) job.future;
        return future;
    }

    /**
     * An actor whose object lives on this heap: {@code initialState} itself, or a copy of it when
     * {@link Builder#copyValues} is set; its calls run in order on threads of their own. It never
     * restarts: nothing here can kill it.
     */
    @Override
    public <C> Actor<C> actor(C initialState, ActorOptions options) {
        Objects.requireNonNull(options, "options");
        ActorRegistry.refuseIfShutDown(this);
        Object object = copyValues ? ValueCopies.copyState(initialState) : initialState;
        String actorName =
                actors.nextName(name.endsWith("-") ? name.substring(0, name.length() - 1) : name);
        ThreadPool home =
                builder()
                        .threads(options.maxConcurrency())
                        .namePrefix(actorName + "-")
                        .defaultTimeout(defaultTimeout)
                        .copyValues(copyValues)
                        .build();
        return actors.add(new ThreadActor<C>(actorName, home, object), this);
    }

    @Override
    public void shutdown() {
        threads.shutdown();
        actors.shutdown();
        synchronized (this) {
            terminateIfDone();
        }
    }

    @Override
    public List<TaskFuture<?>> shutdownNow() {
        stopping = true;
        List<TaskFuture<?>> neverStarted = new ArrayList<>();
        for (Runnable r : threads.shutdownNow()) {
            Job job = (Job) r;
            if (job.future.cancel(false)) {
                neverStarted.add(job.future);
            }
            job.release(); // it will never run
        }
        running.forEach(job -> job.future.cancel(true));
        neverStarted.addAll(actors.shutdownNow());
        synchronized (this) {
            terminateIfDone();
        }
        return neverStarted;
    }

    @Override
    public boolean isShutdown() {
        return threads.isShutdown();
    }

    @Override
    public synchronized boolean isTerminated() {
        return threads.isShutdown() && outstanding == 0 && actors.isTerminated();
    }

    /**
     * Waits until the pool is shut down and every call has ended or been let go: a call that timed
     * out or was cancelled while it ignores its interrupt does not hold this up.
     */
    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!actors.awaitTermination(deadline)) { // they end on threads of their own, unlocked
            return false;
        }
        synchronized (this) {
            while (!isTerminated()) {
                long nanos = deadline - System.nanoTime();
                if (nanos <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, nanos);
            }
            return true;
        }
    }

    /** A call ended or was let go; guarded by {@code this}. */
    private void released() {
        outstanding--;
        terminateIfDone();
    }

    /** Guarded by {@code this}. */
    private void terminateIfDone() {
        if (isTerminated()) {
            timer.shutdownNow();
            notifyAll();
        }
    }

    /** Adds a thread while a runaway call holds one, or takes it away when the call ends. */
    private synchronized void resize(int delta) {
        int size = threads.getCorePoolSize() + delta;
        if (delta > 0) {
            threads.setMaximumPoolSize(size);
            threads.setCorePoolSize(size);
        } else {
            threads.setCorePoolSize(size);
            threads.setMaximumPoolSize(size);
        }
    }

    /** One call, run on a pool thread. */
    private final class Job implements Runnable {
        final TaskMethod method;
        final Object target;
        final Object[] args;

        /** The call as encoded when it was made, when values are copied; else null. */
        final byte[] copy;

        final TaskFuture<Object> future;

        /** Whether it runs on {@code target} itself even when values are copied: an actor's. */
        final boolean liveTarget;

        /** Whether it no longer counts toward termination. */
        private final AtomicBoolean released = new AtomicBoolean();

        /** The thread running it, while it runs; guarded by {@code this}. */
        private Thread runner;

        Job(TaskMethod method, Object target, Object[] args, byte[] copy, boolean liveTarget) {
            this.method = method;
            this.target = target;
            this.args = args;
            this.copy = copy;
            this.liveTarget = liveTarget;
            this.future =
                    CallFutures.create(
                            (f, wasRunning, interrupt) -> {
                                if (wasRunning && interrupt) {
                                    interruptRunner();
                                    letGo();
                                }
                            });
        }

        @Override
        public void run() {
            if (!future.markRunning()) {
                release();
                return;
            }
            synchronized (this) {
                runner = Thread.currentThread();
            }
            running.add(this);
            long start = System.nanoTime();
            long timeoutMillis =
                    method.timeoutMillis() > 0 ? method.timeoutMillis() : defaultTimeout.toMillis();
            var timeout =
                    timeoutMillis <= 0
                            ? null
                            : timer.schedule(
                                    () -> timedOut(start, timeoutMillis),
                                    timeoutMillis,
                                    TimeUnit.MILLISECONDS);
            try {
                future.complete(
                        copy != null
                                ? ValueCopies.invoke(method, copy, liveTarget ? target : null)
                                : method.invoker().invoke(method.index(), target, args));
            } catch (Throwable t) {
                if (stopping) {
                    future.cancel(false); // most likely the interrupt of shutdownNow
                } else {
                    future.fail(t);
                }
            } finally {
                if (timeout != null) {
                    timeout.cancel(false);
                }
                running.remove(this);
                synchronized (this) {
                    runner = null;
                }
                Thread.interrupted(); // an interrupt meant for this call must not reach the next
                // one
                if (!release()) {
                    resize(-1); // it was let go: its extra thread goes
                }
            }
        }

        /**
         * Fails the call with where its thread was, interrupts the thread, and lets the call go.
         */
        private void timedOut(long start, long timeoutMillis) {
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            String where = "on thread " + runnerName() + ", which was interrupted";
            if (future.fail(
                    Failures.timeout(
                            method,
                            Duration.ofMillis(timeoutMillis),
                            elapsed,
                            where,
                            runnerStack()))) {
                interruptRunner();
                letGo();
            }
        }

        private synchronized StackTraceElement[] runnerStack() {
            return runner != null ? runner.getStackTrace() : new StackTraceElement[0];
        }

        /**
         * The call failed while running and may run on: it stops counting, and gets a stand-in
         * thread.
         */
        private void letGo() {
            if (release()) {
                resize(+1);
            }
        }

        /** Stops counting toward termination; false if it already had. */
        boolean release() {
            if (!released.compareAndSet(false, true)) {
                return false;
            }
            synchronized (ThreadPool.this) {
                released();
            }
            return true;
        }

        private synchronized String runnerName() {
            return runner != null ? runner.getName() : "(none: the call had ended)";
        }

        private synchronized void interruptRunner() {
            if (runner != null) {
                runner.interrupt();
            }
        }
    }

    /** Settings of a {@link ThreadPool}. */
    public static final class Builder {
        private int threads = Runtime.getRuntime().availableProcessors();
        private String namePrefix = "paralleltask-";
        private Duration defaultTimeout = Duration.ZERO;
        private boolean copyValues;

        private Builder() {}

        /** How many threads run calls; default: the number of available processors. */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Thread names start with this prefix; default {@code paralleltask-}. */
        public Builder namePrefix(String namePrefix) {
            this.namePrefix = Objects.requireNonNull(namePrefix, "namePrefix");
            return this;
        }

        /** The timeout of calls whose method sets none; default {@link Duration#ZERO}, none. */
        public Builder defaultTimeout(Duration defaultTimeout) {
            Objects.requireNonNull(defaultTimeout, "defaultTimeout");
            if (defaultTimeout.isNegative()) {
                throw new IllegalArgumentException(
                        "defaultTimeout must not be negative, was " + defaultTimeout);
            }
            this.defaultTimeout = defaultTimeout;
            return this;
        }

        /**
         * Whether calls get copies of their target and arguments, taken when the call is made, and
         * callers a copy of the result, all through the same codec as a {@link ProcessPool}, so the
         * same proxy gives the same answers on both (a task that changes its target or arguments
         * changes the copies only); for debugging what a process pool would do. Default false:
         * values are passed by reference, and nothing is serialized.
         */
        public Builder copyValues(boolean copyValues) {
            this.copyValues = copyValues;
            return this;
        }

        public ThreadPool build() {
            return new ThreadPool(this);
        }
    }
}
