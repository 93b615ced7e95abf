package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.PoolListener;
import dev.paralleltask.runtime.WorkerCrashedException;
import dev.paralleltask.runtime.internal.spi.Failures;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.LongAdder;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * What a pool reports of itself: the counters of {@code ProcessPool.stats()}, and JDK Flight
 * Recorder events, category "paralleltask" (a call queued, started and finished; a worker started
 * and exited), which cost a check per call unless a recording enables them ({@code
 * -XX:StartFlightRecording}, JMC, {@code jcmd <pid> JFR.start}).
 *
 * <p>No event class is touched before the JVM's Flight Recorder is {@linkplain
 * FlightRecorder#isInitialized initialized}: the first use of any event class makes the JDK set up
 * its recorder's metadata, 115-145 ms in a fresh JVM (JDK 17 and 25), which a program that never
 * records would pay on its pool's start. A recording can only enable events once the recorder is
 * initialized, so none is missed.
 */
final class PoolMonitor {
    final LongAdder completed = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final LongAdder workersStarted = new LongAdder();
    final LongAdder crashes = new LongAdder();
    final LongAdder recycled = new LongAdder();

    /** Delivers events to the pool's listener; null without one. */
    private final ListenerThread listener;

    /**
     * Which call events the listener hears: only those it overrides are posted, so one that counts
     * completions pays for one event per call, not three.
     */
    private final boolean hearsQueued;

    private final boolean hearsStarted;
    private final boolean hearsCompleted;

    PoolMonitor() {
        this(null, null);
    }

    PoolMonitor(String pool, PoolListener listener) {
        this.listener = listener == null ? null : new ListenerThread(pool, listener);
        this.hearsQueued = overrides(listener, "callQueued", PoolListener.Call.class);
        this.hearsStarted =
                overrides(
                        listener, "callStarted", PoolListener.Call.class, String.class, int.class);
        this.hearsCompleted =
                overrides(
                        listener,
                        "callCompleted",
                        PoolListener.Call.class,
                        String.class,
                        PoolListener.Outcome.class,
                        Duration.class,
                        Throwable.class);
    }

    /** Whether {@code listener}'s class overrides the method; true when it cannot tell. */
    private static boolean overrides(PoolListener listener, String method, Class<?>... params) {
        if (listener == null) {
            return false;
        }
        try {
            return listener.getClass().getMethod(method, params).getDeclaringClass()
                    != PoolListener.class;
        } catch (NoSuchMethodException | SecurityException e) {
            return true;
        }
    }

    /** The pool has terminated: the listener hears what is left, and its thread ends. */
    void end() {
        if (listener != null) {
            listener.end();
        }
    }

    /**
     * A call's event as posted: one object, which makes what the listener sees on the listener's
     * thread, so that the pool's threads allocate no more than this per event.
     */
    private record CallEvent(
            int kind,
            long id,
            String method,
            String worker,
            int attempt,
            Throwable failure,
            long ranNanos)
            implements ListenerThread.Event {
        static final int QUEUED = 0;
        static final int STARTED = 1;
        static final int COMPLETED = 2;

        @Override
        public void deliver(PoolListener l) {
            PoolListener.Call call = new PoolListener.Call(id, method);
            switch (kind) {
                case QUEUED -> l.callQueued(call);
                case STARTED -> l.callStarted(call, worker, attempt);
                default ->
                        l.callCompleted(
                                call,
                                worker,
                                failure == null
                                        ? PoolListener.Outcome.OK
                                        : failure instanceof CancellationException
                                                ? PoolListener.Outcome.CANCELLED
                                                : PoolListener.Outcome.FAILED,
                                Duration.ofNanos(ranNanos),
                                failure);
            }
        }
    }

    @Name("dev.paralleltask.CallQueued")
    @Label("Call Queued")
    @Category("paralleltask")
    @Description("A call was made and waits for a worker")
    @StackTrace(false)
    static final class CallQueued extends Event {
        @Label("Method")
        String method;

        @Label("Call")
        long call;
    }

    @Name("dev.paralleltask.CallStarted")
    @Label("Call Started")
    @Category("paralleltask")
    @Description("A worker started a call")
    @StackTrace(false)
    static final class CallStarted extends Event {
        @Label("Method")
        String method;

        @Label("Call")
        long call;

        @Label("Worker")
        String worker;

        @Label("Attempt")
        int attempt;

