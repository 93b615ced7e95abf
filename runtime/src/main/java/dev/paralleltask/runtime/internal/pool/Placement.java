package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.internal.wire.Frame;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which worker runs which call, and which of a worker's calls it may be running.
 *
 * <p>A worker is sent up to {@code sendAhead} calls at once, so that it never waits for the pool
 * between short calls. It runs them in the order sent, {@code threads} at once, and answers (or
 * drops) each before it takes the next: the first {@code threads} of its calls in flight are the
 * ones it may be running (started: their attempts count, their timeouts run); the others wait in
 * it, and the pool can take them back ({@link Frame.Revoke}): a worker with nothing to do takes
 * half of the waiting calls of the busiest worker, so a long call never holds up the calls sent
 * after it. Guarded by the dispatcher's lock, which every method asserts.
 */
final class Placement {
    /**
     * Calls in flight per worker, when workers do not outnumber cores (see {@link #sendAhead}): the
     * running ones, the others waiting in the worker for their turn. Deep enough that a worker
     * seldom runs dry between two batches from the pool: with 2 workers on 2 cores, no-op calls ran
     * at about 0.65M/s with 32, 0.9M/s with 64 and 1.1M/s with 256 (benchmarks, throughput). A long
     * call holds up none of them: an idle worker takes them back.
     */
    private static final int SEND_AHEAD = 256;

    /**
     * Calls in flight per worker: {@value #SEND_AHEAD}, but no more than {@value #SEND_AHEAD} per
     * core over the whole pool when workers outnumber cores (at least 16), and at least twice a
     * worker's threads. A pool of 8 workers on 2 cores ran 100,000 no-op calls at 152,000 calls/s
     * with 256 each and at 596,000-616,000 with 64 each (a pool of 2: 0.9-1.1M; benchmarks, {@code
     * oversubscribed}): every call sent ahead to one of many workers is one more that an idle
     * worker takes back, and one more wake-up of a process that shares a core.
     */
    static int sendAhead(int workers, int threadsPerWorker) {
        int cores = Runtime.getRuntime().availableProcessors();
        int perWorker = workers <= cores ? SEND_AHEAD : Math.max(16, SEND_AHEAD * cores / workers);
        return Math.max(perWorker, 2 * threadsPerWorker);
    }

    /** The longest timeout a worker is told of: it keeps no watch on longer ones. */
    private static final long MAX_TIMEOUT = Integer.MAX_VALUE;

    private final ReentrantLock lock;
    private final int threads;
    private final int sendAhead;
    private final int maxTasksPerWorker;
    private final Timeouts timeouts;
    private final PoolMonitor monitor;

    Placement(
            ReentrantLock lock,
            int threads,
            int sendAhead,
            int maxTasksPerWorker,
            Timeouts timeouts,
            PoolMonitor monitor) {
        this.lock = lock;
        this.threads = threads;
        this.sendAhead = sendAhead;
        this.maxTasksPerWorker = maxTasksPerWorker;
        this.timeouts = timeouts;
        this.monitor = monitor;
    }

    /**
     * The worker with the fewest calls in flight among those that {@linkplain #takesMore take
     * more}; null if none does.
     */
    Worker leastBusy(List<Worker> ready) {
        assert lock.isHeldByCurrentThread();
        Worker least = null;
        for (Worker w : ready) {
            if (takesMore(w) && (least == null || w.inFlight.size() < least.inFlight.size())) {
                least = w;
            }
        }
        return least;
    }

    /**
     * Whether the worker is sent more calls now: it has room, and no more than half of {@code
     * sendAhead} in flight. A worker that has more is left to run down to half before it is topped
     * up, so that calls reach it, and its answers come back, many at a time: topped up call by
     * call, 16 workers on 2 cores each woke for every call, and ran no-op calls at a tenth of the
     * rate of 2. A worker with calls waiting has enough to do meanwhile.
     */
    boolean takesMore(Worker worker) {
        assert lock.isHeldByCurrentThread();
        return room(worker) > 0 && worker.inFlight.size() <= sendAhead / 2;
    }

    /** How many more calls the worker may be sent now. */
    int room(Worker worker) {
        assert lock.isHeldByCurrentThread();
        if (worker.recycling) {
            return 0;
        }
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

    /** Whether the worker has run as many calls as it may. */
    boolean isWorn(Worker worker) {
        assert lock.isHeldByCurrentThread();
        return worker.recycling
                || (maxTasksPerWorker > 0 && worker.tasksCompleted >= maxTasksPerWorker);
    }

    /** Takes back every call waiting at the worker, not started: they go to other workers. */
    void revokeWaiting(Worker worker) {
        assert lock.isHeldByCurrentThread();
        for (PoolCall c : worker.inFlight) {
            if (isWaiting(c)) {
                revoke(worker, c, false);
            }
        }
    }

    /** Sends the call to the worker, after the calls it has; it starts if it is among the first. */
    void dispatch(Worker worker, PoolCall call) {
        assert lock.isHeldByCurrentThread();
        worker.idleSince = 0;
        call.worker = worker;
        worker.inFlight.addLast(call);
        worker.post(
                new Frame.Call(call.id, call.body, (int) Math.min(timeouts.of(call), MAX_TIMEOUT)));
        if (worker.inFlight.size() <= threads) {
            start(worker, call);
        }
    }

    /**
     * The worker's first {@code threads} calls in flight are the ones it runs: each counts as
     * started, and its timeout starts. A call cancelled meanwhile stays in its place until the
     * worker answers or drops it.
     */
    void startRunning(Worker worker) {
        assert lock.isHeldByCurrentThread();
        int i = 0;
        for (Iterator<PoolCall> it = worker.inFlight.iterator(); i++ < threads && it.hasNext(); ) {
            start(worker, it.next());
        }
    }

    private void start(Worker worker, PoolCall call) {
        if (!call.start(System.nanoTime())) {
            return; // started already, or cancelled
        }
        monitor.started(call, worker);
        timeouts.arm(call);
    }

    /**
     * Revokes half of the calls waiting at the busiest worker other than {@code thief}, which has
     * nothing to do; they come back as {@link Frame.Dropped} and are queued again. Returns the
     * worker asked, or null.
     */
    Worker steal(Worker thief, List<Worker> ready) {
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
    int waitingCalls(Worker worker) {
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
    private static boolean isWaiting(PoolCall c) {
        return !c.started && !c.revoked && !c.isDone() && c.pinnedTo == null;
    }

    /** Whether the worker may be running the call: it is among its first {@code threads}. */
    boolean isRunning(Worker worker, PoolCall call) {
        return runningCall(worker, call.id) == call;
    }

    /** The call with this id among those the worker may be running; null if none. */
    PoolCall runningCall(Worker worker, long id) {
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

    /** The revoked call with this id among the worker's calls in flight; null if none. */
    PoolCall revokedCall(Worker worker, long id) {
        assert lock.isHeldByCurrentThread();
        for (PoolCall c : worker.inFlight) {
            if (c.id == id && c.revoked) {
                return c;
            }
        }
        return null;
    }

    /** Asks the worker to give back a call it has not started. */
    void revoke(Worker worker, PoolCall call, boolean interrupt) {
        assert lock.isHeldByCurrentThread();
        call.revoked = true;
        worker.post(new Frame.Revoke(call.id, interrupt));
    }
}
