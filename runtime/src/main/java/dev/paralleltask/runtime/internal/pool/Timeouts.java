package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.wire.Frame;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The pool's clocks: a call's timeout, which kills its worker with the call's stack, and the
 * keep-alive of an idle worker beyond {@code minWorkers}. What fires on the timer thread takes the
 * dispatcher's lock and hands what it decided to {@code carryOut}; the rest runs under the lock.
 */
final class Timeouts {
    /** How long a timed-out call's worker may take to say where the call is before it is killed. */
    static final long STACK_WAIT_MILLIS = 100;

    private static final StackTraceElement[] NO_STACK = new StackTraceElement[0];

    private final ReentrantLock lock;
    private final ScheduledExecutorService timer;
    private final Duration defaultTimeout;
    private final long keepAliveMillis;
    private final Consumer<Actions> carryOut;

    /** Time for keep-alive, in nanoseconds: System.nanoTime, or a simulation's clock. */
    private LongSupplier clock = System::nanoTime;

    /** Set once by the dispatcher, which makes all three. */
    private Placement placement;

    private Staffing staffing;

    Timeouts(
            ReentrantLock lock,
            ScheduledExecutorService timer,
            Duration defaultTimeout,
            Duration keepAlive,
            Consumer<Actions> carryOut) {
        this.lock = lock;
        this.timer = timer;
        this.defaultTimeout = defaultTimeout;
        this.keepAliveMillis = keepAlive.toMillis();
        this.carryOut = carryOut;
    }

    void use(Placement placement, Staffing staffing) {
        this.placement = placement;
        this.staffing = staffing;
    }

    void useClock(LongSupplier nanos) {
        this.clock = nanos;
    }

    // ---- Calls ----

    /** A call's timeout: its method's, else the pool's default; 0 for none. */
    long of(PoolCall call) {
        return call.method.timeoutMillis() > 0
                ? call.method.timeoutMillis()
                : defaultTimeout.toMillis();
    }

    /** Starts the timeout of a call that just started, if it has one. */
    void arm(PoolCall call) {
        assert lock.isHeldByCurrentThread();
        long millis = of(call);
        if (millis > 0) {
            call.timeout =
                    timer.schedule(
                            () -> carryOut.accept(timedOut(call, millis)),
                            millis,
                            TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A call's timeout fired: unless its worker has already said where the call is, it is asked,
     * and is killed when it answers ({@link #stackArrived}) or after {@value #STACK_WAIT_MILLIS}
     * ms, whichever comes first. An answer to the call that comes meanwhile settles it as usual.
     */
    Actions timedOut(PoolCall call, long timeoutMillis) {
        Actions actions = new Actions();
        lock.lock();
        try {
            Worker worker = runningWorker(call);
            if (worker == null || call.timingOut) {
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
            PoolCall call = placement.runningCall(worker, id);
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
            Worker worker = runningWorker(call);
            if (worker == null || !call.timingOut) {
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
            WorkerFate.blame(
                    worker, call, "timed out after " + Duration.ofMillis(call.timeoutMillis));
            staffing.kill(worker, timeout, actions);
            actions.fail(call, worker, timeout);
        } finally {
            lock.unlock();
        }
        return actions;
    }

    /** The worker that may still be running the call, which is not done; null if none. */
    private Worker runningWorker(PoolCall call) {
        Worker worker = call.worker;
        return worker != null && placement.isRunning(worker, call) && !call.isDone()
                ? worker
                : null;
    }

    // ---- Keep-alive ----

    /**
     * Retires an idle worker beyond minWorkers if it is still idle after keepAlive. A worker has
     * one keep-alive check pending at most, however often it goes idle: the check looks at when it
     * last went idle, and comes back for the rest of the time if that was later.
     */
    void idle(Worker worker) {
        assert lock.isHeldByCurrentThread();
        worker.idleSince = clock.getAsLong();
        if (!worker.keepAliveChecked) {
            checkKeepAliveIn(worker, keepAliveMillis);
        }
    }

    private void checkKeepAliveIn(Worker worker, long millis) {
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
                    || worker.idleSince == 0) {
                return actions;
            }
            long idleMillis = (clock.getAsLong() - worker.idleSince) / 1_000_000;
            if (idleMillis < keepAliveMillis) {
                if (staffing.mayRetireIdle()) {
                    checkKeepAliveIn(worker, keepAliveMillis - idleMillis);
                }
            } else {
                staffing.retireIdle(worker, actions);
            }
        } finally {
            lock.unlock();
        }
        return actions;
    }
}