        @Label("Queued")
        @Timespan(Timespan.NANOSECONDS)
        long queued;
    }

    @Name("dev.paralleltask.CallFinished")
    @Label("Call Finished")
    @Category("paralleltask")
    @Description("A call completed, failed, timed out or was cancelled")
    @StackTrace(false)
    static final class CallFinished extends Event {
        @Label("Method")
        String method;

        @Label("Call")
        long call;

        @Label("Worker")
        String worker;

        @Label("Outcome")
        @Description("result, or the class of the failure")
        String outcome;

        @Label("Ran")
        @Timespan(Timespan.NANOSECONDS)
        long ran;

        @Label("Since Queued")
        @Timespan(Timespan.NANOSECONDS)
        long total;
    }

    @Name("dev.paralleltask.WorkerStarted")
    @Label("Worker Started")
    @Category("paralleltask")
    @StackTrace(false)
    static final class WorkerStarted extends Event {
        @Label("Worker")
        String worker;

        @Label("Pid")
        long pid;
    }

    @Name("dev.paralleltask.WorkerExited")
    @Label("Worker Exited")
    @Category("paralleltask")
    @StackTrace(false)
    static final class WorkerExited extends Event {
        @Label("Worker")
        String worker;

        @Label("Pid")
        long pid;

        @Label("Exit Code")
        int exitCode;

        @Label("Crashed")
        @Description("it exited without being asked to: a crash, a kill, a timeout or a cancel")
        boolean crashed;
    }

    /** What a cancelled call's finish names as its outcome. */
    static final CancellationException CANCELLED = new CancellationException("cancelled");

    /**
     * What the finish of a relayed call ({@link PoolCall#relayed}) names as its outcome when its
     * task failed: the JVM that made the call decodes what was thrown.
     */
    static final Throwable RELAYED_FAILURE = new RelayedFailure();

    private static final class RelayedFailure extends Exception {
        private static final long serialVersionUID = 1L;

        RelayedFailure() {
            super("failed; what it threw is decoded where the call was made", null, false, false);
        }
    }

    /**
     * A call was made. One {@code batched} is not yet announced to the listener: {@link #queuedAll}
     * does, with its batch, once for all of them, which spares a map's thread an event per call.
     */
    void queued(PoolCall call, boolean batched) {
        if (hearsQueued && batched) {
            call.announce(PoolCall.HEARD, PoolCall.UNHEARD);
        } else if (hearsQueued && call.counted) {
            listener.post(callEvent(CallEvent.QUEUED, call, null, null));
        }
        if (!call.counted || !FlightRecorder.isInitialized()) {
            return;
        }
        CallQueued e = new CallQueued();
        if (e.shouldCommit()) {
            e.method = call.method.displayName();
            e.call = call.id;
            e.commit();
        }
    }

    /**
     * The calls of a batch are submitted: the listener hears that each was queued, in one event,
     * before any can start. A call cancelled before this had its cancel held back ({@link
     * #finished}), so that the listener hears of it after its queueing, as of any call; it is
     * posted here.
     */
    void queuedAll(List<PoolCall> calls) {
        if (!hearsQueued) {
            return;
        }
        ListenerThread.Batch queued = new ListenerThread.Batch();
        for (PoolCall call : calls) {
            queued.add(callEvent(CallEvent.QUEUED, call, null, null));
        }
        listener.post(queued);
        for (PoolCall call : calls) {
            if (!call.announce(PoolCall.UNHEARD, PoolCall.HEARD)) { // cancelled meanwhile
                listener.post(callEvent(CallEvent.COMPLETED, call, null, CANCELLED));
            }
        }
    }

    /**
     * Events decided under the dispatcher's lock (calls started, calls cancelled), not yet posted:
     * they are, as one, when the lock is released ({@link #postDecided}). Guarded by the
     * dispatcher's lock.
     */
    private ListenerThread.Batch decided = new ListenerThread.Batch();

    /** A call started; under the dispatcher's lock. */
    void started(PoolCall call, Worker worker) {
        if (hearsStarted && call.counted) {
            decided.add(callEvent(CallEvent.STARTED, call, worker.name, null));
        }
        if (!call.counted || !FlightRecorder.isInitialized()) {
            return;
        }
        CallStarted e = new CallStarted();
        if (e.shouldCommit()) {
            e.method = call.method.displayName();
            e.call = call.id;
            e.worker = worker.name;
            e.attempt = call.attempts;
            e.queued = call.startNanos - call.queuedNanos;
            e.commit();
        }
    }

