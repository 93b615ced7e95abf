package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.PoolStats;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.WorkerStartException;
import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.wire.AnswerChannel;
import dev.paralleltask.runtime.internal.wire.Frame;
import dev.paralleltask.runtime.internal.wire.FrameChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Decides, under one lock, which worker runs which call: the pool's run state, the queue, the
 * workers and their calls in flight, send-ahead, stealing, revokes, attempts and retries, and when
 * to launch or retire workers. It does no I/O: each method returns the {@link Actions} to carry out
 * once the lock is released (frames to send, workers to kill, futures to settle, workers to
 * launch).
 */
final class Dispatcher {
    /*
     * Send-ahead and stealing. A worker is sent up to `sendAhead` calls at once, so that it never
     * waits for the pool between short calls. It runs them in the order sent, `threads` at once:
     * the first `threads` of its calls in flight are the ones it may be running (started: their
     * attempts count, their timeouts run); the others are not started, and the pool can take them
     * back (Revoke): a worker with nothing to do takes half of the waiting calls of the busiest
     * worker, so a long call never holds up the calls sent after it. The worker answers (or drops)
     * a call before it takes the next, so the pool's view is never behind the worker's.
     *
     * Run state, as ExecutorService: RUNNING -> SHUTDOWN -> TERMINATED, or -> STOP -> TERMINATED.
     * TERMINATED once nothing is queued (STOP: at once) and every worker's process has exited.
     */
    enum State {
        RUNNING,
        SHUTDOWN,
        STOP,
        TERMINATED
    }

    /**
     * How many workers a pool runs: {@code workers} at most, {@code minWorkers} at least (it grows
     * when calls wait and shrinks when workers have been idle for {@code keepAlive}), and {@code
     * spareWorkers} more, connected and idle, that take a leaving worker's place at once; each runs
     * up to {@code threadsPerWorker} calls at once.
     */
    record Sizing(
            int workers,
            int minWorkers,
            int spareWorkers,
            Duration keepAlive,
            int threadsPerWorker) {}

    /** Consecutive workers that died before their handshake, after which queued calls fail. */
    static final int MAX_START_FAILURES = 3;

    private final String name;
    private final String namePrefix;

    /** At most this many workers take calls; at least minWorkers do. */
    private final int size;

    private final int minWorkers;

    /** Connected, idle workers kept ready to replace one that leaves. */
    private final int spareWorkers;

    private final long keepAliveMillis;

    /** How many calls a worker runs at once. */
    private final int threads;

    private final int maxTasksPerWorker;
    private final int sendAhead;
    private final Duration defaultTimeout;
    private final ScheduledExecutorService timer;

    /** Carries out what a fired timeout decided. */
    private final Consumer<Actions> carryOut;

    private final PoolMonitor monitor;

    /** Whether a worker runs the pool's initializer before it takes calls. */
    private final boolean initializes;

    private final ReentrantLock lock = new ReentrantLock();

    /** Time for keep-alive, in nanoseconds: System.nanoTime, or a simulation's clock. */
    private LongSupplier clock = System::nanoTime;

    private final Condition terminated = lock.newCondition();

    /** Written under the lock; read without it by {@link #isShutdown}. */
    private volatile State state = State.RUNNING;

    /**
     * Calls not yet sent, oldest first; may hold done ones, skipped when polled. Guarded by lock.
     */
    private final ArrayDeque<PoolCall> queue = new ArrayDeque<>();

    /** Connected workers that take calls, oldest first. Guarded by lock. */
    private final List<Worker> ready = new ArrayList<>();

    /** Every worker whose process has not been reaped, by id. Guarded by lock. */
    private final Map<Integer, Worker> workers = new LinkedHashMap<>();

    /** Guarded by lock. */
    private int nextWorkerId = 1;

    /** How many workers should take calls now, from minWorkers up to size; guarded by lock. */
    private int wanted;

    /**
     * Connected workers kept idle, oldest first, that take a leaving worker's place. Guarded by
     * lock.
     */
    private final List<Worker> spares = new ArrayList<>();

    /** Workers in a row that died before their handshake; guarded by lock. */
    private int startFailures;

