package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.wire.CallCodec;
import dev.paralleltask.runtime.internal.wire.Frame;
import dev.paralleltask.runtime.internal.wire.FrameChannel;
import dev.paralleltask.runtime.internal.wire.ThrowableCodec;
import dev.paralleltask.runtime.internal.wire.ValueCodingException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
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
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * A {@link TaskExecutor} that runs each call in one of a fixed number of child JVMs.
 *
 * <ul>
 *   <li>Each worker runs one call at a time. Arguments are encoded on the caller's thread, so a
 *       call sees them as they were when it was made.
 *   <li>A worker that dies (exits, is killed, crashes, runs out of memory) fails only the call it
 *       was running, with {@link WorkerCrashedException}, or runs it again on another worker when
 *       the method allows {@code retries}; it is replaced and the queue goes on.
 *   <li>A call that runs past its timeout, or is cancelled with {@code cancel(true)}, is stopped
 *       by killing its worker, which is then replaced.
 *   <li>Workers talk to the pool over a Unix-domain socket in a directory only this user can
 *       read, and prove themselves with a per-pool secret. Their stdout and stderr are copied to
 *       this JVM's, each line prefixed with the worker's name and pid.
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
     * Overview for maintainers.
     *
     * One lock guards the pool's state, the queue, and every worker's state and current call.
     * Nothing slow happens under it: frames are written, futures completed, and processes started
     * after it is released. The decision what a worker does next is taken under the lock
     * (assignNext) and carried out outside it (carryOut).
     *
     * Threads: a listener thread accepts connections and a short-lived thread shakes hands with
     * each; one reader thread per worker reads its answers, completes calls and sends the worker
     * its next call; `housekeeping` handles dead workers and starts replacements; `scheduler` fires
     * timeouts. All are daemons: an abandoned pool does not keep the JVM alive, and its workers
     * exit with it.
     *
     * A worker's death has one path: its process's onExit, which waits for the reader to drain
     * what the worker sent before it died. A worker killed on purpose records why in killedFor,
     * so its call gets that reason (a timeout) rather than a crash.
     */
    enum State {
        RUNNING,
        SHUTDOWN,
        STOP,
        TERMINATED
    }

    private static final AtomicInteger POOL_NUMBERS = new AtomicInteger();
    /** Consecutive workers that died before their handshake, after which queued calls fail. */
    private static final int MAX_START_FAILURES = 3;
    private static final int MAX_ANSWER_BYTES = Integer.MAX_VALUE - 64;
    private static final long REAP_WAIT_MILLIS = 5_000;

    private final String name;
    private final int size;
    private final int maxTasksPerWorker;
    private final String namePrefix;
    private final Duration defaultTimeout;
    private final Duration startTimeout;
    private final ClassLoader loader;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ExecutorService housekeeping;
    private final WorkerListener listener;
    private final WorkerLauncher launcher;
    private final AtomicLong callIds = new AtomicLong();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition terminated = lock.newCondition();
    /** RUNNING -> SHUTDOWN -> TERMINATED, or -> STOP -> TERMINATED; guarded by lock. */
    private State state = State.RUNNING;
    /** Calls not yet started, oldest first; may hold cancelled ones, skipped when polled. Guarded by lock. */
    private final ArrayDeque<Call> queue = new ArrayDeque<>();
    /** Connected workers with nothing to do; non-empty only while the queue is empty. Guarded by lock. */
    private final ArrayDeque<WorkerHandle> idle = new ArrayDeque<>();
    /** Every worker whose process has not been reaped, by id. Guarded by lock. */
    private final Map<Integer, WorkerHandle> workers = new LinkedHashMap<>();
    /** Guarded by lock. */
    private int nextWorkerId = 1;
    /** Workers in a row that died before their handshake; guarded by lock. */
    private int startFailures;

    private ProcessPool(Builder b) throws IOException {
        this.name = "pool-" + POOL_NUMBERS.incrementAndGet();
        this.size = b.workers;
        this.maxTasksPerWorker = b.maxTasksPerWorker;
        this.namePrefix = b.namePrefix != null ? b.namePrefix : name + "-worker-";
        this.defaultTimeout = b.defaultTimeout;
        this.startTimeout = b.startTimeout;
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        this.loader = context != null ? context : ProcessPool.class.getClassLoader();
        this.scheduler = new ScheduledThreadPoolExecutor(1, daemonThreads(name + "-timer"));
        scheduler.setRemoveOnCancelPolicy(true);
        this.housekeeping = Executors.newCachedThreadPool(daemonThreads(name + "-housekeeping"));
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.listener = new WorkerListener(name, secret, this::onHello, scheduler);
        this.launcher = new WorkerLauncher(b.java, b.jvmOptions, Builder.absolute(b.classpath), listener.socket(), secret);
    }

    /** A builder with the defaults: one worker per available processor, no timeout. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public <T> TaskFuture<T> submit(TaskMethod method, Object target, Object[] args) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(args, "args");
        rejectIfShutdown(method);
        byte[] body;
        try {
            body = CallCodec.encode(method.invokerClassName(), method.index(), target, args);
        } catch (ValueCodingException e) {
            return TaskFuture.failed(new TaskSerializationException(
                    method.describeArgument(e.position()) + " could not be serialized: " + e.getMessage(), e.getCause()));
        }
        Call call = new Call(callIds.incrementAndGet(), method, body, this);
        Assignment start;
        boolean launch = false;
        lock.lock();
        try {
            rejectIfShutdown(method);
            WorkerHandle worker = idle.pollFirst();
            if (worker != null) {
                call.future.markRunning(); // a future nobody has seen yet cannot be cancelled
                start = begin(worker, call);
            } else {
                start = null;
                queue.addLast(call);
                // Every worker died at start and the pool gave up on them: try again for this call.
                launch = workers.isEmpty();
            }
        } finally {
            lock.unlock();
        }
        carryOut(start);
        if (launch) {
            housekeeping.execute(this::launchWorker);
        }
        @SuppressWarnings("unchecked") // the proxy knows the method's result type
        TaskFuture<T> future = (TaskFuture<T>) call.future;
        return future;
    }

    /** A live view of the workers: those starting, running, or retiring, oldest first. */
    public List<WorkerInfo> workers() {
        lock.lock();
        try {
            return workers.values().stream().map(WorkerInfo::new).collect(Collectors.toUnmodifiableList());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutdown() {
        List<Assignment> stops = new ArrayList<>();
        lock.lock();
        try {
            if (state == State.RUNNING) {
                state = State.SHUTDOWN;
                for (WorkerHandle w; (w = idle.pollFirst()) != null; ) {
                    stops.add(assignNext(w));
                }
                tryTerminate();
            }
        } finally {
            lock.unlock();
        }
        stops.forEach(this::carryOut);
    }

    @Override
    public List<TaskFuture<?>> shutdownNow() {
        List<TaskFuture<?>> neverStarted = new ArrayList<>();
        List<TaskFuture<?>> running = new ArrayList<>();
        lock.lock();
        try {
            if (state == State.RUNNING || state == State.SHUTDOWN) {
                state = State.STOP;
            }
            for (Call c; (c = queue.pollFirst()) != null; ) {
                if (!c.future.isDone()) {
                    neverStarted.add(c.future);
                }
            }
            idle.clear();
            for (WorkerHandle w : workers.values()) {
                if (w.current != null) {
                    running.add(w.current.future);
                }
                kill(w, new CancellationException("cancelled by shutdownNow() of " + name));
            }
            tryTerminate();
        } finally {
            lock.unlock();
        }
        neverStarted.forEach(f -> f.cancel(false));
        running.forEach(f -> f.cancel(true));
        return neverStarted;
    }

    @Override
    public boolean isShutdown() {
        lock.lock();
        try {
            return state != State.RUNNING;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isTerminated() {
        lock.lock();
        try {
            return state == State.TERMINATED;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (state != State.TERMINATED) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = terminated.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "ProcessPool[" + name + ", " + state + ", workers=" + workers.size() + ", queued=" + queue.size() + "]";
        } finally {
            lock.unlock();
        }
    }

    // ---- Dispatch ----

    /** What a worker is to do next, decided under the lock: run {@code call}, or stop if it is null. */
    private record Assignment(WorkerHandle worker, Call call) {}

    /**
     * Picks the worker's next call, or retires it, or parks it as idle (then returns null).
     * Guarded by lock.
     */
    private Assignment assignNext(WorkerHandle worker) {
        if (worker.state == WorkerHandle.State.RETIRING || worker.state == WorkerHandle.State.DEAD) {
            return null;
        }
        if (maxTasksPerWorker > 0 && worker.tasksCompleted >= maxTasksPerWorker) {
            worker.state = WorkerHandle.State.RETIRING;
            return new Assignment(worker, null);
        }
        for (Call c; (c = queue.pollFirst()) != null; ) {
            if (c.future.markRunning()) {
                return begin(worker, c);
            }
        }
        if (state != State.RUNNING) {
            worker.state = WorkerHandle.State.RETIRING;
            return new Assignment(worker, null);
        }
        worker.state = WorkerHandle.State.IDLE;
        idle.addLast(worker);
        return null;
    }

    /** Gives a call to a worker; guarded by lock. */
    private Assignment begin(WorkerHandle worker, Call call) {
        worker.state = WorkerHandle.State.BUSY;
        worker.current = call;
        call.worker = worker;
        call.attempts++;
        return new Assignment(worker, call);
    }

    /** Sends what {@link #assignNext} decided; never under the lock. */
    private void carryOut(Assignment a) {
        if (a == null) {
            return;
        }
        WorkerHandle worker = a.worker();
        Call call = a.call();
        try {
            if (call == null) {
                worker.channel.write(new Frame.Stop());
                return;
            }
            call.startNanos = System.nanoTime();
            long timeoutMillis = call.method.timeoutMillis() > 0 ? call.method.timeoutMillis() : defaultTimeout.toMillis();
            if (timeoutMillis > 0) {
                call.timeout = scheduler.schedule(() -> onTimeout(worker, call, timeoutMillis), timeoutMillis, TimeUnit.MILLISECONDS);
            }
            worker.channel.write(new Frame.Call(call.id, call.body));
        } catch (IOException e) {
            // The channel broke: the worker is dying or dead, and its exit settles the call.
            killQuietly(worker);
        }
    }

    // ---- Answers ----

    private void readAnswers(WorkerHandle worker) {
        try {
            while (true) {
                Frame frame = worker.channel.read(MAX_ANSWER_BYTES);
                if (frame instanceof Frame.Bye) {
                    worker.saidBye = true;
                } else if (!onAnswer(worker, frame)) {
                    break;
                }
            }
        } catch (IOException e) {
            // Closed or broken: the worker is gone or going.
        }
        if (!worker.saidBye) {
            killQuietly(worker); // a worker without a usable channel is of no use
        }
    }

    /** Settles the worker's current call with what it sent; false on a protocol violation. */
    private boolean onAnswer(WorkerHandle worker, Frame frame) {
        Call call;
        lock.lock();
        try {
            call = worker.current;
        } finally {
            lock.unlock();
        }
        long id =
                frame instanceof Frame.Result r ? r.id()
                        : frame instanceof Frame.Failure f ? f.id()
                        : frame instanceof Frame.Unsendable u ? u.id()
                        : -1;
        if (call == null || call.id != id) {
            System.err.println("[" + worker.describe() + "] sent " + frame + " out of turn; killing it");
            return false;
        }
        call.cancelTimeout();
        boolean fatal = frame instanceof Frame.Failure f && f.fatal();
        Throwable failure = null;
        Object value = null;
        if (frame instanceof Frame.Result r) {
            try {
                value = CallCodec.decodeResult(r.body(), loader);
            } catch (ValueCodingException e) {
                failure = new TaskSerializationException(
                        "the result of " + call.method.displayName() + " could not be rebuilt in the caller: " + e.getMessage(), e.getCause());
            }
        } else if (frame instanceof Frame.Failure f) {
            failure = decodeFailure(f);
        } else {
            Frame.Unsendable u = (Frame.Unsendable) frame;
            String what = u.position() == ValueCodingException.RESULT
                    ? "the result of " + call.method.displayName()
                    : call.method.describeArgument(u.position());
            failure = new TaskSerializationException(what + " " + u.message(), null);
        }
        if (fatal) {
            settleFatal(worker, call, failure);
            return true;
        }
        Assignment next;
        lock.lock();
        try {
            worker.current = null;
            worker.tasksCompleted++;
            next = assignNext(worker);
        } finally {
            lock.unlock();
        }
        carryOut(next);
        if (failure != null) {
            call.future.fail(failure);
        } else {
            call.future.complete(value);
        }
        return true;
    }

    /**
     * A task threw a JVM error (out of memory, stack overflow): the worker is not fit to go on,
     * so it is killed and replaced, and the call counts as one whose worker died under it: it is
     * retried if its method allows, else it fails with this crash.
     */
    private void settleFatal(WorkerHandle worker, Call call, Throwable error) {
        WorkerCrashedException crash = new WorkerCrashedException(
                "worker " + worker.describe() + " hit " + error + " while running " + call.method.displayName()
                        + "; the worker was replaced",
                worker.name, worker.pid(), -1, worker.stderrTail(), worker.stdoutTail(), error);
        lock.lock();
        try {
            worker.fatalError = crash;
            kill(worker, null);
        } finally {
            lock.unlock();
        }
    }

    private Throwable decodeFailure(Frame.Failure failure) {
        ThrowableCodec.Decoded decoded;
        try {
            decoded = ThrowableCodec.decode(failure.body(), loader);
        } catch (IOException e) {
            return new RemoteTaskException("(unreadable failure)", e.toString(), new StackTraceElement[0], null);
        }
        if (decoded.thrown() != null) {
            return decoded.thrown();
        }
        RemoteTaskException cause = null;
        List<ThrowableCodec.Level> chain = decoded.chain();
        for (int i = chain.size() - 1; i >= 0; i--) {
            ThrowableCodec.Level level = chain.get(i);
            cause = new RemoteTaskException(level.className(), level.message(), level.stackTrace(), cause);
        }
        return cause;
    }

    // ---- Timeouts and cancellation ----

    private void onTimeout(WorkerHandle worker, Call call, long timeoutMillis) {
        TaskTimeoutException timeout;
        lock.lock();
        try {
            if (worker.current != call || call.future.isDone()) {
                return;
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - call.startNanos);
            timeout = new TaskTimeoutException(call.method.displayName(), Duration.ofMillis(timeoutMillis), elapsed,
                    "on worker " + worker.describe() + ", which was killed and replaced");
            kill(worker, timeout);
        } finally {
            lock.unlock();
        }
        call.future.fail(timeout);
    }

    /** Called by a call's future after it was cancelled. */
    void onCancel(Call call, boolean wasRunning, boolean mayInterruptIfRunning) {
        if (!wasRunning || !mayInterruptIfRunning) {
            return; // a queued call is skipped when its turn comes; a running one may finish
        }
        lock.lock();
        try {
            WorkerHandle worker = call.worker;
            if (worker != null && worker.current == call) {
                kill(worker, null);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Kills a worker on purpose; its current call, if not settled by then, gets {@code reason}.
     * Guarded by lock, so no new call can be given to it after.
     */
    private void kill(WorkerHandle worker, Throwable reason) {
        if (worker.state == WorkerHandle.State.DEAD) {
            return;
        }
        idle.remove(worker);
        worker.state = WorkerHandle.State.RETIRING;
        if (worker.killedFor == null) {
            worker.killedFor = reason;
        }
        killQuietly(worker);
    }

    private static void killQuietly(WorkerHandle worker) {
        Process p = worker.process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    // ---- Worker life cycle ----

    /**
     * Starts one worker; it joins the pool when it shakes hands. Returns null if the pool is
     * stopping or already has its number of workers (a replacement and a submit may both ask).
     */
    private WorkerHandle launchWorker() {
        WorkerHandle worker;
        lock.lock();
        try {
            if (state == State.STOP || state == State.TERMINATED || workers.size() >= size) {
                return null;
            }
            int id = nextWorkerId++;
            worker = new WorkerHandle(id, namePrefix + id);
            workers.put(id, worker);
        } finally {
            lock.unlock();
        }
        Process process;
        try {
            process = launcher.launch(worker.id);
        } catch (IOException | RuntimeException e) {
            onStartFailure(worker, new WorkerStartException(
                    "cannot start worker " + worker.name + ": " + e.getMessage() + "; command: "
                            + String.join(" ", launcher.command(worker.id)), List.of(), e));
            return worker;
        }
        worker.process = process;
        String prefix = "[" + worker.name + " pid " + process.pid() + "] ";
        worker.stdout = OutputPump.start(process.getInputStream(), prefix, () -> System.out, worker.name + "-stdout");
        worker.stderr = OutputPump.start(process.getErrorStream(), prefix, () -> System.err, worker.name + "-stderr");
        process.onExit().thenRunAsync(() -> onExit(worker), housekeeping);
        scheduler.schedule(() -> {
            if (!worker.connected.isDone()) {
                System.err.println("[" + worker.describe() + "] did not connect within " + startTimeout.toMillis() + " ms; killing it");
                killQuietly(worker);
            }
        }, startTimeout.toMillis(), TimeUnit.MILLISECONDS);
        lock.lock();
        try {
            if (state == State.STOP || state == State.TERMINATED) {
                kill(worker, null);
            }
        } finally {
            lock.unlock();
        }
        return worker;
    }

    /** A worker's verified hello: it joins the pool. Runs on the listener's handshake thread. */
    private boolean onHello(Frame.Hello hello, FrameChannel channel) {
        WorkerHandle worker;
        Assignment first;
        lock.lock();
        try {
            worker = workers.get(hello.workerId());
            if (worker == null || worker.state != WorkerHandle.State.STARTING || worker.pid() != hello.pid()) {
                return false;
            }
            worker.channel = channel;
            startFailures = 0;
            Thread reader = new Thread(() -> readAnswers(worker), worker.name + "-reader");
            reader.setDaemon(true);
            worker.reader = reader;
            reader.start();
            first = assignNext(worker);
        } finally {
            lock.unlock();
        }
        worker.connected.complete(null);
        carryOut(first);
        return true;
    }

    private void onStartFailure(WorkerHandle worker, WorkerStartException failure) {
        worker.connected.completeExceptionally(failure);
        reap(worker, null, failure);
    }

    /** The worker's process has exited: settle its call, replace it, maybe terminate. */
    private void onExit(WorkerHandle worker) {
        Thread reader = worker.reader;
        try {
            if (reader != null) {
                reader.join(REAP_WAIT_MILLIS); // let it settle what the worker sent before dying
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.stderr.awaitEnd(1_000);
        worker.stdout.awaitEnd(1_000);
        int exitCode = worker.process.exitValue();
        WorkerStartException startFailure = null;
        if (!worker.connected.isDone()) {
            startFailure = new WorkerStartException(
                    "worker " + worker.describe() + " exited with code " + exitCode + " before it connected to the pool"
                            + lastWords(worker) + "\ncommand: " + String.join(" ", launcher.command(worker.id)),
                    worker.stderrTail(), null);
            worker.connected.completeExceptionally(startFailure);
        }
        reap(worker, exitCode, startFailure);
    }

    /**
     * Removes a dead worker: its call is retried or failed, a replacement is started if the pool
     * still needs one, and the pool terminates if this was its last worker.
     */
    private void reap(WorkerHandle worker, Integer exitCode, WorkerStartException startFailure) {
        Call orphan = null;
        Throwable orphanFailure = null;
        List<Call> abandoned = List.of();
        boolean replace = false;
        long backoffMillis = 0;
        Assignment retry = null;
        lock.lock();
        try {
            Call call = worker.current;
            worker.current = null;
            worker.state = WorkerHandle.State.DEAD;
            idle.remove(worker);
            workers.remove(worker.id);
            if (call != null && !call.future.isDone()) {
                if (worker.killedFor != null) {
                    orphan = call;
                    orphanFailure = worker.killedFor;
                } else if (call.attempts <= call.method.retries()) {
                    call.future.markQueued();
                    queue.addFirst(call);
                    WorkerHandle free = idle.pollFirst();
                    retry = free == null ? null : assignNext(free);
                } else {
                    orphan = call;
                    orphanFailure = worker.fatalError != null ? worker.fatalError : crash(worker, call, exitCode);
                }
            }
            boolean needed = state == State.RUNNING || (state == State.SHUTDOWN && hasQueuedCalls());
            if (startFailure != null && ++startFailures >= MAX_START_FAILURES && !anyConnected()) {
                abandoned = new ArrayList<>(queue); // the pool cannot start workers: fail, do not loop
                queue.clear();
            } else if (needed && workers.size() < size) {
                replace = true;
                backoffMillis = startFailure == null ? 0 : 100L << Math.min(startFailures, 6);
            }
            tryTerminate();
        } finally {
            lock.unlock();
        }
        carryOut(retry);
        if (orphan != null) {
            orphan.future.fail(orphanFailure);
        }
        for (Call c : abandoned) {
            c.future.fail(new WorkerStartException(
                    "no worker could be started to run " + c.method.displayName() + ": " + startFailure.getMessage(),
                    startFailure.stderrTail(), startFailure));
        }
        if (replace) {
            if (backoffMillis == 0) {
                housekeeping.execute(this::launchWorker);
            } else {
                scheduler.schedule(() -> housekeeping.execute(this::launchWorker), backoffMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    private WorkerCrashedException crash(WorkerHandle worker, Call call, Integer exitCode) {
        int code = exitCode == null ? -1 : exitCode;
        String how = code > 128 ? "was killed by signal " + (code - 128) + " (exit code " + code + ")" : "exited with code " + code;
        String attempts = call.attempts > 1 ? " (attempt " + call.attempts + " of " + (call.method.retries() + 1) + ")" : "";
        return new WorkerCrashedException(
                "worker " + worker.describe() + " " + how + " while running " + call.method.displayName() + attempts
                        + "; it was replaced" + lastWords(worker),
                worker.name, worker.pid(), code, worker.stderrTail(), worker.stdoutTail(), null);
    }

    /** The tails of the worker's stderr and stdout, for a message. */
    private static String lastWords(WorkerHandle worker) {
        List<String> err = worker.stderrTail();
        List<String> out = worker.stdoutTail();
        String words = err.isEmpty() ? "; it wrote nothing to stderr" : "; last lines of its stderr:\n  " + String.join("\n  ", err);
        return out.isEmpty() ? words : words + "\nlast lines of its stdout:\n  " + String.join("\n  ", out);
    }

    /** Whether a call waits that is not cancelled; drops the cancelled ones. Guarded by lock. */
    private boolean hasQueuedCalls() {
        queue.removeIf(c -> c.future.isDone());
        return !queue.isEmpty();
    }

    /** Guarded by lock. */
    private boolean anyConnected() {
        return workers.values().stream().anyMatch(w -> w.channel != null);
    }

    /** Guarded by lock. */
    private void tryTerminate() {
        boolean done = state == State.STOP || (state == State.SHUTDOWN && !hasQueuedCalls());
        if (!done || !workers.isEmpty()) {
            return;
        }
        state = State.TERMINATED;
        terminated.signalAll();
        try {
            listener.close();
        } catch (IOException e) {
            // A leftover socket file in a private temporary directory harms nobody.
        }
        scheduler.shutdownNow();
        housekeeping.shutdown();
    }

    private void rejectIfShutdown(TaskMethod method) {
        if (isShutdown()) {
            throw new RejectedExecutionException(
                    "cannot run " + method.displayName() + ": " + name + " is shut down; make calls before shutdown() or close()");
        }
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Waits until each of the first workers has shaken hands; on failure, ends the pool and throws. */
    private void awaitWorkers(List<WorkerHandle> first) {
        CompletableFuture<Void> all = new CompletableFuture<>();
        List<CompletableFuture<Void>> each = first.stream().map(w -> w.connected).collect(Collectors.toList());
        CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenRun(() -> all.complete(null));
        each.forEach(c -> c.exceptionally(e -> {
            all.completeExceptionally(e);
            return null;
        }));
        try {
            all.get(startTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            endAfterFailedStart();
            throw e.getCause() instanceof WorkerStartException w ? w
                    : new WorkerStartException("cannot start " + name + ": " + e.getCause(), List.of(), e.getCause());
        } catch (TimeoutException e) {
            endAfterFailedStart();
            throw new WorkerStartException("the workers of " + name + " did not connect within " + startTimeout.toMillis() + " ms", List.of(), e);
        } catch (InterruptedException e) {
            endAfterFailedStart();
            Thread.currentThread().interrupt();
            throw new WorkerStartException("interrupted while starting " + name, List.of(), e);
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

    /**
     * Settings of a {@link ProcessPool}. Every setting has a default; {@link #build()} starts the
     * workers and returns once all of them are ready.
     */
    public static final class Builder {
        private int workers = Runtime.getRuntime().availableProcessors();
        private List<String> jvmOptions = List.of();
        private int maxTasksPerWorker;
        private String namePrefix;
        private Duration defaultTimeout = Duration.ZERO;
        private Duration startTimeout = Duration.ofSeconds(60);
        private String classpath = System.getProperty("java.class.path");
        private Path java = Path.of(System.getProperty("java.home"), "bin", "java");

        private Builder() {}

        /** How many worker JVMs to run; default: the number of available processors. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be >= 1, was " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** Options for each worker JVM, such as {@code -Xmx256m}; default none. */
        public Builder jvmOptions(String... options) {
            for (String option : options) {
                Objects.requireNonNull(option, "jvmOptions element");
                if (option.isBlank()) {
                    throw new IllegalArgumentException("jvmOptions must not hold a blank option: " + Arrays.toString(options));
                }
            }
            this.jvmOptions = List.of(options);
            return this;
        }

        /** Replace a worker after it ran this many calls, so leaks die with it; 0 (default) for never. */
        public Builder maxTasksPerWorker(int maxTasksPerWorker) {
            if (maxTasksPerWorker < 0) {
                throw new IllegalArgumentException("maxTasksPerWorker must be >= 0, was " + maxTasksPerWorker);
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
                throw new IllegalArgumentException("defaultTimeout must not be negative, was " + defaultTimeout);
            }
            this.defaultTimeout = defaultTimeout;
            return this;
        }

        /** How long a worker may take to start and connect before it is killed; default 60 s. */
        public Builder startTimeout(Duration startTimeout) {
            Objects.requireNonNull(startTimeout, "startTimeout");
            if (startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be positive, was " + startTimeout);
            }
            this.startTimeout = startTimeout;
            return this;
        }

        /**
         * The workers' classpath; default this JVM's {@code java.class.path}. It must hold this
         * runtime and the classes of the tasks.
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
         * Starts the workers and waits until each has connected.
         *
         * @throws WorkerStartException if a worker cannot start (bad JVM options, a classpath
         *     without this runtime, a java that does not run), with the worker's own words; nothing
         *     is left running
         */
        public ProcessPool build() {
            ProcessPool pool;
            try {
                pool = new ProcessPool(this);
            } catch (IOException e) {
                throw new WorkerStartException("cannot open the pool's socket: " + e, List.of(), e);
            }
            List<WorkerHandle> first = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                first.add(pool.launchWorker());
            }
            pool.awaitWorkers(first);
            return pool;
        }

        /** Makes each classpath entry absolute, so workers find it whatever their directory. */
        static String absolute(String classpath) {
            return Arrays.stream(classpath.split(File.pathSeparator))
                    .filter(e -> !e.isEmpty())
                    .map(e -> Path.of(e).toAbsolutePath().toString())
                    .collect(Collectors.joining(File.pathSeparator));
        }
    }
}