    /**
     * The dispatcher's lock is about to be released: the events decided under it are posted, before
     * anything they let happen (an answer read, a completion) can be.
     */
    void postDecided() {
        if (!decided.isEmpty()) {
            listener.post(decided);
            decided = new ListenerThread.Batch();
        }
    }

    /**
     * A call's future was cancelled; under the dispatcher's lock, so that the listener hears it
     * after the call's start, which the decision holding the lock may have made and not yet posted.
     */
    void cancelled(PoolCall call) {
        finished(call, null, CANCELLED, decided);
    }

    /** Where the completions of a batch of answers gather, or null if the listener hears none. */
    ListenerThread.Batch completions() {
        return hearsCompleted ? new ListenerThread.Batch() : null;
    }

    /** Posts the completions gathered since {@link #completions}. */
    void post(ListenerThread.Batch completions) {
        if (completions != null && !completions.isEmpty()) {
            listener.post(completions);
        }
    }

    /**
     * {@code worker} may be null (the call never reached one); {@code failure} is null for a
     * result.
     */
    void finished(PoolCall call, String worker, Throwable failure) {
        finished(call, worker, failure, null);
    }

    /** As {@link #finished(PoolCall, String, Throwable)}, its event gathered in {@code into}. */
    void finished(PoolCall call, String worker, Throwable failure, ListenerThread.Batch into) {
        if (!call.counted) {
            return;
        }
        (failure == null ? completed : failure == CANCELLED ? cancelled : failed).increment();
        if (hearsCompleted
                && !(hearsQueued && call.announce(PoolCall.UNHEARD, PoolCall.CANCELLED_UNHEARD))) {
            CallEvent completed = callEvent(CallEvent.COMPLETED, call, worker, failure);
            if (into != null) {
                into.add(completed);
            } else {
                listener.post(completed);
            }
        }
        if (!FlightRecorder.isInitialized()) {
            return;
        }
        CallFinished e = new CallFinished();
        if (e.shouldCommit()) {
            long now = System.nanoTime();
            e.method = call.method.displayName();
            e.call = call.id;
            e.worker = worker;
            e.outcome = failure == null ? "result" : failure.getClass().getName();
            e.ran = call.attempts == 0 ? 0 : now - call.startNanos;
            e.total = now - call.queuedNanos;
            e.commit();
        }
    }

    private static CallEvent callEvent(int kind, PoolCall call, String worker, Throwable failure) {
        return new CallEvent(
                kind,
                call.id,
                call.method.displayName(),
                worker,
                call.attempts,
                failure,
                kind == CallEvent.COMPLETED && call.attempts > 0
                        ? System.nanoTime() - call.startNanos
                        : 0);
    }

    void workerStarted(Worker worker) {
        workersStarted.increment();
        if (listener != null) {
            String name = worker.name;
            long pid = worker.pid();
            listener.post(l -> l.workerStarted(name, pid));
        }
        if (!FlightRecorder.isInitialized()) {
            return;
        }
        WorkerStarted e = new WorkerStarted();
        if (e.shouldCommit()) {
            e.worker = worker.name;
            e.pid = worker.pid();
            e.commit();
        }
    }

    /** The pool retires a worker on purpose: {@code why} says which limit it reached. */
    void workerRecycled(Worker worker, String why) {
        recycled.increment();
        if (listener != null) {
            String name = worker.name;
            long pid = worker.pid();
            listener.post(l -> l.workerRecycled(name, pid, why));
        }
    }

    void workerExited(Worker worker, int exitCode) {
        if (!worker.saidBye) {
            crashes.increment();
        }
        if (listener != null) {
            String name = worker.name;
            long pid = worker.pid();
            WorkerCrashedException crash =
                    worker.saidBye
                            ? null
                            : Failures.workerDied(worker.death(exitCode), worker.killedBecause);
            listener.post(l -> l.workerExited(name, pid, exitCode, crash));
        }
        if (!FlightRecorder.isInitialized()) {
            return;
        }
        WorkerExited e = new WorkerExited();
        if (e.shouldCommit()) {
            e.worker = worker.name;
            e.pid = worker.pid();
            e.exitCode = exitCode;
            e.crashed = !worker.saidBye;
            e.commit();
        }
    }
}
