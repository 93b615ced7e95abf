package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.pool.Pool;
import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link TaskExecutor} that runs each call in one of a fixed number of child JVMs.
 *
 * <ul>
 *   <li>Each worker runs one call at a time; a few more are sent ahead so it never waits between
 *       short calls, and a worker with nothing to do takes back calls waiting at a busy one.
 *       Arguments are encoded on the caller's thread, so a call sees them as they were when it was
 *       made.
 *   <li>A worker that dies (exits, is killed, crashes, runs out of memory) fails only the call it
 *       was running, with {@link WorkerCrashedException}, or runs it again on another worker when
 *       the method allows {@code retries}; it is replaced and the queue goes on.
 *   <li>A call that runs past its timeout, or is cancelled with {@code cancel(true)}, is stopped by
 *       killing its worker, which is then replaced.
 *   <li>Workers talk to the pool over a Unix-domain socket in a directory only this user can read,
 *       and prove themselves with a per-pool secret. Their stdout and stderr are copied to this
 *       JVM's, each line prefixed with the worker's name and pid.
 *   <li>A worker whose parent dies exits within a fraction of a second.
 * </ul>
 *
 * <pre>{@code
 * try (ProcessPool pool = ProcessPool.builder().workers(4).jvmOptions("-Xmx256m").build()) {
 *     PrimesTasks primes = new PrimesTasks(pool);
 *     TaskFuture<Long> f = primes.count(0, 10_000_000);
 *     long n = f.get();
 * }
 * }</pre>
 */
public final class ProcessPool implements TaskExecutor {
    /*
     * The public face of a pool; what it does is in dev.paralleltask.runtime.internal.pool, whose
     * Pool class says how a call flows through it.
     */
    private final Pool pool;

    /** The actors made here, which end with this pool. */
    private final ActorRegistry actors = new ActorRegistry();

    /** A pool's public face; also an actor's own pool, with its one JVM. */
    ProcessPool(Pool pool) {
        this.pool = pool;
    }

    /** What this pool is made of; for the SPI. */
    Pool pool() {
        return pool;
    }

    /** A builder with the defaults: one worker per available processor, no timeout. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public <T> TaskFuture<T> submit(TaskMethod method, Object target, Object[] args) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(args, "args");
        return pool.submit(method, target, args);
    }

    /**
     * An actor whose object lives in a JVM of its own, started as this pool starts its workers (the
     * same java, JVM options, classpath, output and class archive) but not counted among them, and
     * not running the pool's initializer: the initial state is the actor's. It is encoded here,
     * once; each restart starts from those bytes. Returns once the JVM holds the object.
     *
     * @throws TaskSerializationException if {@code initialState} cannot be sent
     * @throws WorkerStartException if the JVM cannot start or cannot rebuild the state
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    @Override
    public <C> Actor<C> actor(C initialState, ActorOptions options) {
        return startActor(initialState, null, options);
    }

    /**
     * {@code size} actors as {@link #actor(Object, ActorOptions)} makes them, each starting from an
     * object of {@code initialStates}, which is called here once per actor and once per restart.
     */
    @Override
    public <C> ActorPool<C> actorPool(int size, Supplier<C> initialStates, ActorOptions options) {
        Objects.requireNonNull(initialStates, "initialStates");
        return ActorGroup.start(
                size, () -> startActor(initialStates.get(), initialStates, options));
    }

    private <C> Actor<C> startActor(
            C initialState, Supplier<C> restartStates, ActorOptions options) {
        Objects.requireNonNull(options, "options");
        ActorRegistry.refuseIfShutDown(this);
        return actors.add(
                ProcessActor.start(
                        pool, actors.nextName(pool.name()), initialState, restartStates, options),
                this);
    }

    /** A live view of the workers: those starting, running, or retiring, oldest first. */
    public List<WorkerInfo> workers() {
        return pool.workers();
    }

    /**
     * Counts of calls and workers now: queued, running, completed, failed, cancelled, workers
     * started and crashed, and each worker's state and calls in flight. One lock, held briefly. A
     * call is counted just after its future is settled, so a thread that its future woke may look a
     * moment before the count moves.
     */
    public PoolStats stats() {
        return pool.stats();
    }

    @Override
    public void shutdown() {
        pool.shutdown();
        actors.shutdown();
    }

    @Override
    public List<TaskFuture<?>> shutdownNow() {
        List<TaskFuture<?>> neverStarted = new ArrayList<>(pool.shutdownNow());
        neverStarted.addAll(actors.shutdownNow());
        return neverStarted;
    }

    @Override
    public boolean isShutdown() {
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return pool.isTerminated() && actors.isTerminated();
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        return pool.awaitTermination(timeout) && actors.awaitTermination(deadline);
    }

    @Override
    public String toString() {
        return pool.toString();
    }

    /**
     * Settings of a {@link ProcessPool}. Every setting has a default; {@link #build()} starts the
     * workers and returns once all of them are ready.
     */
    public static final class Builder {
        /** More threads than this in one worker want a thread pool inside the task instead. */
        private static final int MAX_THREADS_PER_WORKER = 1024;

