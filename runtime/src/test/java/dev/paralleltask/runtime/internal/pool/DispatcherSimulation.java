package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.wire.Frame;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.RejectedExecutionException;

/**
 * One run of the pool's parent side against simulated workers, every choice drawn from one seed:
 * the dispatcher's decisions as they are, with the worker loop, the answer readers, the supervisor,
 * the timer and the caller played by a scheduler that picks the next event at random among those
 * that can happen. Answers come in any order the worker protocol allows, workers crash at any point
 * (in the middle of what they were sent, before their handshake, while stopping), calls are
 * cancelled, stolen and timed out, the pool grows, keeps spares and is shut down.
 *
 * <p>After every step it checks that no call runs twice at once or more often than its retries
 * allow (a {@code retries = 0} call: once at most), that every call accepted and not done is in
 * exactly one place (the queue or one worker's calls in flight), and that no worker sees a frame
 * out of turn; at the end, that the pool terminates once shut down and every accepted call
 * completed. The same seed replays the same run: {@link #run} throws a {@link Violation} naming the
 * seed and the last events.
 */
final class DispatcherSimulation {
    /** An invariant that broke, with the seed that replays it and the events that led there. */
    static final class Violation extends AssertionError {
        Violation(String message) {
            super(message);
        }
    }

    private static final int STEPS = 120;
    private static final int MAX_DRAIN_STEPS = 20_000;
    private static final int TRACE = 60;

    private final long seed;
    private final Random random;
    private final ManualTimer timer = new ManualTimer();
    private final Dispatcher dispatcher;
    private final int threads;
    private final List<TaskMethod> methods = new ArrayList<>();
    private final List<SimWorker> workers = new ArrayList<>();
    private final Map<Worker, SimWorker> sims = new IdentityHashMap<>();
    private final List<Accepted> accepted = new ArrayList<>();
    private final Map<Long, Accepted> byId = new HashMap<>();
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private int pendingLaunches;
    private boolean shutDown;
    private int step;
    private long ids;

    /** A call the caller holds the future of. */
    private static final class Accepted {
        final PoolCall call;
        int starts;
        SimWorker runningOn;

        Accepted(PoolCall call) {
            this.call = call;
        }
    }

    /** What a worker process does with what it is sent, as WorkerLoop does it. */
    private final class SimWorker {
        final Worker worker;
        boolean connected;
        boolean alive = true;
        boolean reaped;
        boolean stopping;
        boolean saidBye;
        final ArrayDeque<Frame.ToWorker> received = new ArrayDeque<>();
        final ArrayDeque<Long> waiting = new ArrayDeque<>();
        final List<Long> running = new ArrayList<>();
        final ArrayDeque<Frame> answers = new ArrayDeque<>();

        SimWorker(Worker worker) {
            this.worker = worker;
        }

        @Override
        public String toString() {
            return worker.name;
        }
    }

    /** Whether events are written down: only when a run that failed is run again to show how. */
    private final boolean tracing;

    DispatcherSimulation(long seed) {
        this(seed, false);
    }

    private DispatcherSimulation(long seed, boolean tracing) {
        this.seed = seed;
        this.tracing = tracing;
        this.random = new Random(seed);
        // One seed in four is an actor's pool: one worker, never retired, restarted a few times.
        boolean actor = random.nextInt(4) == 0;
        int size = actor ? 1 : 1 + random.nextInt(3);
        int min = actor || random.nextBoolean() ? size : 1 + random.nextInt(size);
        this.threads = random.nextInt(4) == 0 ? 2 : 1;
        Dispatcher.Sizing sizing =
                new Dispatcher.Sizing(
                        size,
                        min,
                        !actor && random.nextInt(3) == 0 ? 1 : 0,
                        Duration.ofSeconds(60),
                        threads);
        int maxTasks = !actor && random.nextInt(4) == 0 ? 1 + random.nextInt(5) : 0;
        int sendAhead = Math.max(2 * threads, 1 + random.nextInt(8));
        Duration defaultTimeout = random.nextInt(5) == 0 ? Duration.ofMillis(300) : Duration.ZERO;
        this.dispatcher =
                new Dispatcher(
                        "pool-sim",
                        "sim-",
                        sizing,
                        maxTasks,
                        sendAhead,
                        defaultTimeout,
                        timer,
                        this::carryOut,
                        new PoolMonitor(),
                        false);
        dispatcher.useClock(timer::nanoTime);
        int restarts = random.nextInt(3);
        if (actor) {
            dispatcher.limitRestarts("sim-actor", restarts);
        }
        for (int retries : actor ? new int[] {0} : new int[] {0, 0, 1, 2}) {
            for (long timeout : new long[] {0, 0, 150, 1_000}) {
                methods.add(
                        new TaskMethod(
                                (m, target, args) -> null,
                                0,
                                "Sim.run(retries=" + retries + ", timeout=" + timeout + ")",
                                List.of(),
                                timeout,
                                retries));
            }
        }
        pendingLaunches = min + sizing.spareWorkers();
        note(
                "sizing ",
                sizing,
                ", maxTasks ",
                maxTasks,
                ", sendAhead ",
                sendAhead,
                actor ? ", an actor's pool with restarts " + restarts : "");
    }

