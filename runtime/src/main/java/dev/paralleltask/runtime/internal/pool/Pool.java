package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.PoolListener;
import dev.paralleltask.runtime.PoolStats;
import dev.paralleltask.runtime.TaskExecutor;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.WorkerInfo;
import dev.paralleltask.runtime.WorkerOutput;
import dev.paralleltask.runtime.WorkerStartException;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.shared.SharedDirectory;
import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import dev.paralleltask.runtime.internal.spi.CallCoding;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.spi.RuntimeAccess;
import dev.paralleltask.runtime.internal.wire.CallCodec;
import dev.paralleltask.runtime.internal.wire.Frame;
import dev.paralleltask.runtime.internal.wire.ValueCodingException;
import dev.paralleltask.runtime.internal.worker.WarmUp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The parent side of a {@link dev.paralleltask.runtime.ProcessPool}, which is its public face:
 * wires the {@link Dispatcher} (which call goes where), the {@link WorkerSupervisor} (worker
 * processes), the workers' {@link AnswerReader}s and the listener, and carries out what the
 * dispatcher decides.
 */
public final class Pool {
    /*
     * How a call flows: submit encodes it on the caller's thread (CallCoding) -> Dispatcher.submit
     * queues it and, under its lock, posts it to the worker with the fewest calls in flight ->
     * carryOut writes the posted frames after the lock is released (Worker.send) -> the worker's
     * WorkerLoop runs it through the generated invoker and answers through its ring -> the
     * worker's AnswerReader takes the answer, Dispatcher.answered moves the call out of flight and
     * refills the worker -> CallCoding.decode -> the future completes.
     *
     * Threads: a listener thread accepts connections and a short-lived thread shakes hands with
     * each; one reader and one writer thread per worker; `housekeeping` reaps dead workers and
     * starts new ones; `scheduler` fires timeouts and back-offs. All are daemons: an abandoned pool
     * does not keep the JVM alive, and its workers exit with it. What each may wait for is in
     * runtime/CONCURRENCY.md.
     */

    /** Settings, as the public builder checked them. */
    public record Settings(
            int workers,
            int minWorkers,
            int spareWorkers,
            Duration keepAlive,
            int threadsPerWorker,
            List<String> jvmOptions,
            int maxTasksPerWorker,
            String namePrefix,
            Duration defaultTimeout,
            Duration startTimeout,
            /** Null to derive it from where this JVM found the runtime and the tasks. */
            String classpath,
            Path java,
            boolean classDataSharing,
            AnswerAdmission admission,
            WorkerOutput output,
            /** Runs on every new worker before it takes calls; null for none. */
            Function<TaskExecutor, TaskFuture<?>> initializer,
            /** Hears the pool's events; null for none. */
            PoolListener listener,
            /** A worker whose resident memory passes this after a call is recycled; 0 for none. */
            long maxWorkerMemory) {}

    private static final AtomicInteger POOL_NUMBERS = new AtomicInteger();

    private final String name;
    private final Settings settings;

    /** Where the workers find the runtime and the tasks, as the pool was given or found it. */
    private final WorkerClasspath where;

    private final ScheduledThreadPoolExecutor scheduler;
    private final ExecutorService housekeeping;

    /** The large arrays' files of the calls not yet done. */
    private final CallFiles files = new CallFiles();

    /** Where a {@link CallBatch} open on a caller's thread sends this pool's calls. */
    private final CallBatch.Sink<PoolCall> batches = this::submitAll;

    /** Completes once the pool has terminated and removed what it made. */
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    /** Runs the dependent stages of the pool's futures: see {@link StageExecutor}. */
    private final StageExecutor stages;

    private final AtomicLong callIds = new AtomicLong();
    private final PoolMonitor monitor;
    private final Dispatcher dispatcher;
    private final WorkerSupervisor supervisor;
    private final WorkerListener listener;
    private final WorkerLauncher launcher;
    private final ClassLoader loader;
    private final AnswerAdmission admission;

    /** The class data archive to make once the first workers are up, or null. */
    private final ClassArchive archiveToMake;