    /**
     * @param sendAhead calls in flight per worker: the running ones, and the others waiting in it
     * @param timer arms the calls' timeouts
     * @param carryOut carries out what a fired timeout decided ({@link #timedOut})
     */
    Dispatcher(
            String name,
            String namePrefix,
            Sizing sizing,
            int maxTasksPerWorker,
            int sendAhead,
            Duration defaultTimeout,
            ScheduledExecutorService timer,
            Consumer<Actions> carryOut,
            PoolMonitor monitor,
            boolean initializes) {
        this.name = name;
        this.namePrefix = namePrefix;
        this.size = sizing.workers();
        this.minWorkers = sizing.minWorkers();
        this.spareWorkers = sizing.spareWorkers();
        this.keepAliveMillis = sizing.keepAlive().toMillis();
        this.threads = sizing.threadsPerWorker();
        this.wanted = sizing.minWorkers();
        this.maxTasksPerWorker = maxTasksPerWorker;
        this.sendAhead = sendAhead;
        this.defaultTimeout = defaultTimeout;
        this.timer = timer;
        this.carryOut = carryOut;
        this.monitor = monitor;
        this.initializes = initializes;
    }

    // ---- Calls ----

    /**
     * Queues a call and gives it to a worker if one has room.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    Actions submit(PoolCall call) {
        Actions actions = new Actions();
        lock.lock();
        try {
            if (state != State.RUNNING) {
                throw Failures.rejected(call.method, name);
            }
            queue.addLast(call);
            dispatchQueued(actions);
        } finally {
            lock.unlock();
        }
        return actions;
    }

    /**
     * Queues calls made together, with one decision: see {@link CallBatch}. If the pool no longer
     * runs, each is failed with the rejection instead: the caller holds their futures already.
     */
    Actions submitAll(List<PoolCall> calls) {
        Actions actions = new Actions();
        lock.lock();
        try {
            if (state != State.RUNNING) {
                for (PoolCall c : calls) {
                    actions.fail(c, null, Failures.rejected(c.method, name));
                }
                return actions;
            }
            queue.addAll(calls);
            dispatchQueued(actions);
        } finally {
            lock.unlock();
        }
        return actions;
    }