    /**
     * Runs the seed's events, then shuts the pool down and lets everything settle.
     *
     * @throws Violation if an invariant broke, with the events that led there
     */
    void run() {
        try {
            play();
        } catch (RuntimeException | Error e) {
            if (tracing) {
                throw e;
            }
            DispatcherSimulation again = new DispatcherSimulation(seed, true);
            again.play(); // the same run, written down this time; it throws the same way
            throw new Violation("seed " + seed + " failed, but not when run again: " + e);
        }
    }

    private void play() {
        int shutdownAt = random.nextInt(STEPS);
        for (step = 0; step < STEPS; step++) {
            if (step == shutdownAt) {
                shutdown();
            } else {
                stepOnce(true);
            }
            check();
        }
        if (!shutDown) {
            shutdown();
        }
        for (int drained = 0; !settled(); drained++) {
            if (drained > MAX_DRAIN_STEPS || !stepOnce(false)) {
                throw violation("the pool does not terminate after shutdown: " + dispatcher);
            }
            check();
            step++;
        }
    }

    private boolean settled() {
        if (!dispatcher.isTerminated()) {
            return false;
        }
        for (Accepted a : accepted) {
            if (!a.call.isDone()) {
                throw violation("the pool terminated with call " + a.call.id + " not done");
            }
        }
        return true;
    }

    // ---- Events ----

    /** Takes one event among those that can happen; false if none can. */
    private boolean stepOnce(boolean callerActs) {
        List<Runnable> can = new ArrayList<>();
        if (callerActs) {
            if (!shutDown) {
                can.add(this::submit);
                can.add(this::submit);
            }
            if (random.nextInt(4) == 0) {
                can.add(this::cancelOne);
            }
            if (random.nextInt(8) == 0) {
                can.add(this::crashOne);
            }
        }
        if (pendingLaunches > 0) {
            can.add(this::launch);
        }
        if (timer.hasTasks()) {
            can.add(this::fireTimer);
        }
        for (SimWorker w : workers) {
            if (w.reaped) {
                continue;
            }
            if (w.alive && !w.connected) {
                can.add(() -> connect(w));
            }
            if (w.alive && w.connected) {
                if (!w.received.isEmpty() || w.worker.hasPosted()) {
                    can.add(() -> readFromPool(w));
                }
                if (w.running.size() < threads && !w.waiting.isEmpty()) {
                    can.add(() -> startNext(w));
                }
                if (!w.running.isEmpty()) {
                    can.add(() -> finishOne(w));
                }
                if (w.stopping && w.waiting.isEmpty() && w.running.isEmpty()) {
                    can.add(() -> sayBye(w));
                }
            }
            if (w.connected && !w.answers.isEmpty()) {
                can.add(() -> readAnswer(w));
            }
            if (!w.alive && w.answers.isEmpty()) {
                can.add(() -> reap(w));
            }
        }
        if (can.isEmpty()) {
            return false;
        }
        can.get(random.nextInt(can.size())).run();
        return true;
    }