    private Pool(String name, Settings s, ClassLoader loader, WorkerClasspath where)
            throws IOException {
        this.name = name;
        this.settings = s;
        this.where = where;
        this.loader = loader;
        this.monitor = new PoolMonitor(name, s.listener());
        this.admission = s.admission();
        this.scheduler = new ScheduledThreadPoolExecutor(1, daemonThreads(name + "-timer"));
        scheduler.setRemoveOnCancelPolicy(true);
        this.housekeeping = Executors.newCachedThreadPool(daemonThreads(name + "-housekeeping"));
        this.stages = new StageExecutor(name, Math.max(2, s.workers()));
        String namePrefix = s.namePrefix() != null ? s.namePrefix() : name + "-worker-";
        this.dispatcher =
                new Dispatcher(
                        name,
                        namePrefix,
                        new Dispatcher.Sizing(
                                s.workers(),
                                s.minWorkers(),
                                s.spareWorkers(),
                                s.keepAlive(),
                                s.threadsPerWorker()),
                        s.maxTasksPerWorker(),
                        Placement.sendAhead(s.workers(), s.threadsPerWorker()),
                        s.defaultTimeout(),
                        scheduler,
                        this::carryOut,
                        monitor,
                        s.initializer() != null);
        this.listener = new WorkerListener(name, scheduler);
        // The launch's own options first, then the class archive's, then the user's, which win.
        List<String> jvmOptions = new ArrayList<>(where.jvmOptions());
        ClassArchive archive =
                s.classDataSharing() && !ClassArchive.chosenByUser(s.jvmOptions())
                        ? ClassArchive.forWorkers(s.java(), where.classpath())
                        : null;
        boolean archived = archive != null && archive.isReady();
        if (archived) {
            jvmOptions.addAll(archive.jvmOptions());
            where = new WorkerClasspath(archive.classpath(), where.jvmOptions(), where.mainClass());
        }
        jvmOptions.addAll(WorkerLauncher.heapLimit(s.workers(), s.jvmOptions()));
        jvmOptions.add(WorkerLauncher.NO_PERF_DATA); // the user's options come after, and win
        // Shared objects a worker makes go where the caller's are, and so outlive the worker.
        // Without such a directory the pool still runs: making a shared object says why it cannot.
        try {
            jvmOptions.add("-D" + SharedDirectory.PROPERTY + "=" + SharedDirectory.get());
        } catch (UncheckedIOException e) {
            PoolLog.pool.log(System.Logger.Level.WARNING, e.getMessage());
        }
        jvmOptions.addAll(s.jvmOptions());
        this.archiveToMake = archived ? null : archive;
        this.launcher =
                new WorkerLauncher(
                        s.java(), jvmOptions, where, listener.socket(), s.threadsPerWorker());
        this.supervisor =
                new WorkerSupervisor(
                        dispatcher,
                        launcher,
                        s.startTimeout(),
                        loader,
                        s.admission(),
                        s.output(),
                        scheduler,
                        housekeeping,
                        this::carryOut,
                        monitor,
                        s.initializer() == null
                                ? null
                                : w -> s.initializer().apply(new PinnedExecutor(this, w)),
                        s.maxWorkerMemory());
    }

    /**
     * Starts a pool and waits until each of its workers has connected.
     *
     * @throws WorkerStartException if a worker cannot start, with its own words; nothing is left
     *     running
     */
    public static Pool start(Settings settings) {
        if (settings.maxWorkerMemory() > 0 && !WorkerMemory.available()) {
            throw new IllegalStateException(
                    "maxWorkerMemory needs to read a process's resident memory from /proc, which"
                            + " this system does not have (Linux has it): leave it unset here");
        }
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        ClassLoader loader = context != null ? context : Pool.class.getClassLoader();
        WorkerClasspath where =
                settings.classpath() != null
                        ? WorkerClasspath.given(settings.classpath())
                        : WorkerClasspath.derive(loader);
        return start("pool-" + POOL_NUMBERS.incrementAndGet(), settings, loader, where, null, 0);
    }

    /**
     * Starts the pool of an actor of this pool: one worker, the actor's JVM, started as this pool
     * starts its workers (the same java, options, classpath, output and class archive), running
     * {@code concurrency} calls at once, never retired, restarted at most {@code restarts} times
     * after it dies; {@code install} puts the actor's object in each new JVM before it takes calls.
     *
     * @throws WorkerStartException if the actor's JVM cannot start, or {@code install} fails
     */
    public Pool startActor(
            String actor,
            int concurrency,
            int restarts,
            Function<TaskExecutor, TaskFuture<?>> install) {
        Settings s = settings;
        Settings mine =
                new Settings(
                        1,
                        1,
                        0,
                        s.keepAlive(),
                        concurrency,
                        s.jvmOptions(),
                        0,
                        actor + "-jvm-",
                        s.defaultTimeout(),
                        s.startTimeout(),
                        s.classpath(),
                        s.java(),
                        s.classDataSharing(),
                        s.admission(),
                        s.output(),
                        install,
                        s.listener(),
                        s.maxWorkerMemory());
        return start(actor, mine, loader, where, actor, restarts);
    }