    /**
     * A worker answered the first {@code n} of {@code ids}, running calls of its, in that order:
     * one decision for a batch of answers read at once. Returns their calls, now no longer in
     * flight, each to settle with its answer; from the first answer out of turn on (a protocol
     * violation), null, and the worker is killed.
     */
    PoolCall[] answered(Worker worker, long[] ids, int n, Actions actions) {
        PoolCall[] calls = new PoolCall[n];
        lock.lock();
        try {
            for (int i = 0; i < n; i++) {
                PoolCall call = runningCall(worker, ids[i]);
                if (call == null) {
                    kill(worker, null, actions);
                    return calls;
                }
                call.cancelTimeout();
                if (worker.inFlight.peekFirst() == call) {
                    worker.inFlight.pollFirst(); // the usual case, and the cheap one
                } else {
                    worker.inFlight.remove(call);
                }
                call.worker = null;
                worker.tasksCompleted++;
                startRunning(worker);
                calls[i] = call;
            }
            refill(worker, actions);
            return calls;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A running call hit a JVM error that leaves the worker unfit (out of memory, stack overflow):
     * the worker is killed, and the call counts as one whose worker died under it: it runs again
     * elsewhere if its method allows, else fails with this error. Either way it is no longer in
     * flight there, so the answers the worker gives before it is gone are still in turn. False if
     * the answer was out of turn.
     */
    boolean answeredFatally(Worker worker, long id, Throwable error, Actions actions) {
        lock.lock();
        try {
            PoolCall call = runningCall(worker, id);
            if (call != null) {
                call.cancelTimeout();
                worker.inFlight.remove(call);
                call.worker = null;
                blame(worker, call, "hit " + error.getClass().getName());
                startRunning(worker);
                if (call.pinnedTo == null && call.attempts <= call.method.retries()) {
                    putBack(call, true);
                } else {
                    actions.fail(
                            call,
                            worker,
                            Failures.fatalError(
                                    call.method,
                                    error,
                                    worker.describe(),
                                    worker.name,
                                    worker.pid(),
                                    worker.stderrTail(),
                                    worker.stdoutTail()));
                }
            }
            kill(worker, null, actions);
            dispatchQueue(actions);
            return call != null;
        } finally {
            lock.unlock();
        }
    }

    /** The worker gave back a revoked call without starting it; false on a protocol violation. */
    boolean dropped(Worker worker, long id, Actions actions) {
        lock.lock();
        try {
            PoolCall call = null;
            for (PoolCall c : worker.inFlight) {
                if (c.id == id && c.revoked) {
                    call = c;
                    break;
                }
            }
            if (call == null) {
                kill(worker, null, actions);
                return false;
            }
            worker.inFlight.remove(call);
            requeue(call);
            startRunning(worker);
            dispatchQueue(actions);
            refill(worker, actions);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** How long a timed-out call's worker may take to say where the call is before it is killed. */
    static final long STACK_WAIT_MILLIS = 100;

    private static final StackTraceElement[] NO_STACK = new StackTraceElement[0];

    /**
     * A call's timeout fired: unless its worker has already said where the call is, it is asked,
     * and is killed when it answers ({@link #stackArrived}) or after {@value #STACK_WAIT_MILLIS}
     * ms, whichever comes first. An answer to the call that comes meanwhile settles it as usual.
     */
    Actions timedOut(PoolCall call, long timeoutMillis) {
        Actions actions = new Actions();
        lock.lock();
        try {
            Worker worker = call.worker;
            if (worker == null || !isRunning(worker, call) || call.isDone() || call.timingOut) {
                return actions;
            }
            call.timingOut = true;
            call.timeoutMillis = timeoutMillis;
            if (call.stack != null) { // the worker said where it was as its time ran out
                return finishTimeout(call, call.stack);
            }
            worker.post(new Frame.StackRequest(call.id));
            actions.send(worker);
            timer.schedule(
                    () -> carryOut.accept(finishTimeout(call, NO_STACK)),
                    STACK_WAIT_MILLIS,
                    TimeUnit.MILLISECONDS);
        } finally {
            lock.unlock();
        }
        return actions;
    }

    /**
     * The worker said where call {@code id} is: asked, as its timeout fired, or of its own accord,
     * just before the call's time ran out. A call that is timing out is stopped now; for another,
     * the stack is kept for its timeout, which then needs to ask nothing.
     */
    Actions stackArrived(Worker worker, long id, StackTraceElement[] stack) {
        lock.lock();
        try {
            PoolCall call = runningCall(worker, id);
            if (call == null) {
                return new Actions();
            }
            if (!call.timingOut) {
                call.stack = stack;
                return new Actions();
            }
            return finishTimeout(call, stack);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Kills the worker of a call that ran past its timeout, and fails the call with where it was.
     */
    private Actions finishTimeout(PoolCall call, StackTraceElement[] stack) {
        Actions actions = new Actions();
        lock.lock();
        try {
            Worker worker = call.worker;
            if (worker == null || !isRunning(worker, call) || call.isDone() || !call.timingOut) {
                return actions;
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - call.startNanos);
            Throwable timeout =
                    Failures.timeout(
                            call.method,
                            Duration.ofMillis(call.timeoutMillis),
                            elapsed,
                            "on worker " + worker.describe() + ", which was killed and replaced",
                            stack);
            blame(worker, call, "timed out after " + Duration.ofMillis(call.timeoutMillis));
            kill(worker, timeout, actions);
            actions.fail(call, worker, timeout);
        } finally {
            lock.unlock();
        }
        return actions;
    }

    /**
     * A call's future was cancelled. A queued call is skipped when its turn comes. One sent to a
     * worker is revoked, so it never starts if it has not; if it runs and {@code interrupt} is set,
     * its worker is killed (with the other calls it runs, which are retried or failed as {@link
     * #died} says).
     */
    Actions cancelled(PoolCall call, boolean interrupt) {
        Actions actions = new Actions();
        lock.lock();
        try {
            Worker worker = call.worker;
            if (worker == null || !worker.inFlight.contains(call)) {
                return actions;
            }
            if (interrupt && isRunning(worker, call)) {
                blame(worker, call, "was cancelled with cancel(true)");
                kill(worker, null, actions);
            } else {
                revoke(worker, call, interrupt);
                actions.send(worker);
            }
        } finally {
            lock.unlock();
        }
        return actions;
    }

    // ---- Workers ----

    /**
     * A new worker to launch, counted in the pool from now on; null if the pool is stopping or
     * already has its number of workers (a replacement and a submit may both ask).
     */
    Worker newWorker() {
        lock.lock();
        try {
            if (state == State.STOP
                    || state == State.TERMINATED
                    || workers.size() >= wanted + spareWorkers) {
                return null;
            }
            int id = nextWorkerId++;
            Worker worker = new Worker(id, namePrefix + id);
            workers.put(id, worker);
            return worker;
        } finally {
            lock.unlock();
        }
    }

    /** The worker's process has started; if the pool stopped meanwhile, it is killed. */
    Actions launched(Worker worker) {
        Actions actions = new Actions();
        lock.lock();
        try {
            if (state == State.STOP || state == State.TERMINATED) {
                kill(worker, null, actions);
            }
        } finally {
            lock.unlock();
        }
        return actions;
    }

    /** The worker with this id, if it is in the pool. */
    Worker worker(int id) {
        lock.lock();
        try {
            return workers.get(id);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A worker's verified hello: it joins the pool, with its channel, and is given calls. Returns
     * null, and changes nothing, if it is not waiting for its handshake or {@code pid} is not its
     * process's.
     */
    Actions connected(Worker worker, long pid, FrameChannel channel, AnswerChannel answers) {
        lock.lock();
        try {
            if (worker.state != Worker.State.STARTING || worker.pid() != pid) {
                return null;
            }
            Actions actions = new Actions();
            worker.channel = channel;
            worker.answers = answers;
            if (initializes) {
                worker.state = Worker.State.INITIALIZING; // it joins once its initializer succeeded
                return actions;
            }
            join(worker, actions);
            return actions;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The worker's initializer succeeded: it joins the pool. Null if it is no longer initializing.
     */
    Actions initialized(Worker worker) {
        lock.lock();
        try {
            if (worker.state != Worker.State.INITIALIZING) {
                return null;
            }
            Actions actions = new Actions();
            join(worker, actions);
            return actions;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A call pinned to one worker, as the initializer makes them: sent to that worker whatever its
     * load, never taken back; failed at once if the worker is gone.
     */
    Actions submitPinned(PoolCall call) {
        Actions actions = new Actions();
        lock.lock();
        try {
            Worker worker = call.pinnedTo;
            if (worker.state == Worker.State.RETIRING || worker.state == Worker.State.DEAD) {
                actions.fail(
                        call,
                        worker,
                        Failures.startFailure(
                                "cannot run "
                                        + call.method.displayName()
                                        + " on worker "
                                        + worker.describe()
                                        + ", which is leaving the pool",
                                List.of(),
                                null));
                return actions;
            }
            dispatch(worker, call);
            actions.send(worker);
        } finally {
            lock.unlock();
        }
        return actions;
    }

    /** A worker that shook hands (and initialized) takes calls, or waits as a spare. */
    private void join(Worker worker, Actions actions) {
        assert lock.isHeldByCurrentThread();
        startFailures = 0;
        worker.joined = true;
        if (ready.size() >= wanted && state == State.RUNNING) {
            worker.state = Worker.State.SPARE; // enough take calls: it waits to take a place
            spares.add(worker);
            actions.warmUps.add(worker);
            return;
        }
        worker.state = Worker.State.READY;
        ready.add(worker);
        refill(worker, actions);
        actions.send(worker);
        growIfCallsWait(actions);
    }

    /**
     * A worker's process has exited, or never started: its running calls are retried or failed, the
     * calls sent after them go back to the queue, a replacement is launched if the pool still needs
     * one (after a back-off when workers keep dying at start), and the pool terminates if this was
     * its last worker.
     *
     * <p>A running call is failed with what the pool killed the worker for, if it was killed for
     * that call or for none in particular (shutdownNow); else it is retried if its method allows;
     * else it fails with the JVM error it hit, or as crashed, naming the call that cost the worker
     * when another did.
     *
     * @param exitCode the process's exit code; null when there was no process
     * @param startFailure why it never connected; null if it did
     */
    Actions died(Worker worker, Integer exitCode, WorkerStartException startFailure) {
        Actions actions = new Actions();
        lock.lock();
        try {
            List<PoolCall> running = new ArrayList<>(threads); // and those pinned to it
            for (PoolCall c; (c = worker.inFlight.pollLast()) != null; ) {
                if (c.started || c.pinnedTo != null) {
                    running.add(0, c);
                } else {
                    requeue(c); // never started
                }
            }
            worker.state = Worker.State.DEAD;
            ready.remove(worker);
            spares.remove(worker);
            workers.remove(worker.id);
            for (int i = running.size() - 1; i >= 0; i--) { // put back in the order sent
                PoolCall c = running.get(i);
                if (c.isDone()) {
                    continue;
                }
                c.cancelTimeout();
                boolean culprit = c == worker.culprit;
                if (worker.killedFor != null && (culprit || worker.culprit == null)) {
                    actions.fail(c, worker, worker.killedFor);
                } else if (c.pinnedTo == null && c.attempts <= c.method.retries()) {
                    putBack(c, true);
                } else {
                    actions.fail(
                            c,
                            worker,
                            Failures.crashed(
                                    c.method,
                                    c.attempts,
                                    worker.describe(),
                                    worker.name,
                                    worker.pid(),
                                    exitCode == null ? -1 : exitCode,
                                    culprit ? null : worker.killedBecause,
                                    worker.stderrTail(),
                                    worker.stdoutTail()));
                }
            }
            promoteSpares(actions);
            dispatchQueue(actions);
            boolean needed =
                    state == State.RUNNING || (state == State.SHUTDOWN && hasQueuedCalls());
            if (startFailure != null && ++startFailures >= MAX_START_FAILURES && !anyConnected()) {
                for (PoolCall c;
                        (c = queue.pollFirst()) != null; ) { // the pool cannot start workers:
                    actions.fail(
                            c,
                            null,
                            Failures.noWorker(c.method, startFailure)); // fail, do not loop
                }
            } else if (needed && workers.size() < wanted + spareWorkers) {
                actions.launches = 1;
                actions.launchDelayMillis =
                        startFailure == null ? 0 : 100L << Math.min(startFailures, 6);
            }
            tryTerminate(actions);
        } finally {
            lock.unlock();
        }
        return actions;
    }

    /** Kills a worker on purpose, for {@code reason} (which its running call is owed), or none. */
    Actions kill(Worker worker, Throwable reason) {
        Actions actions = new Actions();
        lock.lock();
        try {
            kill(worker, reason, actions);
        } finally {
            lock.unlock();
        }
        return actions;
    }

    // ---- Run state ----

    /** Refuses new calls; idle workers retire now, the others when their calls are done. */
    Actions shutdown() {
        Actions actions = new Actions();
        lock.lock();
        try {
            if (state == State.RUNNING) {
                state = State.SHUTDOWN;
                for (Worker w : spares.toArray(Worker[]::new)) {
                    retire(w, actions);
                }
                for (Worker w : ready.toArray(Worker[]::new)) {
                    if (w.inFlight.isEmpty()) {
                        retire(w, actions);
                    }
                }
                tryTerminate(actions);
            }
        } finally {
            lock.unlock();
        }
        return actions;
    }

    /** What {@link #shutdownNow} stopped: calls to cancel, and what else to carry out. */
    record Stopped(
            List<TaskFuture<?>> neverStarted, List<TaskFuture<?>> running, Actions actions) {}

    /**
     * Refuses new calls and kills every worker. Returns the futures of the calls that never started
     * (queued, or sent ahead: they die with their worker) and of the running ones, for the caller
     * to cancel after the lock is released.
     */
    Stopped shutdownNow() {
        Actions actions = new Actions();
        List<TaskFuture<?>> neverStarted = new ArrayList<>();
        List<TaskFuture<?>> running = new ArrayList<>();
        lock.lock();
        try {
            if (state == State.RUNNING || state == State.SHUTDOWN) {
                state = State.STOP;
            }
            CancellationException reason =
                    new CancellationException("cancelled by shutdownNow() of " + name);
            for (Worker w : workers.values()) {
                for (PoolCall c : w.inFlight) {
                    (c.started ? running : neverStarted).add(c.future);
                }
                kill(w, reason, actions);
            }
            for (PoolCall c; (c = queue.pollFirst()) != null; ) {
                neverStarted.add(c.future);
            }
            neverStarted.removeIf(TaskFuture::isDone);
            tryTerminate(actions);
        } finally {
            lock.unlock();
        }
        return new Stopped(neverStarted, running, actions);
    }

    /** Makes the dispatcher read time from {@code nanos}: for a simulation with its own clock. */
    void useClock(LongSupplier nanos) {
        this.clock = nanos;
    }

    /** For asserts: what the dispatcher decided is carried out after its lock is released. */
    boolean isLockedByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /** Without the lock: every call asks, and its answer may be stale by the time it is used. */
    boolean isShutdown() {
        return state != State.RUNNING;
    }

    boolean isTerminated() {
        lock.lock();
        try {
            return state == State.TERMINATED;
        } finally {
            lock.unlock();
        }
    }

    boolean awaitTermination(Duration timeout) throws InterruptedException {
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

    /** Queued and running calls, and each worker, at one instant. */
    record Snapshot(int queued, int running, List<PoolStats.Worker> workers) {}

    Snapshot snapshot() {
        lock.lock();
        try {
            int waiting = 0;
            int running = 0;
            List<PoolStats.Worker> each = new ArrayList<>(workers.size());
            for (Worker w : workers.values()) {
                for (PoolCall c : w.inFlight) {
                    if (!c.isDone()) {
                        if (c.started) {
                            running++;
                        } else {
                            waiting++;
                        }
                    }
                }
                each.add(
                        new PoolStats.Worker(
                                w.name,
                                w.pid(),
                                w.state.name(),
                                w.inFlight.size(),
                                w.tasksCompleted));
            }
            for (PoolCall c : queue) {
                if (!c.isDone()) {
                    waiting++;
                }
            }
            return new Snapshot(waiting, running, each);
        } finally {
            lock.unlock();
        }
    }

    /** The workers not yet reaped, oldest first. */
    List<Worker> workers() {
        lock.lock();
        try {
            return List.copyOf(workers.values());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return name + ", " + state + ", workers=" + workers.size() + ", queued=" + queue.size();
        } finally {
            lock.unlock();
        }
    }

    // ---- Under the lock ----

    /** New calls were queued: gives them to workers, and launches workers if calls wait. */
    private void dispatchQueued(Actions actions) {
        assert lock.isHeldByCurrentThread();
        dispatchQueue(actions);
        if (workers.isEmpty() && wanted > 0) {
            actions.launches = 1; // every worker died at start and the pool gave up: try again
        }
        growIfCallsWait(actions);
    }

    /** Gives queued calls to the workers with the fewest calls in flight, while any has room. */
    private void dispatchQueue(Actions actions) {
        assert lock.isHeldByCurrentThread();
        while (!queue.isEmpty()) {
            Worker least = null;
            for (Worker w : ready) {
                if (room(w) > 0 && (least == null || w.inFlight.size() < least.inFlight.size())) {
                    least = w;
                }
            }
            if (least == null) {
                return;
            }
            PoolCall c = queue.pollFirst();
            if (!c.isDone()) {
                dispatch(least, c);
                actions.send(least);
            }
        }
    }

    /**
     * A worker has room for more calls: gives it queued ones; if it then has none, retires it or
     * lets it take calls waiting at another worker. The frames posted to the worker itself are left
     * for the caller to send: its reader sends them once per batch of answers.
     */
    private void refill(Worker worker, Actions actions) {
        assert lock.isHeldByCurrentThread();
        if (worker.state != Worker.State.READY) {
            return;
        }
        while (room(worker) > 0 && !queue.isEmpty()) {
            PoolCall c = queue.pollFirst();
            if (!c.isDone()) {
                dispatch(worker, c);
            }
        }
        if (!worker.inFlight.isEmpty()) {
            return;
        }
        boolean worn = maxTasksPerWorker > 0 && worker.tasksCompleted >= maxTasksPerWorker;
        if (worn || state != State.RUNNING) {
            retire(worker, actions);
            return;
        }
        Worker victim = steal(worker);
        actions.send(victim);
        if (victim == null && ready.size() > minWorkers) {
            retireLater(worker);
        }
    }

    /**
     * Grows the pool by a worker, up to its size, when calls wait: in the queue, or behind a
     * running call. One worker starts at a time; the next grows it again if calls still wait.
     */
    private void growIfCallsWait(Actions actions) {
        assert lock.isHeldByCurrentThread();
        if (wanted >= size || state != State.RUNNING) {
            return; // a pool of fixed size returns here
        }
        for (Worker w : workers.values()) {
            if (w.state == Worker.State.STARTING) {
                return; // one at a time
            }
        }
        boolean waiting = hasQueuedCalls();
        for (int i = 0; !waiting && i < ready.size(); i++) {
            waiting = waitingCalls(ready.get(i)) > 0;
        }
        if (waiting) {
            wanted++;
            actions.launches++;
        }
    }

    /**
     * Retires an idle worker beyond minWorkers if it is still idle after keepAlive. A worker has
     * one keep-alive check pending at most, however often it goes idle: the check looks at when it
     * last went idle, and comes back for the rest of the time if that was later.
     */
    private void retireLater(Worker worker) {
        assert lock.isHeldByCurrentThread();
        worker.idleSince = clock.getAsLong();
        if (!worker.keepAliveChecked) {
            checkKeepAliveIn(worker, keepAliveMillis);
        }
    }

    private void checkKeepAliveIn(Worker worker, long millis) {
        assert lock.isHeldByCurrentThread();
        worker.keepAliveChecked = true;
        timer.schedule(
                () -> carryOut.accept(checkKeepAlive(worker)), millis, TimeUnit.MILLISECONDS);
    }

    private Actions checkKeepAlive(Worker worker) {
        Actions actions = new Actions();
        lock.lock();
        try {
            worker.keepAliveChecked = false;
            if (worker.state != Worker.State.READY
                    || !worker.inFlight.isEmpty()
                    || worker.idleSince == 0
                    || ready.size() <= minWorkers
                    || state != State.RUNNING) {
                return actions;
            }
            long idleMillis = (clock.getAsLong() - worker.idleSince) / 1_000_000;
            if (idleMillis < keepAliveMillis) {
                checkKeepAliveIn(worker, keepAliveMillis - idleMillis);
            } else {
                wanted--;
                retire(worker, actions);
            }
        } finally {
            lock.unlock();
        }
        return actions;
    }

    /** Spares take the places of workers that left, while fewer than wanted take calls. */
    private void promoteSpares(Actions actions) {
        assert lock.isHeldByCurrentThread();
        while (state == State.RUNNING && ready.size() < wanted && !spares.isEmpty()) {
            Worker spare = spares.remove(0);
            spare.state = Worker.State.READY;
            ready.add(spare);
            refill(spare, actions);
            actions.send(spare);
        }
    }

    /** How many more calls the worker may be sent now. */
    private int room(Worker worker) {
        assert lock.isHeldByCurrentThread();
        int room = sendAhead - worker.inFlight.size();
        if (maxTasksPerWorker > 0) {
            room =
                    (int)
                            Math.min(
                                    room,
                                    maxTasksPerWorker
                                            - worker.tasksCompleted
                                            - worker.inFlight.size());
        }
        return room;
    }

    private void dispatch(Worker worker, PoolCall call) {
        assert lock.isHeldByCurrentThread();
        worker.idleSince = 0;
        call.worker = worker;
        worker.inFlight.addLast(call);
        worker.post(
                new Frame.Call(
                        call.id, call.body, (int) Math.min(timeoutMillis(call), MAX_TIMEOUT)));
        if (worker.inFlight.size() <= threads) {
            start(worker, call);
        }
    }

    /**
     * The worker's first {@code threads} calls in flight are the ones it runs: each counts as
     * started, and its timeout starts. A call cancelled meanwhile stays in its place until the
     * worker answers or drops it.
     */
    private void startRunning(Worker worker) {
        assert lock.isHeldByCurrentThread();
        int i = 0;
        for (Iterator<PoolCall> it = worker.inFlight.iterator(); i++ < threads && it.hasNext(); ) {
            start(worker, it.next());
        }
    }

    private void start(Worker worker, PoolCall call) {
        assert lock.isHeldByCurrentThread();
        if (!call.start(System.nanoTime())) {
            return; // started already, or cancelled
        }
        monitor.started(call, worker);
        long timeoutMillis = timeoutMillis(call);
        if (timeoutMillis > 0) {
            call.timeout =
                    timer.schedule(
                            () -> carryOut.accept(timedOut(call, timeoutMillis)),
                            timeoutMillis,
                            TimeUnit.MILLISECONDS);
        }
    }

    /** A call's timeout: its method's, else the pool's default; 0 for none. */
    private long timeoutMillis(PoolCall call) {
        assert lock.isHeldByCurrentThread();
        return call.method.timeoutMillis() > 0
                ? call.method.timeoutMillis()
                : defaultTimeout.toMillis();
    }

    /** The longest timeout a worker is told of: it keeps no watch on longer ones. */
    private static final long MAX_TIMEOUT = Integer.MAX_VALUE;

    /** Asks a worker with nothing to do to leave. */
    private void retire(Worker worker, Actions actions) {
        assert lock.isHeldByCurrentThread();
        worker.state = Worker.State.RETIRING;
        ready.remove(worker);
        spares.remove(worker);
        worker.post(new Frame.Stop());
        actions.send(worker);
        promoteSpares(actions);
    }

    /**
     * Revokes half of the calls waiting at the busiest other worker, for {@code thief}, which has
     * nothing to do; they come back as {@link Frame.Dropped} and are queued again. Returns the
     * worker asked, or null.
     */
    private Worker steal(Worker thief) {
        assert lock.isHeldByCurrentThread();
        Worker victim = null;
        int most = 0;
        for (Worker w : ready) {
            int n = w == thief ? 0 : waitingCalls(w);
            if (n > most) {
                victim = w;
                most = n;
            }
        }
        if (victim == null) {
            return null;
        }
        ArrayDeque<PoolCall> taken = new ArrayDeque<>(); // the newest waiting calls, oldest first
        for (Iterator<PoolCall> it = victim.inFlight.descendingIterator();
                taken.size() < (most + 1) / 2 && it.hasNext(); ) {
            PoolCall c = it.next();
            if (isWaiting(c)) {
                taken.addFirst(c);
            }
        }
        for (PoolCall c : taken) {
            revoke(victim, c, false); // in the order sent, so the thief runs them in that order too
        }
        return victim;
    }

    /** How many of a worker's calls wait behind its running ones and may be taken back. */
    private int waitingCalls(Worker worker) {
        assert lock.isHeldByCurrentThread();
        int n = 0;
        for (PoolCall c : worker.inFlight) {
            if (isWaiting(c)) {
                n++;
            }
        }
        return n;
    }

    /** Whether a call sent to a worker waits there, not started, and may be taken back. */
    private boolean isWaiting(PoolCall c) {
        assert lock.isHeldByCurrentThread();
        return !c.started && !c.revoked && !c.isDone() && c.pinnedTo == null;
    }

    /** Whether the worker may be running the call: it is among its first {@code threads}. */
    private boolean isRunning(Worker worker, PoolCall call) {
        assert lock.isHeldByCurrentThread();
        return runningCall(worker, call.id) == call;
    }

    /** The call with this id among those the worker may be running; null if none. */
    private PoolCall runningCall(Worker worker, long id) {
        assert lock.isHeldByCurrentThread();
        int i = 0;
        for (Iterator<PoolCall> it = worker.inFlight.iterator(); i++ < threads && it.hasNext(); ) {
            PoolCall c = it.next();
            if (c.id == id) {
                return c;
            }
        }
        return null;
    }

    /**
     * Records the call that cost the worker its life, and what it did, for the other calls that die
     * with it; the first one counts.
     */
    private void blame(Worker worker, PoolCall call, String what) {
        assert lock.isHeldByCurrentThread();
        if (worker.culprit == null) {
            worker.culprit = call;
            worker.killedBecause =
                    "another call it was running, " + call.method.displayName() + ", " + what;
        }
    }

    /** Asks the worker to give back a call it has not started. */
    private void revoke(Worker worker, PoolCall call, boolean interrupt) {
        assert lock.isHeldByCurrentThread();
        call.revoked = true;
        worker.post(new Frame.Revoke(call.id, interrupt));
    }

    /** Puts back a call its worker never started: that attempt does not count. */
    private void requeue(PoolCall call) {
        assert lock.isHeldByCurrentThread();
        putBack(call, false);
    }

    /** Puts a call back at the front of the queue, unless it is done. */
    private void putBack(PoolCall call, boolean counted) {
        assert lock.isHeldByCurrentThread();
        call.putBack(counted);
        if (!call.isDone()) {
            queue.addFirst(call);
        }
    }

    /** No new call can be given to a worker killed here; its exit settles its calls. */
    private void kill(Worker worker, Throwable reason, Actions actions) {
        assert lock.isHeldByCurrentThread();
        if (worker.state == Worker.State.DEAD) {
            return;
        }
        ready.remove(worker);
        spares.remove(worker);
        worker.state = Worker.State.RETIRING;
        if (worker.killedFor == null) {
            worker.killedFor = reason;
        }
        actions.kill(worker);
        promoteSpares(actions);
    }

    /**
     * Whether a call waits that is not done; drops the done ones at the front, so that each done
     * call is looked at once: every submit of a growing pool asks.
     */
    private boolean hasQueuedCalls() {
        assert lock.isHeldByCurrentThread();
        while (!queue.isEmpty() && queue.peekFirst().isDone()) {
            queue.pollFirst();
        }
        return !queue.isEmpty();
    }

    private boolean anyConnected() {
        assert lock.isHeldByCurrentThread();
        return workers.values().stream().anyMatch(w -> w.joined);
    }

    private void tryTerminate(Actions actions) {
        assert lock.isHeldByCurrentThread();
        boolean done = state == State.STOP || (state == State.SHUTDOWN && !hasQueuedCalls());
        if (!done || !workers.isEmpty()) {
            return;
        }
        state = State.TERMINATED;
        terminated.signalAll();
        actions.terminated = true;
    }
}
