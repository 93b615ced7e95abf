package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.PoolStats;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.WorkerStartException;
import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.wire.AnswerChannel;
import dev.paralleltask.runtime.internal.wire.FrameChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Decides, under one lock, which worker runs which call, and when workers come and go. It does no
 * I/O: each method returns the {@link Actions} to carry out once the lock is released (frames to
 * send, workers to kill, futures to settle, workers to launch). Its parts share the lock and assert
 * it: the {@link CallQueue}, the {@link WorkerRoster}, {@link Placement} (send-ahead, stealing,
 * which calls a worker may be running), {@link Timeouts} (calls' timeouts and idle workers'
 * keep-alive), {@link WorkerFate} (what a worker's death means for its calls) and {@link Staffing}
 * (which workers take calls, and the run state). This class makes the decisions, one per event of a
 * call, a worker or the pool; runtime/CONCURRENCY.md has the rules.
 */
final class Dispatcher {
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

    private final String name;

    /** Whether a worker runs the pool's initializer before it takes calls. */
    private final boolean initializes;

    private final PoolMonitor monitor;
    private final ReentrantLock lock;
    private final CallQueue queue;
    private final WorkerRoster roster;
    private final Timeouts timeouts;
    private final Placement placement;
    private final Staffing staffing;

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
        this.monitor = monitor;
        this.lock = new DecisionLock(monitor);
        this.queue = new CallQueue(lock);
        this.roster = new WorkerRoster(lock, namePrefix, sizing);
        this.timeouts = new Timeouts(lock, timer, defaultTimeout, sizing.keepAlive(), carryOut);
        this.placement =
                new Placement(
                        lock,
                        sizing.threadsPerWorker(),
                        sendAhead,
                        maxTasksPerWorker,
                        timeouts,
                        monitor);
        this.staffing = new Staffing(lock, queue, roster, placement, timeouts, monitor);
        timeouts.use(placement, staffing);
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
                    if (staffing.state != Staffing.State.RUNNING) {
                        throw Failures.rejected(call.method, name);
                    }
                    queue.add(call);
                    staffing.dispatchQueued(actions);
                });
    }

    /**
     * Queues calls made together, with one decision: see {@link CallBatch}. If the pool no longer
     * runs, each is failed with the rejection instead: the caller holds their futures already.
     */
    Actions submitAll(List<PoolCall> calls) {
        return decide(
                actions -> {
                    if (staffing.state != Staffing.State.RUNNING) {
                        calls.forEach(
                                c -> actions.fail(c, null, Failures.rejected(c.method, name)));
                        return;
                    }
                    queue.addAll(calls);
                    staffing.dispatchQueued(actions);
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
                    staffing.kill(worker, null, actions);
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
            staffing.refill(worker, actions);
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
            staffing.kill(worker, null, actions);
            staffing.dispatchQueue(actions);
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
                staffing.kill(worker, null, actions);
                return false;
            }
            worker.inFlight.remove(call);
            queue.putBack(call, false); // it never started: that attempt does not count
            placement.startRunning(worker);
            staffing.dispatchQueue(actions);
            staffing.refill(worker, actions);
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
                    monitor.cancelled(call);
                    Worker worker = call.worker;
                    if (worker == null || !worker.inFlight.contains(call)) {
                        return;
                    }
                    if (interrupt && placement.isRunning(worker, call)) {
                        WorkerFate.blame(worker, call, "was cancelled with cancel(true)");
                        staffing.kill(worker, null, actions);
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
            return staffing.mayLaunch() ? roster.add() : null;
        } finally {
            lock.unlock();
        }
    }

    /** The worker's process has started; if the pool stopped meanwhile, it is killed. */
    Actions launched(Worker worker) {
        return decide(
                actions -> {
                    if (!staffing.mayLaunch()) {
                        staffing.kill(worker, null, actions);
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
                staffing.join(worker, actions);
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
            staffing.join(worker, actions);
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
                    worker.state = Worker.State.DEAD;
                    roster.remove(worker);
                    WorkerFate.settleCallsOf(worker, exitCode, queue, actions);
                    if (startFailure == null) {
                        staffing.restartOrGiveUp(worker, exitCode, actions);
                    }
                    staffing.promoteSpares(actions);
                    staffing.dispatchQueue(actions);
                    staffing.replace(startFailure, actions);
                    staffing.tryTerminate(actions);
                });
    }

    /** Kills a worker on purpose, for {@code reason} (which its running call is owed), or none. */
    Actions kill(Worker worker, Throwable reason) {
        return decide(actions -> staffing.kill(worker, reason, actions));
    }

    /** See {@link Staffing#recycle}: a worker whose memory passed the pool's limit. */
    Actions recycle(Worker worker, String why) {
        return decide(actions -> staffing.recycle(worker, why, actions));
    }

    /** See {@link Staffing#lostChannel}: the reader of a worker whose channel closed. */
    Actions lostChannel(Worker worker) {
        return decide(actions -> staffing.lostChannel(worker, null, actions));
    }

    // ---- An actor's pool ----

    /** Makes this the pool of an actor, whose one worker may restart {@code restarts} times. */
    void limitRestarts(String actor, int restarts) {
        lock.lock();
        try {
            staffing.limitRestarts(actor, restarts);
        } finally {
            lock.unlock();
        }
    }

    /** How often the actor's JVM restarted. */
    int restarts() {
        return staffing.restarts;
    }

    /** Why the actor's pool gave up on its JVM, or null while it has not. */
    Throwable gaveUp() {
        return staffing.gaveUp;
    }

    // ---- Run state ----

    /** Refuses new calls; idle workers retire now, the others when their calls are done. */
    Actions shutdown() {
        return decide(staffing::shutdown);
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
                            staffing.stop();
                            CancellationException reason =
                                    new CancellationException(
                                            "cancelled by shutdownNow() of " + name);
                            for (Worker w : List.copyOf(roster.all())) {
                                for (PoolCall c : w.inFlight) {
                                    (c.started ? running : neverStarted).add(c.future);
                                }
                                staffing.kill(w, reason, decided);
                            }
                            for (PoolCall c; (c = queue.poll()) != null; ) {
                                neverStarted.add(c.future);
                            }
                            neverStarted.removeIf(TaskFuture::isDone);
                            staffing.tryTerminate(decided);
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
        return staffing.state != Staffing.State.RUNNING;
    }

    boolean isTerminated() {
        return staffing.state == Staffing.State.TERMINATED;
    }

    boolean awaitTermination(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            return staffing.awaitTerminated(timeout.toNanos());
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
                    + staffing.state
                    + ", workers="
                    + roster.all().size()
                    + ", queued="
                    + queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The dispatcher's lock. As a thread lets go of it, the events decided under it (calls started,
     * calls cancelled) are posted to the pool's listener: before any thread can act on them, so the
     * listener hears of a call's start before its completion.
     */
    private static final class DecisionLock extends ReentrantLock {
        private static final long serialVersionUID = 1L;

        private final transient PoolMonitor monitor;

        DecisionLock(PoolMonitor monitor) {
            this.monitor = monitor;
        }

        @Override
        public void unlock() {
            try {
                if (getHoldCount() == 1) {
                    monitor.postDecided();
                }
            } finally {
                super.unlock();
            }
        }
    }
}
