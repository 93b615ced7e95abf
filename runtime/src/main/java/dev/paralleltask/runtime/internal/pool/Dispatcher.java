package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.PoolStats;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.WorkerStartException;
import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.wire.AnswerChannel;
import dev.paralleltask.runtime.internal.wire.Frame;
import dev.paralleltask.runtime.internal.wire.FrameChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Decides, under one lock, which worker runs which call, and when workers come and go. It does no
 * I/O: each method returns the {@link Actions} to carry out once the lock is released (frames to
 * send, workers to kill, futures to settle, workers to launch). Its parts share the lock and assert
 * it: the {@link CallQueue}, the {@link WorkerRoster}, {@link Placement} (send-ahead, stealing,
 * which calls a worker may be running), {@link Timeouts} (calls' timeouts and idle workers'
 * keep-alive) and {@link WorkerFate} (what a worker's death means for its calls). This class keeps
 * the pool's run state and the events that change it; runtime/CONCURRENCY.md has the rules.
 */
final class Dispatcher {
    /*
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

    /** Whether a worker runs the pool's initializer before it takes calls. */
    private final boolean initializes;

    private final int threads;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition terminated = lock.newCondition();

    /** Written under the lock; read without it by {@link #isShutdown}. */
    private volatile State state = State.RUNNING;

    private final CallQueue queue = new CallQueue(lock);
    private final WorkerRoster roster;
    private final Timeouts timeouts;
    private final Placement placement;

    /**
     * @param sendAhead calls in flight per worker: the running ones, and the others waiting in it
     * @param timer arms the calls' timeouts and the workers' keep-alive
     * @param carryOut carries out what the timer's events decided
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
        this.initializes = initializes;
        this.threads = sizing.threadsPerWorker();
        this.roster = new WorkerRoster(lock, namePrefix, sizing);
        this.timeouts =
                new Timeouts(lock, timer, defaultTimeout, sizing.keepAlive(), carryOut, this);
        this.placement =
                new Placement(lock, threads, sendAhead, maxTasksPerWorker, timeouts, monitor);
        timeouts.use(placement);
    }

    /** Runs one decision under the lock, and returns what it decided. */
    private Actions decide(Consumer<Actions> decision) {
        Actions actions = new Actions();
        lock.lock();
        try {
            decision.accept(actions);
        } finally {
            lock.unlock();
        }
        return actions;
    }

    // ---- Calls ----

    /**
     * Queues a call and gives it to a worker if one has room.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    Actions submit(PoolCall call) {
        return decide(
                actions -> {
                    if (state != State.RUNNING) {
                        throw Failures.rejected(call.method, name);
                    }
                    queue.add(call);
                    dispatchQueued(actions);
                });
    }

    /**
     * Queues calls made together, with one decision: see {@link CallBatch}. If the pool no longer
     * runs, each is failed with the rejection instead: the caller holds their futures already.
     */
    Actions submitAll(List<PoolCall> calls) {
        return decide(
                actions -> {
                    if (state != State.RUNNING) {
                        calls.forEach(
                                c -> actions.fail(c, null, Failures.rejected(c.method, name)));
                        return;
                    }
                    queue.addAll(calls);
                    dispatchQueued(actions);
                });
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
                PoolCall call = placement.runningCall(worker, ids[i]);
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
                placement.startRunning(worker);
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
            PoolCall call = placement.runningCall(worker, id);
            if (call != null) {
                call.cancelTimeout();
                worker.inFlight.remove(call);
                call.worker = null;
                Throwable failure = WorkerFate.fatalFailureOf(worker, call, error);
                placement.startRunning(worker);
                if (failure == null) {
                    queue.putBack(call, true);
                } else {
                    actions.fail(call, worker, failure);
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
            PoolCall call = placement.revokedCall(worker, id);
            if (call == null) {
                kill(worker, null, actions);
                return false;
            }
            worker.inFlight.remove(call);
            queue.putBack(call, false); // it never started: that attempt does not count
            placement.startRunning(worker);
            dispatchQueue(actions);
            refill(worker, actions);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** See {@link Timeouts#timedOut}. */
    Actions timedOut(PoolCall call, long timeoutMillis) {
        return timeouts.timedOut(call, timeoutMillis);
    }

    /** See {@link Timeouts#stackArrived}. */
    Actions stackArrived(Worker worker, long id, StackTraceElement[] stack) {
        return timeouts.stackArrived(worker, id, stack);
    }

    /**
     * A call's future was cancelled. A queued call is skipped when its turn comes. One sent to a
     * worker is revoked, so it never starts if it has not; if it runs and {@code interrupt} is set,
     * its worker is killed (with the other calls it runs, which are retried or failed as {@link
     * WorkerFate} says).
     */
    Actions cancelled(PoolCall call, boolean interrupt) {
        return decide(
                actions -> {
                    Worker worker = call.worker;
                    if (worker == null || !worker.inFlight.contains(call)) {
                        return;
                    }
                    if (interrupt && placement.isRunning(worker, call)) {
                        WorkerFate.blame(worker, call, "was cancelled with cancel(true)");
                        kill(worker, null, actions);
                    } else {
                        placement.revoke(worker, call, interrupt);
                        actions.send(worker);
                    }
                });
    }

    /**
     * A call pinned to one worker, as the initializer makes them: sent to that worker whatever its
     * load, never taken back; failed at once if the worker is gone.
     */
    Actions submitPinned(PoolCall call) {
        return decide(
                actions -> {
                    Worker worker = call.pinnedTo;
                    if (worker.state == Worker.State.RETIRING
                            || worker.state == Worker.State.DEAD) {
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
                        return;
                    }
                    placement.dispatch(worker, call);
                    actions.send(worker);
                });
    }

    // ---- Workers ----

    /**
     * A new worker to launch, counted in the pool from now on; null if the pool is stopping or
     * already has its number of workers (a replacement and a submit may both ask).
     */
    Worker newWorker() {
        lock.lock();
        try {
            return state == State.STOP || state == State.TERMINATED ? null : roster.add();
        } finally {
            lock.unlock();
        }
    }

    /** The worker's process has started; if the pool stopped meanwhile, it is killed. */
    Actions launched(Worker worker) {
        return decide(
                actions -> {
                    if (state == State.STOP || state == State.TERMINATED) {
                        kill(worker, null, actions);
                    }
                });
    }

    /** The worker with this id, if it is in the pool. */
    Worker worker(int id) {
        lock.lock();
        try {
            return roster.get(id);
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
            } else {
                join(worker, actions);
            }
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
     * A worker's process has exited, or never started: its running calls are retried or failed as
     * {@link WorkerFate} says, the calls sent after them go back to the queue, a replacement is
     * launched if the pool still needs one (after a back-off when workers keep dying at start), and
     * the pool terminates if this was its last worker.
     *
     * @param exitCode the process's exit code; null when there was no process
     * @param startFailure why it never connected; null if it did
     */
    Actions died(Worker worker, Integer exitCode, WorkerStartException startFailure) {
        return decide(
                actions -> {
                    List<PoolCall> running = new ArrayList<>(threads); // and those pinned to it
                    for (PoolCall c; (c = worker.inFlight.pollLast()) != null; ) {
                        if (c.started || c.pinnedTo != null) {
                            running.add(0, c);
                        } else {
                            queue.putBack(c, false); // never started
                        }
                    }
                    worker.state = Worker.State.DEAD;
                    roster.remove(worker);
                    for (int i = running.size() - 1; i >= 0; i--) { // put back in the order sent
                        PoolCall c = running.get(i);
                        if (c.isDone()) {
                            continue;
                        }
                        c.cancelTimeout();
                        Throwable failure = WorkerFate.failureOf(worker, c, exitCode);
                        if (failure == null) {
                            queue.putBack(c, true);
                        } else {
                            actions.fail(c, worker, failure);
                        }
                    }
                    promoteSpares(actions);
                    dispatchQueue(actions);
                    replace(startFailure, actions);
                    tryTerminate(actions);
                });
    }

    /**
     * After a worker died: launches another if the pool still needs one; fails the queued calls
     * instead when workers keep dying before their handshake and none ever connected.
     */
    private void replace(WorkerStartException startFailure, Actions actions) {
        assert lock.isHeldByCurrentThread();
        boolean needed = state == State.RUNNING || (state == State.SHUTDOWN && queue.hasCalls());
        if (startFailure != null
                && roster.startFailed() >= MAX_START_FAILURES
                && !roster.anyConnected()) {
            for (PoolCall c; (c = queue.poll()) != null; ) { // the pool cannot start workers:
                actions.fail(c, null, Failures.noWorker(c.method, startFailure)); // do not loop
            }
        } else if (needed && roster.needsMore()) {
            actions.launches = 1;
            actions.launchDelayMillis =
                    startFailure == null ? 0 : 100L << Math.min(roster.startFailures(), 6);
        }
    }

    /** Kills a worker on purpose, for {@code reason} (which its running call is owed), or none. */
    Actions kill(Worker worker, Throwable reason) {
        return decide(actions -> kill(worker, reason, actions));
    }

    // ---- Run state ----

    /** Refuses new calls; idle workers retire now, the others when their calls are done. */
    Actions shutdown() {
        return decide(
                actions -> {
                    if (state != State.RUNNING) {
                        return;
                    }
                    state = State.SHUTDOWN;
                    roster.spares().forEach(w -> retire(w, actions));
                    for (Worker w : List.copyOf(roster.ready())) {
                        if (w.inFlight.isEmpty()) {
                            retire(w, actions);
                        }
                    }
                    tryTerminate(actions);
                });
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
        List<TaskFuture<?>> neverStarted = new ArrayList<>();
        List<TaskFuture<?>> running = new ArrayList<>();
        Actions actions =
                decide(
                        decided -> {
                            if (state == State.RUNNING || state == State.SHUTDOWN) {
                                state = State.STOP;
                            }
                            CancellationException reason =
                                    new CancellationException(
                                            "cancelled by shutdownNow() of " + name);
                            for (Worker w : List.copyOf(roster.all())) {
                                for (PoolCall c : w.inFlight) {
                                    (c.started ? running : neverStarted).add(c.future);
                                }
                                kill(w, reason, decided);
                            }
                            for (PoolCall c; (c = queue.poll()) != null; ) {
                                neverStarted.add(c.future);
                            }
                            neverStarted.removeIf(TaskFuture::isDone);
                            tryTerminate(decided);
                        });
        return new Stopped(neverStarted, running, actions);
    }

    /** Makes the dispatcher read time from {@code nanos}: for a simulation with its own clock. */
    void useClock(LongSupplier nanos) {
        timeouts.useClock(nanos);
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
        return state == State.TERMINATED;
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
            int[] waitingAndRunning = new int[2];
            List<PoolStats.Worker> each = roster.stats(waitingAndRunning);
            return new Snapshot(waitingAndRunning[0] + queue.waiting(), waitingAndRunning[1], each);
        } finally {
            lock.unlock();
        }
    }

    /** The workers not yet reaped, oldest first. */
    List<Worker> workers() {
        lock.lock();
        try {
            return List.copyOf(roster.all());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return name
                    + ", "
                    + state
                    + ", workers="
                    + roster.all().size()
                    + ", queued="
                    + queue.size();
        } finally {
            lock.unlock();
        }
    }

    // ---- Under the lock ----

    /** New calls were queued: gives them to workers, and launches workers if calls wait. */
    private void dispatchQueued(Actions actions) {
        assert lock.isHeldByCurrentThread();
        dispatchQueue(actions);
        if (roster.isEmpty() && roster.wanted() > 0) {
            actions.launches = 1; // every worker died at start and the pool gave up: try again
        }
        growIfCallsWait(actions);
    }

    /** Gives queued calls to the workers with the fewest calls in flight, while any has room. */
    private void dispatchQueue(Actions actions) {
        assert lock.isHeldByCurrentThread();
        while (queue.hasCalls()) {
            Worker least = placement.leastBusy(roster.ready());
            if (least == null) {
                return;
            }
            placement.dispatch(least, queue.poll());
            actions.send(least);
        }
    }

    /** A worker that shook hands (and initialized) takes calls, or waits as a spare. */
    private void join(Worker worker, Actions actions) {
        assert lock.isHeldByCurrentThread();
        if (!roster.join(worker, state == State.RUNNING)) {
            actions.warmUps.add(worker); // enough take calls: it waits to take a place
            return;
        }
        refill(worker, actions);
        actions.send(worker);
        growIfCallsWait(actions);
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
        if (placement.takesMore(worker)) { // then up to its full send-ahead, in one write
            while (placement.room(worker) > 0 && queue.hasCalls()) {
                placement.dispatch(worker, queue.poll());
            }
        }
        if (!worker.inFlight.isEmpty()) {
            return;
        }
        if (placement.isWorn(worker) || state != State.RUNNING) {
            retire(worker, actions);
            return;
        }
        Worker victim = placement.steal(worker, roster.ready());
        actions.send(victim);
        if (victim == null && roster.mayShrink()) {
            timeouts.idle(worker);
        }
    }

    /**
     * Grows the pool by a worker, up to its size, when calls wait: in the queue, or behind a
     * running call. One worker starts at a time; the next grows it again if calls still wait.
     */
    private void growIfCallsWait(Actions actions) {
        assert lock.isHeldByCurrentThread();
        if (roster.wanted() >= roster.size || state != State.RUNNING || roster.anyStarting()) {
            return; // a pool of fixed size returns here
        }
        boolean waiting = queue.hasCalls();
        for (int i = 0; !waiting && i < roster.ready().size(); i++) {
            waiting = placement.waitingCalls(roster.ready().get(i)) > 0;
        }
        if (waiting && roster.grow()) {
            actions.launches++;
        }
    }

    /** Whether an idle worker may retire now: for {@link Timeouts}' keep-alive. */
    boolean mayRetireIdle() {
        assert lock.isHeldByCurrentThread();
        return roster.mayShrink() && state == State.RUNNING;
    }

    /** An idle worker beyond minWorkers was idle for keepAlive: it retires. */
    void retireIdle(Worker worker, Actions actions) {
        assert lock.isHeldByCurrentThread();
        if (mayRetireIdle()) {
            roster.shrink();
            retire(worker, actions);
        }
    }

    /** Spares take the places of workers that left, while fewer than wanted take calls. */
    private void promoteSpares(Actions actions) {
        assert lock.isHeldByCurrentThread();
        for (Worker spare; state == State.RUNNING && (spare = roster.promoteSpare()) != null; ) {
            refill(spare, actions);
            actions.send(spare);
        }
    }

    /** Asks a worker with nothing to do to leave. */
    private void retire(Worker worker, Actions actions) {
        assert lock.isHeldByCurrentThread();
        worker.state = Worker.State.RETIRING;
        roster.leave(worker);
        worker.post(new Frame.Stop());
        actions.send(worker);
        promoteSpares(actions);
    }

    /** No new call can be given to a worker killed here; its exit settles its calls. */
    void kill(Worker worker, Throwable reason, Actions actions) {
        assert lock.isHeldByCurrentThread();
        if (worker.state == Worker.State.DEAD) {
            return;
        }
        roster.leave(worker);
        worker.state = Worker.State.RETIRING;
        if (worker.killedFor == null) {
            worker.killedFor = reason;
        }
        actions.kill(worker);
        promoteSpares(actions);
    }

    private void tryTerminate(Actions actions) {
        assert lock.isHeldByCurrentThread();
        boolean done = state == State.STOP || (state == State.SHUTDOWN && !queue.hasCalls());
        if (!done || !roster.isEmpty()) {
            return;
        }
        state = State.TERMINATED;
        terminated.signalAll();
        actions.terminated = true;
    }
}