    private static Pool start(
            String name,
            Settings settings,
            ClassLoader loader,
            WorkerClasspath where,
            String actor,
            int restarts) {
        Pool pool;
        try {
            pool = new Pool(name, settings, loader, where);
        } catch (IOException e) {
            throw Failures.startFailure("cannot make the pool's directory: " + e, List.of(), e);
        }
        if (actor != null) {
            pool.dispatcher.limitRestarts(actor, restarts);
        }
        List<Worker> first = new ArrayList<>();
        try {
            for (int i = 0; i < settings.minWorkers() + settings.spareWorkers(); i++) {
                first.add(pool.supervisor.launch());
            }
            pool.listen(); // while the workers' JVMs start
            warmUpCallPath(loader, settings.admission());
        } catch (RuntimeException | Error e) {
            pool.endAfterFailedStart(); // whatever failed, nothing it launched is left running
            throw e;
        }
        WorkerStartException failed = pool.supervisor.awaitConnected(first, pool.name);
        if (failed != null) {
            pool.endAfterFailedStart();
            throw failed;
        }
        if (pool.archiveToMake != null) {
            pool.archiveToMake.makeInBackground(); // now, so as not to slow this pool's start
        }
        return pool;
    }

    public <T> TaskFuture<T> submit(TaskMethod method, Object target, Object[] args) {
        if (dispatcher.isShutdown()) {
            throw Failures.rejected(method, name);
        }
        return submit(method, target, args, null);
    }

    /** The pool's call to a spare as it joins: see {@link WarmUp}. */
    private static final TaskMethod WARM_UP =
            new TaskMethod(
                    new WarmUp(), 0, "the warm-up of a spare worker", List.of("invokers"), 0, 0);

    /** The invoker classes of the calls submitted, for a spare to load as it warms up. */
    private final InvokerNames invokers = new InvokerNames();

    /** A call on any worker, or on {@code pinnedTo} only (an initializer's, a warm-up). */
    <T> TaskFuture<T> submit(TaskMethod method, Object target, Object[] args, Worker pinnedTo) {
        boolean counted = method != WARM_UP;
        if (counted) {
            invokers.note(method);
        }
        CallCodec.Encoded encoded;
        try {
            encoded = CallCoding.encode(method, target, args);
        } catch (RuntimeException e) {
            return CallFutures.failed(e);
        }
        CallBatch batch = pinnedTo == null && counted ? CallBatch.current() : null;
        PoolCall call = newCall(method, encoded, pinnedTo, counted, batch != null);
        if (batch != null) {
            batch.add(batches, call);
        } else if (pinnedTo != null) {
            carryOutInline(dispatcher.submitPinned(call));
        } else {
            try {
                carryOutInline(dispatcher.submit(call));
            } catch (RejectedExecutionException e) {
                CallFutures.fail(call.future, e); // which lets go of its files
                throw e;
            }
        }
        @SuppressWarnings("unchecked") // the proxy knows the method's result type
        TaskFuture<T> typed = (TaskFuture<T>) call.future;
        return typed;
    }

    /**
     * Submits the calls of a {@link CallBatch} with one decision of the dispatcher. If the pool was
     * shut down since they were made, each fails with the rejection: their futures are the caller's
     * already.
     */
    void submitAll(List<PoolCall> calls) {
        monitor.queuedAll(calls);
        carryOutInline(dispatcher.submitAll(calls));
    }

    /**
     * A new call; its large arrays' files are kept for a retry until it is done. One {@code
     * batched} is announced to the listener with its batch ({@link #submitAll}).
     */
    private PoolCall newCall(
            TaskMethod method,
            CallCodec.Encoded encoded,
            Worker pinnedTo,
            boolean counted,
            boolean batched) {
        PoolCall call = newCall(method, encoded.body(), pinnedTo, counted, false, batched);
        if (!encoded.files().isEmpty()) {
            files.keep(encoded.files(), call.future);
        }
        return call;
    }