        private int workers = Runtime.getRuntime().availableProcessors();

        /** -1 for as many as workers. */
        private int minWorkers = -1;

        private int spareWorkers;
        private int threadsPerWorker = 1;
        private Duration keepAlive = Duration.ofSeconds(60);
        private List<String> jvmOptions = List.of();
        private int maxTasksPerWorker;
        private String namePrefix;
        private Duration defaultTimeout = Duration.ZERO;
        private Duration startTimeout = Duration.ofSeconds(60);
        private String classpath;
        private Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        private boolean classDataSharing = true;
        private AnswerAdmission admission = new AnswerAdmission(List.of());
        private WorkerOutput output = WorkerOutput.console();
        private Function<TaskExecutor, TaskFuture<?>> initializer;
        private PoolListener listener;
        private long maxWorkerMemory;

        private Builder() {}

        /** How many worker JVMs to run; default: the number of available processors. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be >= 1, was " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * Runs on every new worker, replacements and spares included, before it takes any other
         * call: {@code init} gets an executor whose calls run on that worker only, and returns the
         * future to wait for, as Python's {@code initializer}: {@code initializer(w -> new
         * SetupTasks(w).load("model.bin"))}. If the future fails, the worker is killed and counts
         * as one that could not start: {@link #build()} throws {@link WorkerStartException} with
         * the initializer's exception in its cause chain; for a replacement, the pool backs off
         * and, after 3 in a row, fails the queued calls. Default none.
         */
        public Builder initializer(Function<TaskExecutor, TaskFuture<?>> init) {
            this.initializer = Objects.requireNonNull(init, "init");
            return this;
        }

        /**
         * An elastic pool: start this many workers, grow to {@link #workers(int)} while calls wait,
         * and retire workers beyond this many once they have been idle for {@link
         * #keepAlive(Duration)}; 0 starts none until the first call. Default: as many as {@code
         * workers}, a pool of fixed size.
         */
        public Builder minWorkers(int minWorkers) {
            if (minWorkers < 0) {
                throw new IllegalArgumentException("minWorkers must be >= 0, was " + minWorkers);
            }
            this.minWorkers = minWorkers;
            return this;
        }

        /** How long a worker beyond {@link #minWorkers(int)} may stay idle; default 60 s. */
        public Builder keepAlive(Duration keepAlive) {
            Objects.requireNonNull(keepAlive, "keepAlive");
            if (keepAlive.isNegative() || keepAlive.isZero()) {
                throw new IllegalArgumentException("keepAlive must be positive, was " + keepAlive);
            }
            this.keepAlive = keepAlive;
            return this;
        }

        /**
         * Workers started, connected and kept idle beyond {@code workers}, that take the place of a
         * worker that dies or retires at once, so the next call does not wait for a JVM to start;
         * the spare is replaced in the background. Default 0: a spare is a JVM's memory kept for
         * nothing until something crashes, which on most pools is rare.
         */
        public Builder spareWorkers(int spareWorkers) {
            if (spareWorkers < 0) {
                throw new IllegalArgumentException(
                        "spareWorkers must be >= 0, was " + spareWorkers);
            }
            this.spareWorkers = spareWorkers;
            return this;
        }

        /**
         * How many calls each worker runs at once, on threads of its own; default 1. More than one
         * suits tasks that mostly wait (I/O, remote services) and share what a worker loaded once:
         * the calls sent to a worker start in the order sent, up to this many at a time.
         *
         * <p>The calls running in one worker share its fate. When one of them costs the worker its
         * life (its timeout, {@code cancel(true)}, a JVM error such as {@code OutOfMemoryError}),
         * the worker is killed, and each other call running there is run again if its method's
         * {@code retries} allows, else fails with a {@link WorkerCrashedException} that names the
         * call that cost the worker. A worker that exits or crashes on its own fails (or retries)
         * every call it was running: which one caused it cannot be known. {@link
         * #maxTasksPerWorker} counts calls, not threads.
         *
         * @throws IllegalArgumentException if not between 1 and {@value #MAX_THREADS_PER_WORKER}
         */
        public Builder threadsPerWorker(int threadsPerWorker) {
            if (threadsPerWorker < 1 || threadsPerWorker > MAX_THREADS_PER_WORKER) {
                throw new IllegalArgumentException(
                        "threadsPerWorker must be between 1 and "
                                + MAX_THREADS_PER_WORKER
                                + ", was "
                                + threadsPerWorker);
            }
            this.threadsPerWorker = threadsPerWorker;
            return this;
        }

        /** Options for each worker JVM, such as {@code -Xmx256m}; default none. */
        public Builder jvmOptions(String... options) {
            for (String option : options) {
                Objects.requireNonNull(option, "jvmOptions element");
                if (option.isBlank()) {
                    throw new IllegalArgumentException(
                            "jvmOptions must not hold a blank option: " + Arrays.toString(options));
                }
            }
            this.jvmOptions = List.of(options);
            return this;
        }