    private void submit() {
        int n = random.nextInt(4) == 0 ? 2 + random.nextInt(6) : 1;
        List<PoolCall> calls = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            TaskMethod method = methods.get(random.nextInt(methods.size()));
            calls.add(
                    new PoolCall(
                            ++ids,
                            method,
                            new byte[0],
                            (c, interrupt) -> carryOut(dispatcher.cancelled(c, interrupt)),
                            null,
                            true,
                            false,
                            null));
        }
        if (n == 1) {
            PoolCall call = calls.get(0);
            note("submit ", call.id, " ", call.method.displayName());
            try {
                Actions actions = dispatcher.submit(call);
                accept(call);
                carryOut(actions);
            } catch (RejectedExecutionException e) {
                note("  rejected");
            }
        } else {
            note("submitAll ", calls.get(0).id, "..", calls.get(n - 1).id);
            calls.forEach(this::accept);
            carryOut(dispatcher.submitAll(calls));
        }
    }

    private void accept(PoolCall call) {
        Accepted a = new Accepted(call);
        accepted.add(a);
        byId.put(call.id, a);
    }

    private void cancelOne() {
        List<Accepted> open = accepted.stream().filter(a -> !a.call.isDone()).toList();
        if (open.isEmpty()) {
            return;
        }
        Accepted a = open.get(random.nextInt(open.size()));
        boolean interrupt = random.nextBoolean();
        note("cancel(", interrupt, ") ", a.call.id);
        a.call.future.cancel(interrupt);
    }

    private void crashOne() {
        List<SimWorker> live = workers.stream().filter(w -> w.alive).toList();
        if (!live.isEmpty()) {
            die(live.get(random.nextInt(live.size())), "crashes");
        }
    }

    private void launch() {
        pendingLaunches--;
        Worker worker = dispatcher.newWorker();
        if (worker == null) {
            note("launch: not needed");
            return;
        }
        SimWorker w = new SimWorker(worker);
        workers.add(w);
        sims.put(worker, w);
        note("launch ", w);
        carryOut(dispatcher.launched(worker));
    }

    private void connect(SimWorker w) {
        if (random.nextInt(6) == 0) {
            die(w, "dies before its handshake");
            return;
        }
        Actions actions = dispatcher.connected(w.worker, w.worker.pid(), null, null);
        note("hello ", w, (actions == null ? ": dropped" : ""));
        if (actions == null) {
            die(w, "is turned away");
            return;
        }
        w.connected = true;
        carryOut(actions);
    }

    private void fireTimer() {
        note("timer at ", timer.nowMillis(), " ms");
        timer.fireNext();
    }

    /** The worker's reader takes one frame the pool sent. */
    private void readFromPool(SimWorker w) {
        w.received.addAll(w.worker.drainOutbox());
        Frame.ToWorker frame = w.received.pollFirst();
        note(w, " reads ", frame);
        if (frame instanceof Frame.Call c) {
            w.waiting.addLast(c.id());
        } else if (frame instanceof Frame.Revoke r) {
            if (w.waiting.remove(r.id())) {
                w.answers.addLast(new Frame.Dropped(r.id()));
            } else if (r.interrupt() && w.running.contains(r.id())) {
                die(w, "halts for cancel(true) of " + r.id());
            }
        } else if (frame instanceof Frame.StackRequest s) {
            w.answers.addLast(new Frame.Stack(s.id(), new byte[0]));
        } else if (frame instanceof Frame.Stop) {
            w.stopping = true;
        } else {
            throw violation("a worker does not expect " + frame);
        }
    }

    private void startNext(SimWorker w) {
        long id = w.waiting.pollFirst();
        w.running.add(id);
        Accepted a = byId.get(id);
        note(w, " starts ", id);
        if (a == null) {
            throw violation("worker " + w + " was sent call " + id + ", which nobody made");
        }
        if (a.runningOn != null) {
            throw violation("call " + id + " runs on " + w + " while it runs on " + a.runningOn);
        }
        a.runningOn = w;
        a.starts++;
        if (a.starts > a.call.method.retries() + 1) {
            throw violation(
                    "call "
                            + id
                            + " started "
                            + a.starts
                            + " times; "
                            + a.call.method.displayName()
                            + " allows "
                            + (a.call.method.retries() + 1));
        }
    }

    private void finishOne(SimWorker w) {
        long id = w.running.remove(random.nextInt(w.running.size()));
        byId.get(id).runningOn = null;
        int outcome = random.nextInt(20);
        Frame answer =
                outcome < 17
                        ? new Frame.Result(id, new byte[0])
                        : new Frame.Failure(id, outcome == 19, new byte[0]);
        note(w, " answers ", answer);
        w.answers.addLast(answer);
    }

    private void sayBye(SimWorker w) {
        note(w, " says goodbye and exits");
        w.answers.addLast(new Frame.Bye());
        w.alive = false;
        w.saidBye = true;
    }

    /** The pool's reader for the worker takes one answer, as AnswerReader does. */
    private void readAnswer(SimWorker w) {
        Frame frame = w.answers.pollFirst();
        note("reader of ", w, " takes ", frame);
        Actions actions = new Actions();
        if (frame instanceof Frame.Failure f && f.fatal()) {
            boolean inTurn =
                    dispatcher.answeredFatally(
                            w.worker, f.id(), new OutOfMemoryError("sim"), actions);
            carryOut(actions);
            requireInTurn(inTurn, w, frame);
        } else if (frame instanceof Frame.Answer answer) {
            PoolCall call = dispatcher.answered(w.worker, new long[] {answer.id()}, 1, actions)[0];
            carryOut(actions);
            requireInTurn(call != null, w, frame);
            if (answer instanceof Frame.Result) {
                CallFutures.complete(call.future, null);
            } else {
                CallFutures.fail(call.future, new IllegalStateException("the task threw"));
            }
        } else if (frame instanceof Frame.Dropped d) {
            boolean inTurn = dispatcher.dropped(w.worker, d.id(), actions);
            carryOut(actions);
            requireInTurn(inTurn, w, frame);
        } else if (frame instanceof Frame.Stack s) {
            carryOut(dispatcher.stackArrived(w.worker, s.id(), new StackTraceElement[0]));
        } else if (!(frame instanceof Frame.Bye)) {
            throw violation("unexpected " + frame);
        }
    }

    private void requireInTurn(boolean inTurn, SimWorker w, Frame frame) {
        if (!inTurn) {
            throw violation("the pool took " + frame + " of " + w + " as out of turn");
        }
    }

    /** The supervisor reaps a process that exited, once its reader has read all it answered. */
    private void reap(SimWorker w) {
        w.reaped = true;
        note("reap ", w);
        carryOut(
                dispatcher.died(
                        w.worker,
                        w.saidBye ? 0 : 137,
                        w.connected
                                ? null
                                : Failures.startFailure(
                                        "sim: " + w + " died before its handshake",
                                        List.of(),
                                        null)));
    }

    private void die(SimWorker w, String how) {
        if (w.alive) {
            note(w, " ", how);
            w.alive = false;
            for (long id : w.running) {
                byId.get(id).runningOn = null;
            }
        }
    }

    private void shutdown() {
        shutDown = true;
        if (random.nextBoolean()) {
            note("shutdown()");
            carryOut(dispatcher.shutdown());
        } else {
            note("shutdownNow()");
            Dispatcher.Stopped stopped = dispatcher.shutdownNow();
            carryOut(stopped.actions());
            stopped.neverStarted().forEach(f -> f.cancel(false));
            stopped.running().forEach(f -> f.cancel(true));
        }
    }

    /** What Pool.carryOut does, for the simulated processes. */
    private void carryOut(Actions actions) {
        for (Worker killed : actions.kills) {
            SimWorker w = sims.get(killed);
            if (w != null) {
                die(w, "is killed by the pool");
            }
        }
        for (Actions.Settlement s : actions.settlements) {
            CallFutures.fail(s.call().future, s.failure());
        }
        pendingLaunches += actions.launches;
    }

    // ---- Invariants ----

    /** Every accepted call that is not done is in exactly one place. */
    private void check() {
        int open = 0;
        for (Accepted a : accepted) {
            if (!a.call.isDone()) {
                open++;
            }
        }
        Dispatcher.Snapshot now = dispatcher.snapshot();
        if (now.queued() + now.running() != open) {
            throw violation(
                    open
                            + " calls not done, but the pool holds "
                            + now.queued()
                            + " queued and "
                            + now.running()
                            + " in flight: a call is lost or in two places");
        }
    }

    /** Writes an event down, from parts joined only when tracing. */
    private void note(Object... event) {
        if (!tracing) {
            return;
        }
        if (trace.size() == TRACE) {
            trace.removeFirst();
        }
        StringBuilder line = new StringBuilder().append(step).append(": ");
        for (Object part : event) {
            line.append(part);
        }
        trace.addLast(line.toString());
    }

    private Violation violation(String what) {
        return new Violation(
                "seed "
                        + seed
                        + ", step "
                        + step
                        + ": "
                        + what
                        + "\nlast events:\n  "
                        + String.join("\n  ", trace)
                        + "\nreplay: mvn -pl runtime test -Dtest=DispatcherSimulationTest -Dsim.seed="
                        + seed);
    }
}