    /**
     * A call that another JVM encoded (a cluster client): it runs as any other, and its future
     * completes with the worker's answer as it came, for that JVM to decode; failures of the pool's
     * own (a timeout, a crash) fail it as they fail any call.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    public TaskFuture<Frame.Answer> submitEncoded(TaskMethod method, byte[] body) {
        if (dispatcher.isShutdown()) {
            throw Failures.rejected(method, name);
        }
        invokers.note(method);
        @SuppressWarnings("unchecked") // a relayed call completes with the answer itself
        PoolCall call = newCall(method, body, null, true, true, false);
        carryOutInline(dispatcher.submit(call));
        TaskFuture<Frame.Answer> future = (TaskFuture<Frame.Answer>) (TaskFuture<?>) call.future;
        return future;
    }

    /**
     * Calls that another JVM encoded, submitted with one decision of the dispatcher: as {@link
     * #submitEncoded} each, in order.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    public List<TaskFuture<Frame.Answer>> submitEncodedAll(
            List<TaskMethod> methods, List<byte[]> bodies) {
        if (dispatcher.isShutdown()) {
            throw Failures.rejected(methods.get(0), name);
        }
        List<PoolCall> calls = new ArrayList<>(methods.size());
        List<TaskFuture<Frame.Answer>> futures = new ArrayList<>(methods.size());
        for (int i = 0; i < methods.size(); i++) {
            invokers.note(methods.get(i));
            PoolCall call = newCall(methods.get(i), bodies.get(i), null, true, true, true);
            calls.add(call);
            @SuppressWarnings("unchecked") // a relayed call completes with the answer itself
            TaskFuture<Frame.Answer> future =
                    (TaskFuture<Frame.Answer>) (TaskFuture<?>) call.future;
            futures.add(future);
        }
        submitAll(calls);
        return futures;
    }

    private PoolCall newCall(
            TaskMethod method,
            byte[] body,
            Worker pinnedTo,
            boolean counted,
            boolean relayed,
            boolean batched) {
        PoolCall call =
                new PoolCall(
                        callIds.incrementAndGet(),
                        method,
                        body,
                        this::cancelled,
                        pinnedTo,
                        counted,
                        relayed,
                        stages);
        monitor.queued(call, batched);
        return call;
    }

    private void cancelled(PoolCall call, boolean interrupt) {
        carryOutInline(dispatcher.cancelled(call, interrupt));
    }

    /** The workers starting, running or retiring, oldest first, as live views. */
    public List<WorkerInfo> workers() {
        RuntimeAccess access = RuntimeAccess.get();
        return dispatcher.workers().stream().map(access::workerInfo).toList();
    }

    public PoolStats stats() {
        Dispatcher.Snapshot now = dispatcher.snapshot();
        return new PoolStats(
                now.queued(),
                now.running(),
                monitor.completed.sum(),
                monitor.failed.sum(),
                monitor.cancelled.sum(),
                monitor.workersStarted.sum(),
                monitor.crashes.sum(),
                monitor.recycled.sum(),
                now.workers());
    }

    public void shutdown() {
        carryOutInline(dispatcher.shutdown());
    }

    public List<TaskFuture<?>> shutdownNow() {
        Dispatcher.Stopped stopped = dispatcher.shutdownNow();
        carryOutInline(stopped.actions());
        stopped.neverStarted().forEach(f -> f.cancel(false));
        stopped.running().forEach(f -> f.cancel(true));
        return stopped.neverStarted();
    }

    public boolean isShutdown() {
        return dispatcher.isShutdown();
    }

