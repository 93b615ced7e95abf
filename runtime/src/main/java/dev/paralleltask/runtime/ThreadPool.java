package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.pool.Pool;
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

/**
 * A {@link TaskExecutor} that runs calls on threads of this JVM: the same proxies as a {@link
 * ProcessPool}, for debugging, for I/O-bound work, and as the in-process baseline.
 *
 * <ul>
 *   <li>Arguments and results are passed by reference, not copied; nothing is serialized.
 *   <li>A timeout or {@code cancel(true)} interrupts the thread; a task that ignores interrupts
 *       runs on (only a {@link ProcessPool} can really stop it). A timed-out call fails with {@link
 *       TaskTimeoutException} at once, whatever the task does.
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
    private final ThreadPoolExecutor threads;
    private final ScheduledThreadPoolExecutor timer;
    private final Duration defaultTimeout;
    private final String name;

    /** The calls running now. */
    private final Set<Job> running = ConcurrentHashMap.newKeySet();

    /** Set by shutdownNow: a call that fails from then on was stopped, and ends cancelled. */
    private volatile boolean stopping;

    private ThreadPool(Builder b) {
        this.name = b.namePrefix;
        this.defaultTimeout = b.defaultTimeout;
        this.timer = new ScheduledThreadPoolExecutor(1, Pool.daemonThreads(b.namePrefix + "timer"));
        timer.setRemoveOnCancelPolicy(true);
        this.threads =
                new ThreadPoolExecutor(
                        b.threads,
                        b.threads,
                        0,
                        TimeUnit.MILLISECONDS,
                        new LinkedBlockingQueue<>(),
                        Pool.daemonThreads(b.namePrefix + "thread")) {
                    @Override
                    protected void terminated() {
                        timer.shutdownNow();
                    }
                };
    }

    /** A builder with the defaults: one thread per available processor, no timeout. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public <T> TaskFuture<T> submit(TaskMethod method, Object target, Object[] args) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(args, "args");
        Job job = new Job(method, target, args);
        try {
            threads.execute(job);
        } catch (RejectedExecutionException e) {
            throw new RejectedExecutionException(
                    "cannot run "
                            + method.displayName()
                            + ": the thread pool "
                            + name
                            + " is shut down; make calls before shutdown() or close()",
                    e);
        }
        @SuppressWarnings("unchecked") // the proxy knows the method's result type
        TaskFuture<T> future = (TaskFuture<T>) job.future;
        return future;
    }

    @Override
    public void shutdown() {
        threads.shutdown();
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
        }
        running.forEach(job -> job.future.cancel(true));
        return neverStarted;
    }

    @Override
    public boolean isShutdown() {
        return threads.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return threads.isTerminated();
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return threads.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** One call, run on a pool thread. */
    private final class Job implements Runnable {
        final TaskMethod method;
        final Object target;
        final Object[] args;
        final TaskFuture<Object> future;

        /** The thread running it, while it runs; guarded by {@code this}. */
        private Thread runner;

        Job(TaskMethod method, Object target, Object[] args) {
            this.method = method;
            this.target = target;
            this.args = args;
            this.future =
                    new TaskFuture<>(
                            (f, wasRunning, interrupt) -> {
                                if (wasRunning && interrupt) {
                                    interruptRunner();
                                }
                            });
        }

        @Override
        public void run() {
            if (!future.markRunning()) {
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
                                    () -> {
                                        Duration elapsed =
                                                Duration.ofNanos(System.nanoTime() - start);
                                        if (future.fail(
                                                new TaskTimeoutException(
                                                        method.displayName(),
                                                        Duration.ofMillis(timeoutMillis),
                                                        elapsed,
                                                        "on thread "
                                                                + Thread.currentThread().getName()
                                                                + ", which was interrupted"))) {
                                            interruptRunner();
                                        }
                                    },
                                    timeoutMillis,
                                    TimeUnit.MILLISECONDS);
            try {
                future.complete(method.invoker().invoke(method.index(), target, args));
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
            }
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

        public ThreadPool build() {
            return new ThreadPool(this);
        }
    }
}