        /**
         * Replace a worker after it ran this many calls, so leaks die with it; 0 (default) for
         * never.
         */
        public Builder maxTasksPerWorker(int maxTasksPerWorker) {
            if (maxTasksPerWorker < 0) {
                throw new IllegalArgumentException(
                        "maxTasksPerWorker must be >= 0, was " + maxTasksPerWorker);
            }
            this.maxTasksPerWorker = maxTasksPerWorker;
            return this;
        }

        /** Worker names are this prefix and a number; default {@code pool-N-worker-}. */
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

        /** How long a worker may take to start and connect before it is killed; default 60 s. */
        public Builder startTimeout(Duration startTimeout) {
            Objects.requireNonNull(startTimeout, "startTimeout");
            if (startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException(
                        "startTimeout must be positive, was " + startTimeout);
            }
            this.startTimeout = startTimeout;
            return this;
        }

        /**
         * The workers' classpath, which must hold this runtime and the classes of the tasks.
         * Default: where this JVM found them, which is {@code java.class.path} for a plain
         * classpath, an IDE, Surefire or a shaded jar; plus the URLs of the context class loader
         * and the runtime's own jar under {@code mvn exec:java} and other launchers with a class
         * loader of their own; and Spring Boot's own launcher, from the same jar, for a Spring Boot
         * executable jar. Set it when none of these is right.
         */
        public Builder classpath(String classpath) {
            Objects.requireNonNull(classpath, "classpath");
            if (classpath.isBlank()) {
                throw new IllegalArgumentException("classpath must not be blank");
            }
            this.classpath = classpath;
            return this;
        }

        /** The {@code java} executable the workers run on; default this JVM's. */
        public Builder java(Path executable) {
            this.java = Objects.requireNonNull(executable, "executable");
            return this;
        }

        /**
         * Whether workers start from a class data sharing archive of the classes they load at
         * start, made once per {@code java} and runtime jar in the background and kept in the
         * user's cache directory ({@code ~/.cache/paralleltask}, or the {@code
         * paralleltask.cache.dir} system property); default true. It takes about a fifth off a
         * worker's start. Without it, nothing is written outside the pool's own directory.
         */
        public Builder classDataSharing(boolean enabled) {
            this.classDataSharing = enabled;
            return this;
        }

        /**
         * Where the lines workers print go; default {@link WorkerOutput#console()}, this JVM's
         * stdout and stderr with each line prefixed by the worker's name and pid.
         */
        public Builder output(WorkerOutput output) {
            this.output = Objects.requireNonNull(output, "output");
            return this;
        }

        /**
         * Classes a worker's answers may instantiate here beyond those the task methods' signatures
         * name (and the classes their fields hold) and the runtime's own values: class names or
         * {@link java.io.ObjectInputFilter} patterns, {@code com.acme.Model}, {@code com.acme.*} (a
         * package), {@code com.acme.**} (and its subpackages). Anything else a worker sends is
         * refused before any of its code runs, and the call fails with {@link
         * TaskSerializationException} naming the class: a worker compromised by what its task
         * parsed cannot make this JVM build objects of its choosing. Default none.
         *
         * @throws IllegalArgumentException naming a pattern that is not a class name or pattern
         */
        public Builder allowClasses(String... patterns) {
            this.admission = new AnswerAdmission(List.of(patterns));
            return this;
        }

        /**
         * Replaces a worker whose resident memory (its whole JVM's: heap, metaspace, threads,
         * native allocations) is above {@code bytes} after a call: it takes no more calls, those
         * sent ahead to it go to other workers, and once its running calls are done it retires and
         * a new worker takes its place. It is recycled, not crashed: {@link PoolStats#recycled()}
         * counts it, and no call fails. The pool looks at a worker's memory after it answers, at
         * most every 50 ms, from {@code /proc} (Linux). Default 0, none.
         *
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public Builder maxWorkerMemory(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxWorkerMemory must be >= 0, was " + bytes);
            }
            this.maxWorkerMemory = bytes;
            return this;
        }

        /**
         * Hears what the pool does: calls queued, started and completed, workers started, recycled
         * and exited; on a thread of its own, so a slow or failing listener cannot hold up or break
         * the pool (see {@link PoolListener}). Default none.
         */
        public Builder listener(PoolListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Starts the workers and waits until each has connected.
         *
         * @throws WorkerStartException if a worker cannot start (bad JVM options, a classpath
         *     without this runtime, a java that does not run), with the worker's own words; nothing
         *     is left running
         */
        public ProcessPool build() {
            int min = minWorkers < 0 ? workers : minWorkers;
            if (min > workers) {
                throw new IllegalArgumentException(
                        "minWorkers must be <= workers, was " + min + " > " + workers);
            }
            return new ProcessPool(
                    Pool.start(
                            new Pool.Settings(
                                    workers,
                                    min,
                                    spareWorkers,
                                    keepAlive,
                                    threadsPerWorker,
                                    jvmOptions,
                                    maxTasksPerWorker,
                                    namePrefix,
                                    defaultTimeout,
                                    startTimeout,
                                    classpath,
                                    java,
                                    classDataSharing,
                                    admission,
                                    output,
                                    initializer,
                                    listener,
                                    maxWorkerMemory)));
        }
    }
}