    /** Terminated: no call left, every worker gone, and the pool's directory and files removed. */
    public boolean isTerminated() {
        return ended.isDone();
    }

    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!dispatcher.awaitTermination(timeout)) {
            return false;
        }
        try { // the thread that saw the last worker go is removing the pool's directory
            ended.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new AssertionError("the pool's end never fails", e);
        }
    }

    /** For an actor's pool: how often its JVM restarted. */
    public int restarts() {
        return dispatcher.restarts();
    }

    /** For an actor's pool: why it gave up on its JVM ({@code ActorDiedException}), or null. */
    public Throwable gaveUp() {
        return dispatcher.gaveUp();
    }

    /**
     * For an actor's pool: the call {@code submit} makes, or, once the pool gave up on the actor's
     * JVM, a call failed with why ({@code ActorDiedException}), also when it gave up while the call
     * was being refused.
     *
     * @throws RejectedExecutionException if the pool was shut down, not given up
     */
    public <T> TaskFuture<T> unlessGaveUp(Supplier<TaskFuture<T>> submit) {
        Throwable died = gaveUp();
        if (died == null) {
            try {
                return submit.get();
            } catch (RejectedExecutionException e) {
                died = gaveUp(); // it gave up since
                if (died == null) {
                    throw e;
                }
            }
        }
        return CallFutures.failed(died);
    }

    /** Runs {@code action} once the pool has terminated and removed what it made. */
    public void whenTerminated(Runnable action) {
        ended.thenRun(action);
    }

    @Override
    public String toString() {
        return "ProcessPool[" + dispatcher + "]";
    }

    /** "pool-1". */
    public String name() {
        return name;
    }

    /**
     * Carries out what the dispatcher decided, on a thread of the caller's (submit, cancel,
     * shutdown): it writes the frames to the workers itself. Never under the dispatcher's lock.
     */
    private void carryOutInline(Actions actions) {
        carryOut(actions, true);
    }

    /**
     * Carries out what the dispatcher decided, on a thread of the pool's (a reader, the timer,
     * housekeeping): the workers' writers write the frames, so that this thread never waits on a
     * worker's socket. Never under the dispatcher's lock.
     */
    private void carryOut(Actions actions) {
        carryOut(actions, false);
    }

    private void carryOut(Actions actions, boolean inline) {
        assert !dispatcher.isLockedByCurrentThread() : "carried out under the dispatcher's lock";
        actions.kills.forEach(Worker::destroy);
        actions.sends.forEach(inline ? Worker::send : Worker::sendSoon);
        for (Worker spare : actions.warmUps) {
            submit(WARM_UP, null, new Object[] {invokers.all()}, spare);
        }
        for (Actions.Settlement s : actions.settlements) {
            try {
                if (CallFutures.fail(s.call().future, s.failure())) {
                    monitor.finished(s.call(), s.worker(), s.failure());
                }
            } catch (RuntimeException | Error e) { // the other calls are settled all the same
                PoolLog.pool.log(System.Logger.Level.WARNING, "settling a call failed", e);
            }
        }
        for (int i = 0; i < actions.launches; i++) {
            if (actions.launchDelayMillis == 0) {
                launch();
            } else {
                try {
                    scheduler.schedule(
                            this::launch, actions.launchDelayMillis, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    // terminated meanwhile: see launch()
                }
            }
        }
        if (actions.terminated) {
            try {
                listener.close();
            } catch (IOException e) {
                PoolLog.pool.log(
                        System.Logger.Level.WARNING, "cannot remove the pool's directory", e);
            }
            files.discardAll();
            scheduler.shutdownNow();
            housekeeping.shutdown();
            stages.shutdown();
            monitor.end();
            ended.complete(null);
        }
    }

    /**
     * Launches a worker the dispatcher asked for. Decisions are carried out after the dispatcher's
     * lock is let go, so a launch decided just before the pool terminated may come after the
     * termination's carrying out has shut housekeeping down: then there is nothing to launch for.
     */
    private void launch() {
        try {
            housekeeping.execute(supervisor::launch);
        } catch (RejectedExecutionException e) {
            // terminated meanwhile
        }
    }

    /**
     * Opens the socket with a new secret and gives the secret to the workers, which then connect.
     */
    private void listen() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        try {
            listener.open(secret, supervisor::hello);
        } catch (IOException e) { // start ends the pool
            throw Failures.startFailure("cannot open the pool's socket: " + e, List.of(), e);
        }
        launcher.secret(secret);
    }

    /**
     * While the workers start: encodes a call and decodes its answer once, as the program's first
     * call will, so that it finds this JVM's codec loaded (12-16 ms of a fresh program).
     */
    private static void warmUpCallPath(ClassLoader loader, AnswerAdmission admission) {
        CallCoding.encode(WARM_UP, null, new Object[] {List.of("a")});
        try {
            CallCoding.decode(
                    WARM_UP, new Frame.Result(0, CallCodec.encodeResult(1)), loader, admission);
        } catch (ValueCodingException e) {
            throw new AssertionError("the warm-up call cannot be coded", e);
        }
    }

    private void endAfterFailedStart() {
        shutdownNow();
        try {
            awaitTermination(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Daemon threads named {@code prefix-1}, {@code prefix-2}, ... */
    public static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
