package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.wire.AnswerChannel;
import dev.paralleltask.runtime.internal.wire.CallCodec;
import dev.paralleltask.runtime.internal.wire.Frame;
import dev.paralleltask.runtime.internal.wire.FrameChannel;
import dev.paralleltask.runtime.internal.wire.FrameRing;
import dev.paralleltask.runtime.internal.wire.ThrowableCodec;
import dev.paralleltask.runtime.internal.wire.ValueCodingException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
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
 *   <li>Each worker runs one call at a time; a few more are sent ahead so it never waits between
 *       short calls, and a worker with nothing to do takes back calls waiting at a busy one.
 *       Arguments are encoded on the caller's thread, so a call sees them as they were when it
 *       was made.
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
     * One lock guards the pool's state, the queue, and every worker's state and calls in flight.
     * Nothing slow happens under it: frames are written, futures completed, and processes started
     * after it is released. What to send a worker is decided under the lock and posted to the
     * worker's outbox in that order; WorkerHandle.send writes it after the lock is released, many
     * frames per system call when many were posted.
     *
     * Threads: a listener thread accepts connections and a short-lived thread shakes hands with
     * each; one reader thread per worker reads its answers (from its FrameRing, see AnswerChannel),
     * completes calls and sends the worker the calls they made room for, once per batch of answers
     * read; `housekeeping` handles dead workers and starts replacements; `scheduler` fires
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
    /**
     * Calls in flight per worker: one running, the others waiting in the worker for their turn.
     * Deep enough that a worker seldom runs dry between two batches from the pool: with 2 workers
     * on 2 cores, no-op calls ran at about 0.65M/s with 32, 0.9M/s with 64 and 1.1M/s with 256
     * (benchmarks, throughput). A long call holds up none of them: an idle worker takes them back.
     */
    private static final int SEND_AHEAD = 256;
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
    /** The class data archive to make once the first workers are up, or null. */
    private final ClassArchive archiveToMake;
    private final AtomicLong callIds = new AtomicLong();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition terminated = lock.newCondition();
    /** RUNNING -> SHUTDOWN -> TERMINATED, or -> STOP -> TERMINATED; guarded by lock. */
    private State state = State.RUNNING;
    /** Calls not yet started, oldest first; may hold cancelled ones, skipped when polled. Guarded by lock. */
    private final ArrayDeque<Call> queue = new ArrayDeque<>();
    /** Connected workers that take calls, oldest first. Guarded by lock. */
    private final List<WorkerHandle> ready = new ArrayList<>();
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
        String classpath = Builder.absolute(b.classpath);
        ClassArchive archive = b.classDataSharing ? ClassArchive.forWorkers(b.java, classpath) : null;
        boolean archived = archive != null && archive.isReady();
        List<String> jvmOptions = b.jvmOptions;
        if (archived) {
            jvmOptions = new ArrayList<>(archive.jvmOptions());
            jvmOptions.addAll(b.jvmOptions); // after ours, so the user's win
            classpath = archive.classpath();
        }
        this.archiveToMake = archived ? null : archive;
        this.launcher = new WorkerLauncher(b.java, jvmOptions, classpath, listener.socket(), secret);
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
        List<WorkerHandle> sends;
        boolean launch;
        lock.lock();
        try {
            rejectIfShutdown(method);
            queue.addLast(call);
            sends = dispatchQueue();
            // Every worker died at start and the pool gave up on them: try again for this call.
            launch = workers.isEmpty();
        } finally {
            lock.unlock();
        }
        sends.forEach(WorkerHandle::send);
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
        List<WorkerHandle> sends = new ArrayList<>();
        lock.lock();
        try {
            if (state == State.RUNNING) {
                state = State.SHUTDOWN;
                for (WorkerHandle w : ready.toArray(WorkerHandle[]::new)) {
                    if (w.inFlight.isEmpty()) {
                        retire(w);
                        sends.add(w);
                    }
                }
                tryTerminate();
            }
        } finally {
            lock.unlock();
        }
        sends.forEach(WorkerHandle::send);
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
            for (WorkerHandle w : workers.values()) {
                Call head = w.inFlight.pollFirst();
                for (Call c; (c = w.inFlight.pollFirst()) != null; ) {
                    neverStarted.add(c.future); // sent ahead, not started: it dies with the worker
                }
                if (head != null) {
                    w.inFlight.add(head);
                    running.add(head.future);
                }
                kill(w, new CancellationException("cancelled by shutdownNow() of " + name));
            }
            for (Call c; (c = queue.pollFirst()) != null; ) {
                neverStarted.add(c.future);
            }
            neverStarted.removeIf(TaskFuture::isDone);
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
    //
    // A worker is sent up to SEND_AHEAD calls at once, so that it never waits for the pool between
    // short calls. Only the first of them runs; the others are not started, and the pool can take
    // them back (Revoke): a worker with nothing to do takes half of the waiting calls of the
    // busiest worker, so a long call never holds up the calls sent after it.

    /**
     * Gives queued calls to the workers with the fewest calls in flight, while any has room.
     * Returns the workers that have frames to send. Guarded by lock.
     */
    private List<WorkerHandle> dispatchQueue() {
        List<WorkerHandle> sends = new ArrayList<>(1);
        while (!queue.isEmpty()) {
            WorkerHandle least = null;
            for (WorkerHandle w : ready) {
                if (room(w) > 0 && (least == null || w.inFlight.size() < least.inFlight.size())) {
                    least = w;
                }
            }
            if (least == null) {
                break;
            }
            Call c = queue.pollFirst();
            if (!c.future.isDone()) {
                dispatch(least, c);
                if (!sends.contains(least)) {
                    sends.add(least);
                }
            }
        }
        return sends;
    }

    /**
     * A worker has room for more calls: gives it queued ones; if it then has none, retires it or
     * lets it take calls waiting at another worker. Returns that other worker, which has revokes
     * to send, or null. Guarded by lock.
     */
    private WorkerHandle refill(WorkerHandle worker) {
        if (worker.state != WorkerHandle.State.READY) {
            return null;
        }
        while (room(worker) > 0 && !queue.isEmpty()) {
            Call c = queue.pollFirst();
            if (!c.future.isDone()) {
                dispatch(worker, c);
            }
        }
        if (!worker.inFlight.isEmpty()) {
            return null;
        }
        boolean worn = maxTasksPerWorker > 0 && worker.tasksCompleted >= maxTasksPerWorker;
        if (worn || state != State.RUNNING) {
            retire(worker);
            return null;
        }
        return steal(worker);
    }

    /** How many more calls the worker may be sent now; guarded by lock. */
    private int room(WorkerHandle worker) {
        int room = SEND_AHEAD - worker.inFlight.size();
        if (maxTasksPerWorker > 0) {
            room = (int) Math.min(room, maxTasksPerWorker - worker.tasksCompleted - worker.inFlight.size());
        }
        return room;
    }

    /** Sends a call to a worker; guarded by lock. */
    private void dispatch(WorkerHandle worker, Call call) {
        call.worker = worker;
        worker.inFlight.addLast(call);
        worker.post(new Frame.Call(call.id, call.body));
        if (worker.inFlight.size() == 1) {
            startHead(worker);
        }
    }

    /**
     * The worker's first call in flight is now the one it runs: it counts as started, and its
     * timeout starts. A call cancelled meanwhile stays first until the worker answers or drops it.
     * Guarded by lock.
     */
    private void startHead(WorkerHandle worker) {
        Call call = worker.inFlight.peekFirst();
        if (call == null || call.started || !call.future.markRunning()) {
            return;
        }
        call.started = true;
        call.attempts++;
        call.startNanos = System.nanoTime();
        long timeoutMillis = call.method.timeoutMillis() > 0 ? call.method.timeoutMillis() : defaultTimeout.toMillis();
        if (timeoutMillis > 0) {
            call.timeout = scheduler.schedule(() -> onTimeout(worker, call, timeoutMillis), timeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** Asks a worker with nothing to do to leave; guarded by lock. */
    private void retire(WorkerHandle worker) {
        worker.state = WorkerHandle.State.RETIRING;
        ready.remove(worker);
        worker.post(new Frame.Stop());
    }

    /**
     * Revokes half of the calls waiting at the busiest other worker, for {@code thief}, which has
     * nothing to do; they come back as {@link Frame.Dropped} and are queued again. Returns the
     * worker asked, or null. Guarded by lock.
     */
    private WorkerHandle steal(WorkerHandle thief) {
        WorkerHandle victim = null;
        int most = 0;
        for (WorkerHandle w : ready) {
            int n = w == thief ? 0 : waitingCalls(w);
            if (n > most) {
                victim = w;
                most = n;
            }
        }
        if (victim == null) {
            return null;
        }
        int take = (most + 1) / 2;
        for (Iterator<Call> it = victim.inFlight.descendingIterator(); take > 0 && it.hasNext(); ) {
            Call c = it.next();
            if (isWaiting(victim, c)) {
                revoke(victim, c, false);
                take--;
            }
        }
        return victim;
    }

    /** How many of a worker's calls wait behind its running one and may be taken back; guarded by lock. */
    private static int waitingCalls(WorkerHandle worker) {
        int n = 0;
        for (Call c : worker.inFlight) {
            if (isWaiting(worker, c)) {
                n++;
            }
        }
        return n;
    }

    private static boolean isWaiting(WorkerHandle worker, Call c) {
        return c != worker.inFlight.peekFirst() && !c.revoked && !c.future.isDone();
    }

    /** Asks the worker to give back a call it has not started; guarded by lock. */
    private static void revoke(WorkerHandle worker, Call call, boolean interrupt) {
        call.revoked = true;
        worker.post(new Frame.Revoke(call.id, interrupt));
    }

    // ---- Answers ----

    private void readAnswers(WorkerHandle worker) {
        try {
            while (true) {
                Frame frame = worker.answers.poll(MAX_ANSWER_BYTES);
                if (frame == null) {
                    worker.send(); // the calls that the answers read so far made room for, at once
                    frame = worker.answers.take(MAX_ANSWER_BYTES);
                }
                if (frame instanceof Frame.Bye) {
                    worker.saidBye = true;
                } else if (!(frame instanceof Frame.Dropped d ? onDropped(worker, d.id()) : onAnswer(worker, frame))) {
                    break;
                }
            }
        } catch (IOException e) {
            // Closed or broken: the worker is gone or going.
        }
        if (!worker.saidBye) {
            worker.destroy(); // a worker without a usable channel is of no use
        }
    }

    /** Settles the worker's running call with what it sent; false on a protocol violation. */
    private boolean onAnswer(WorkerHandle worker, Frame frame) {
        long id;
        Object value = null;
        Throwable failure = null;
        ValueCodingException unreadable = null;
        boolean fatal = false;
        if (frame instanceof Frame.Result r) {
            id = r.id();
            try {
                value = CallCodec.decodeResult(r.body(), loader);
            } catch (ValueCodingException e) {
                unreadable = e;
            }
        } else if (frame instanceof Frame.Failure f) {
            id = f.id();
            failure = decodeFailure(f);
            fatal = f.fatal();
        } else if (frame instanceof Frame.Unsendable u) {
            id = u.id();
        } else {
            id = -1;
        }
        Call call;
        WorkerHandle victim = null;
        lock.lock();
        try {
            call = worker.inFlight.peekFirst();
            if (call == null || call.id != id) {
                call = null;
            } else {
                call.cancelTimeout();
                if (fatal) {
                    settleFatal(worker, call, failure);
                } else {
                    worker.inFlight.pollFirst();
                    call.worker = null;
                    worker.tasksCompleted++;
                    startHead(worker);
                    victim = refill(worker);
                }
            }
        } finally {
            lock.unlock();
        }
        if (call == null) {
            System.err.println("[" + worker.describe() + "] sent " + frame + " out of turn; killing it");
            return false;
        }
        if (fatal) {
            return true; // the worker's exit settles the call
        }
        if (victim != null) {
            victim.send();
        }
        if (unreadable != null) {
            failure = new TaskSerializationException("the result of " + call.method.displayName()
                    + " could not be rebuilt in the caller: " + unreadable.getMessage(), unreadable.getCause());
        } else if (frame instanceof Frame.Unsendable u) {
            String what = u.position() == ValueCodingException.RESULT
                    ? "the result of " + call.method.displayName()
                    : call.method.describeArgument(u.position());
            failure = new TaskSerializationException(what + " " + u.message(), null);
        }
        if (failure != null) {
            call.future.fail(failure);
        } else {
            call.future.complete(value);
        }
        return true;
    }

    /** The worker gave back a revoked call without starting it; false on a protocol violation. */
    private boolean onDropped(WorkerHandle worker, long id) {
        List<WorkerHandle> sends;
        lock.lock();
        try {
            Call call = null;
            for (Call c : worker.inFlight) {
                if (c.id == id && c.revoked) {
                    call = c;
                    break;
                }
            }
            if (call == null) {
                System.err.println("[" + worker.describe() + "] dropped call " + id + ", which it was not asked to; killing it");
                return false;
            }
            boolean wasHead = call == worker.inFlight.peekFirst();
            worker.inFlight.remove(call);
            requeue(call);
            if (wasHead) {
                startHead(worker);
            }
            sends = dispatchQueue();
            WorkerHandle victim = refill(worker);
            if (victim != null) {
                sends.add(victim);
            }
        } finally {
            lock.unlock();
        }
        sends.forEach(WorkerHandle::send);
        return true;
    }

    /** Puts back a call its worker never started: that attempt does not count. Guarded by lock. */
    private void requeue(Call call) {
        if (call.started) {
            call.attempts--;
        }
        putBack(call);
    }

    /** Puts a call back at the front of the queue, unless it was cancelled; guarded by lock. */
    private void putBack(Call call) {
        call.worker = null;
        call.revoked = false;
        call.started = false;
        call.cancelTimeout();
        call.future.markQueued();
        if (!call.future.isDone()) {
            queue.addFirst(call);
        }
    }

    /**
     * A task threw a JVM error (out of memory, stack overflow): the worker is not fit to go on,
     * so it is killed and replaced, and the call counts as one whose worker died under it: it is
     * retried if its method allows, else it fails with this crash. Guarded by lock.
     */
    private void settleFatal(WorkerHandle worker, Call call, Throwable error) {
        worker.fatalError = new WorkerCrashedException(
                "worker " + worker.describe() + " hit " + error + " while running " + call.method.displayName()
                        + "; the worker was replaced",
                worker.name, worker.pid(), -1, worker.stderrTail(), worker.stdoutTail(), error);
        kill(worker, null);
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
            if (worker.inFlight.peekFirst() != call || call.future.isDone()) {
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

    /**
     * Called by a call's future after it was cancelled. A call in the queue is skipped when its
     * turn comes. One sent to a worker is revoked, so it never starts if it has not; if it runs
     * and {@code interrupt} is set, its worker is killed.
     */
    void onCancel(Call call, boolean interrupt) {
        WorkerHandle worker;
        lock.lock();
        try {
            worker = call.worker;
            if (worker == null || !worker.inFlight.contains(call)) {
                return;
            }
            if (interrupt && call == worker.inFlight.peekFirst()) {
                kill(worker, null);
                return;
            }
            revoke(worker, call, interrupt);
        } finally {
            lock.unlock();
        }
        worker.send();
    }

    /**
     * Kills a worker on purpose; its running call, if not settled by then, gets {@code reason}.
     * Guarded by lock, so no new call can be given to it after.
     */
    private void kill(WorkerHandle worker, Throwable reason) {
        if (worker.state == WorkerHandle.State.DEAD) {
            return;
        }
        ready.remove(worker);
        worker.state = WorkerHandle.State.RETIRING;
        if (worker.killedFor == null) {
            worker.killedFor = reason;
        }
        worker.destroy();
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
            worker.ring = FrameRing.create(launcher.ring(worker.id));
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
                worker.destroy();
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
        WorkerHandle victim;
        lock.lock();
        try {
            worker = workers.get(hello.workerId());
            if (worker == null || worker.state != WorkerHandle.State.STARTING || worker.pid() != hello.pid()) {
                return false;
            }
            worker.channel = channel;
            worker.answers = new AnswerChannel(worker.ring, channel);
            startFailures = 0;
            Thread reader = new Thread(() -> readAnswers(worker), worker.name + "-reader");
            reader.setDaemon(true);
            worker.reader = reader;
            reader.start();
            worker.state = WorkerHandle.State.READY;
            ready.add(worker);
            victim = refill(worker);
        } finally {
            lock.unlock();
        }
        deleteRing(worker); // both processes have it mapped
        worker.connected.complete(null);
        worker.send();
        if (victim != null) {
            victim.send();
        }
        return true;
    }

    /** Removes the worker's ring file; the memory stays while a process maps it. */
    private void deleteRing(WorkerHandle worker) {
        try {
            Files.deleteIfExists(launcher.ring(worker.id));
        } catch (IOException e) {
            // It is in the pool's private directory, which close() tries to remove.
        }
    }

    private void onStartFailure(WorkerHandle worker, WorkerStartException failure) {
        deleteRing(worker);
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
        deleteRing(worker);
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
        List<WorkerHandle> sends;
        lock.lock();
        try {
            Call running = worker.inFlight.pollFirst();
            // The calls sent after the running one never started: they go back to the queue.
            for (Call c; (c = worker.inFlight.pollLast()) != null; ) {
                requeue(c);
            }
            worker.state = WorkerHandle.State.DEAD;
            ready.remove(worker);
            workers.remove(worker.id);
            if (running != null && !running.future.isDone()) {
                running.cancelTimeout();
                if (worker.killedFor != null) {
                    orphan = running;
                    orphanFailure = worker.killedFor;
                } else if (running.attempts <= running.method.retries()) {
                    putBack(running);
                } else {
                    orphan = running;
                    orphanFailure = worker.fatalError != null ? worker.fatalError : crash(worker, running, exitCode);
                }
            }
            sends = dispatchQueue();
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
        sends.forEach(WorkerHandle::send);
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
        private boolean classDataSharing = true;

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
            if (pool.archiveToMake != null) {
                pool.archiveToMake.makeInBackground(); // now, so as not to slow this pool's start
            }
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
