package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.WorkerStartException;
import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.wire.Frame;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which workers take calls, and the pool's run state they depend on: a worker joins or waits as a
 * spare, is refilled from the queue, steals when it runs dry, retires, is killed and replaced; the
 * pool grows while calls wait and shrinks when workers idle past their keep-alive. Every method
 * runs under the dispatcher's lock and asserts it; {@link Dispatcher} makes the decisions that call
 * them.
 */
final class Staffing {
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

    /** Consecutive workers that died before their handshake, after which queued calls fail. */
    static final int MAX_START_FAILURES = 3;

    private final ReentrantLock lock;
    private final Condition terminated;
    private final CallQueue queue;
    private final WorkerRoster roster;
    private final Placement placement;
    private final Timeouts timeouts;
    private final PoolMonitor monitor;

    /** Written under the lock; read without it by {@link Dispatcher#isShutdown}. */
    volatile State state = State.RUNNING;

    /**
     * An actor's pool (one worker, the actor's JVM) restarts it at most this often; -1 for any
     * other pool, which replaces dead workers without limit.
     */
    private int restartsLeft = -1;

    private int restartsAllowed;
    private String actor;

    /** How often the actor's JVM was restarted; written under the lock. */
    volatile int restarts;

    /** Why the actor's pool gave up, once it has; written under the lock. */
    volatile Throwable gaveUp;

    Staffing(
            ReentrantLock lock,
            CallQueue queue,
            WorkerRoster roster,
            Placement placement,
            Timeouts timeouts,
            PoolMonitor monitor) {
        this.lock = lock;
        this.monitor = monitor;
        this.terminated = lock.newCondition();
        this.queue = queue;
        this.roster = roster;
        this.placement = placement;
        this.timeouts = timeouts;
    }

    /** Whether the pool neither stops nor has stopped: it may still launch workers. */
    boolean mayLaunch() {
        return state != State.STOP && state != State.TERMINATED;
    }

    /** New calls were queued: gives them to workers, and launches workers if calls wait. */
    void dispatchQueued(Actions actions) {
        assert lock.isHeldByCurrentThread();
        dispatchQueue(actions);
        if (roster.isEmpty() && roster.wanted() > 0) {
            actions.launches = 1; // every worker died at start and the pool gave up: try again
        }
        growIfCallsWait(actions);
    }

    /** Gives queued calls to the workers with the fewest calls in flight, while any has room. */
    void dispatchQueue(Actions actions) {
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
    void join(Worker worker, Actions actions) {
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
    void refill(Worker worker, Actions actions) {
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
        if (placement.isWorn(worker)) {
            if (!worker.recycling) { // a worker recycled for its memory was reported then
                monitor.workerRecycled(worker, "it ran maxTasksPerWorker calls");
            }
            retire(worker, actions);
            return;
        }
        if (state != State.RUNNING) {
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
     * After a worker died: launches another if the pool still needs one; fails the queued calls
     * instead when workers keep dying before their handshake and none ever connected.
     */
    void replace(WorkerStartException startFailure, Actions actions) {
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

    /** Makes this the pool of actor {@code actor}, whose JVM may restart {@code allowed} times. */
    void limitRestarts(String actor, int allowed) {
        assert lock.isHeldByCurrentThread();
        this.actor = actor;
        this.restartsAllowed = allowed;
        this.restartsLeft = allowed;
    }

    /**
     * A worker that had joined died while the pool runs. In an actor's pool, that is the actor's
     * JVM: it restarts if it may; if not, the pool gives up: the queued calls fail with {@link
     * dev.paralleltask.runtime.ActorDiedException}, as every later one will, and it stops.
     */
    void restartOrGiveUp(Worker worker, Integer exitCode, Actions actions) {
        assert lock.isHeldByCurrentThread();
        if (restartsLeft < 0 || state != State.RUNNING) {
            return;
        }
        if (restartsLeft > 0) {
            restartsLeft--;
            restarts++;
            return;
        }
        Throwable why =
                Failures.actorDied(
                        actor,
                        restartsAllowed,
                        worker.death(exitCode),
                        worker.killedBecause != null
                                ? worker.killedBecause
                                : worker.killedFor != null ? worker.killedFor.getMessage() : null);
        gaveUp = why;
        state = State.STOP;
        for (PoolCall c; (c = queue.poll()) != null; ) {
            actions.fail(c, null, why);
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
    void promoteSpares(Actions actions) {
        assert lock.isHeldByCurrentThread();
        for (Worker spare; state == State.RUNNING && (spare = roster.promoteSpare()) != null; ) {
            refill(spare, actions);
            actions.send(spare);
        }
    }

    /**
     * A worker's memory passed the pool's limit: it takes no more calls, gives back those waiting,
     * and retires once its running calls are done ({@link #refill} sees it worn).
     */
    void recycle(Worker worker, String why, Actions actions) {
        assert lock.isHeldByCurrentThread();
        if (worker.state != Worker.State.READY || worker.recycling) {
            return;
        }
        worker.recycling = true;
        monitor.workerRecycled(worker, why);
        placement.revokeWaiting(worker);
        actions.send(worker);
        if (worker.inFlight.isEmpty()) {
            retire(worker, actions);
        }
    }

    /** Asks a worker with nothing to do to leave. */
    void retire(Worker worker, Actions actions) {
        assert lock.isHeldByCurrentThread();
        worker.state = Worker.State.RETIRING;
        roster.leave(worker);
        worker.post(new Frame.Stop());
        actions.send(worker);
        promoteSpares(actions);
    }

    /**
     * The pool kills a worker: no new call can be given to it; its exit settles its calls. See
     * {@link #lostChannel} for a worker whose channel closed.
     */
    void kill(Worker worker, Throwable reason, Actions actions) {
        assert lock.isHeldByCurrentThread();
        if (worker.state != Worker.State.DEAD) {
            worker.killedByPool = true;
        }
        lostChannel(worker, reason, actions);
    }

    /**
     * A worker's channel closed: most often its process is dying of something else (a crash, a
     * signal, the kernel's out-of-memory killer), so this is not counted as the pool's kill; it is
     * killed all the same, in case it lives on without its channel.
     */
    void lostChannel(Worker worker, Throwable reason, Actions actions) {
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

    /** Refuses new calls; spares and idle workers retire now, the others when their calls end. */
    void shutdown(Actions actions) {
        assert lock.isHeldByCurrentThread();
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
    }

    /** Refuses new calls, for {@code shutdownNow}: every worker is to be killed. */
    void stop() {
        assert lock.isHeldByCurrentThread();
        if (state == State.RUNNING || state == State.SHUTDOWN) {
            state = State.STOP;
        }
    }

    void tryTerminate(Actions actions) {
        assert lock.isHeldByCurrentThread();
        boolean done = state == State.STOP || (state == State.SHUTDOWN && !queue.hasCalls());
        if (!done || !roster.isEmpty()) {
            return;
        }
        state = State.TERMINATED;
        terminated.signalAll();
        actions.terminated = true;
    }

    /** Waits, holding the lock between waits, until terminated or {@code nanos} have passed. */
    boolean awaitTerminated(long nanos) throws InterruptedException {
        assert lock.isHeldByCurrentThread();
        while (state != State.TERMINATED) {
            if (nanos <= 0) {
                return false;
            }
            nanos = terminated.awaitNanos(nanos);
        }
        return true;
    }
}
