package dev.paralleltask.cluster.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A node's side of the {@link Exchange} protocol: the calls its clients sent, held in the order
 * they were numbered, started as far as each client granted and as workers are free, and their
 * answers kept until the session's next poll takes them.
 *
 * <p>The node admits at most {@link Exchange#admits} calls at once, all sessions together (what its
 * workers run and a bounded queue), and {@link Exchange#ADMIT_BYTES} of calls waiting to start; a
 * {@link Exchange.Send} beyond that is admitted in part, and its client sends the rest elsewhere.
 * No Ignite here: {@link CallStarter} runs a call, so the rules are tested alone.
 *
 * <p>Thread rules (CONCURRENCY.md, rule 14): all state is guarded by one lock; a call is started,
 * and a running one stopped, only after the lock is let go, and a decision to start is recorded
 * under the lock first, so a session's starts are numbered in order whatever thread carries them
 * out.
 */
public final class CallSessions {
    /** How long a poll waits for something to say before it answers with nothing. */
    public static final long POLL_MILLIS = 1_000;

    /** A session no poll came for in this long is closed: its client is gone. */
    public static final long EXPIRY_MILLIS = 30_000;

    private final CallStarter starter;
    private final int capacity;
    private final int admits;

    /** The most bytes of calls admitted and not started it holds ({@link #admitsAnother}). */
    private final long admitBytes;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();

    /** By session id, oldest first; guarded by the lock. */
    private final Map<UUID, NodeSession> sessions = new LinkedHashMap<>();

    /** Calls admitted and not yet ended, all sessions together; guarded by the lock. */
    private int held;

    /** Calls started and not yet ended, all sessions together; guarded by the lock. */
    private int running;

    /** Whether the node is leaving: it admits nothing and gives back what it has not started. */
    private boolean leaving;

    public CallSessions(int capacity, CallStarter starter) {
        this(capacity, Exchange.ADMIT_BYTES, starter);
    }

    /** With a bound of its own on the bytes of the calls waiting: for tests. */
    CallSessions(int capacity, long admitBytes, CallStarter starter) {
        this.starter = starter;
        this.capacity = capacity;
        this.admits = Exchange.admits(capacity);
        this.admitBytes = admitBytes;
    }

    /** Admits what fits of the calls, and starts what may start. */
    Exchange.Reply send(Exchange.Send send, long now) {
        List<NodeSession.Run> starts;
        Exchange.Reply reply;
        lock.lock();
        try {
            NodeSession s = sessions.get(send.session());
            if (s == null) {
                s = new NodeSession(send.session(), send.first(), now);
                sessions.put(s.id, s);
            }
            if (send.first() != s.next) {
                throw new IllegalStateException(
                        "calls numbered from " + send.first() + " where " + s.next + " was next");
            }
            int admitted = 0;
            long bytes = bytesWaiting();
            for (byte[] request : send.requests()) {
                if (!admitsAnother(bytes, request.length)) {
                    break;
                }
                s.admit(request);
                held++;
                bytes += request.length;
                admitted++;
            }
            s.grant = Math.max(s.grant, send.grant());
            starts = startable();
            reply = reply(s, admitted, List.of(), List.of());
        } finally {
            lock.unlock();
        }
        start(starts);
        return reply;
    }

    /**
     * Takes the client's grant, starts what may start now, and returns a future completed once
     * there is something to say: answers, calls given back, starts the client has not heard of, or
     * free workers its grant does not reach.
     */
    CompletableFuture<Void> poll(Exchange.Poll poll, long now) {
        List<NodeSession.Run> starts;
        CompletableFuture<Void> ready;
        lock.lock();
        try {
            NodeSession s = sessions.get(poll.session());
            if (s == null) {
                return CompletableFuture.completedFuture(null); // closed, or expired: say so
            }
            s.lastPoll = now;
            s.grant = Math.max(s.grant, poll.grant());
            starts = startable();
            ready = new CompletableFuture<>();
            if (hasNews(s) || !starts.isEmpty()) {
                ready.complete(null);
            } else {
                s.poll = ready;
            }
        } finally {
            lock.unlock();
        }
        start(starts);
        return ready;
    }

    /**
     * A future completed once the session has answers or calls to give back (at once if it has),
     * for a batch whose reply may wait for them.
     */
    CompletableFuture<Void> awaitAnswers(UUID session) {
        lock.lock();
        try {
            NodeSession s = sessions.get(session);
            if (s == null || !s.outbox.isEmpty() || !s.returned.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            s.poll = new CompletableFuture<>();
            return s.poll;
        } finally {
            lock.unlock();
        }
    }

    /** What a session's poll returns: its answers and returned calls, taken. */
    Exchange.Reply take(UUID session) {
        lock.lock();
        try {
            NodeSession s = sessions.get(session);
            if (s == null) {
                return reply(null, 0, List.of(), List.of());
            }
            List<Exchange.Answered> answers = s.outbox;
            List<Long> returned = s.returned;
            s.told();
            drained.signalAll();
            return reply(s, 0, answers, returned);
        } finally {
            lock.unlock();
        }
    }

    /** Drops a call not started; stops a running one if asked. */
    Exchange.Reply cancel(Exchange.Cancel cancel) {
        Runnable stop = null;
        Exchange.Reply reply;
        lock.lock();
        try {
            NodeSession s = sessions.get(cancel.session());
            if (s != null && s.dropWaiting(cancel.index())) {
                ended(1);
            } else if (s != null && cancel.interrupt()) {
                NodeSession.Run run = s.started.get(cancel.index());
                stop = run == null ? null : stop(run);
            }
            reply = reply(null, 0, List.of(), List.of());
        } finally {
            lock.unlock();
        }
        if (stop != null) {
            stop.run();
        }
        return reply;
    }

    /** Gives back up to the asked number of calls not started, the last sent first. */
    Exchange.Reply withdraw(Exchange.Withdraw withdraw) {
        lock.lock();
        try {
            NodeSession s = sessions.get(withdraw.session());
            if (s == null) {
                return reply(null, 0, List.of(), List.of());
            }
            List<Long> back = s.takeBack(withdraw.count());
            ended(back.size());
            return reply(s, 0, List.of(), back);
        } finally {
            lock.unlock();
        }
    }

    /** Ends a session: what it has not started never starts, what runs is stopped. */
    Exchange.Reply close(UUID session) {
        List<Runnable> stops = new ArrayList<>();
        List<CompletableFuture<Void>> woken = new ArrayList<>();
        Exchange.Reply reply;
        lock.lock();
        try {
            reply = reply(null, 0, List.of(), List.of());
            NodeSession s = sessions.remove(session);
            if (s == null) {
                return reply;
            }
            ended(s.dropAllWaiting());
            for (NodeSession.Run run : s.started.values()) {
                Runnable stop = stop(run);
                if (stop != null) {
                    stops.add(stop);
                }
            }
            wake(s, woken);
        } finally {
            lock.unlock();
        }
        wake(woken);
        stops.forEach(Runnable::run);
        return reply;
    }

    /** Closes the sessions whose clients stopped polling {@link #EXPIRY_MILLIS} ago. */
    public void expire(long now) {
        List<UUID> gone = new ArrayList<>();
        lock.lock();
        try {
            sessions.values().stream()
                    .filter(s -> s.idleSince(now, EXPIRY_MILLIS))
                    .forEach(s -> gone.add(s.id));
        } finally {
            lock.unlock();
        }
        gone.forEach(this::close);
    }

    /**
     * The node is leaving: it admits nothing more and gives every call it has not started back to
     * its client, with the session's next poll. Calls that run go on and are answered.
     */
    public void leave() {
        List<CompletableFuture<Void>> woken = new ArrayList<>();
        lock.lock();
        try {
            leaving = true;
            for (NodeSession s : sessions.values()) {
                ended(s.returnAll());
                wake(s, woken);
            }
        } finally {
            lock.unlock();
        }
        wake(woken);
    }

    /**
     * Waits, after {@link #leave}, until every call has ended and its answer was taken, or the time
     * is up.
     *
     * @return whether all was said
     */
    public boolean awaitDrained(long millis) throws InterruptedException {
        long left = TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            while (!isDrained()) {
                if (left <= 0) {
                    return false;
                }
                left = drained.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Calls admitted and not yet ended, all sessions together. */
    public int held() {
        lock.lock();
        try {
            return held;
        } finally {
            lock.unlock();
        }
    }

    private boolean isDrained() {
        return held == 0
                && sessions.values().stream()
                        .allMatch(s -> s.outbox.isEmpty() && s.returned.isEmpty());
    }

    /**
     * The calls that may start now, recorded as started: in each session in order, up to its grant,
     * taking the sessions in turn; under the lock.
     */
    private List<NodeSession.Run> startable() {
        List<NodeSession.Run> starts = List.of();
        boolean more = true;
        while (more) {
            more = false;
            for (NodeSession s : sessions.values()) { // one call of each session in turn
                if (!s.mayStart()) {
                    continue;
                }
                NodeSession.Waiting w = s.startNext();
                assert w.index() > s.frontier : "calls of a session start in order";
                s.frontier = w.index();
                NodeSession.Run run = new NodeSession.Run(s, w.index(), w.request());
                s.started.put(w.index(), run);
                running++;
                if (starts.isEmpty()) {
                    starts = new ArrayList<>();
                }
                starts.add(run);
                more = true;
            }
        }
        return starts;
    }

    /** Whether a session's poll has something to say; under the lock. */
    private boolean hasNews(NodeSession s) {
        return !s.outbox.isEmpty()
                || !s.returned.isEmpty()
                || s.frontier != s.frontierSaid
                || (s.blocked() && running < capacity);
    }

    /**
     * Starts what was decided, on the thread that decided it; never under the lock. A call that
     * ends before its start is recorded here (it could not start, or was quick) is answered all the
     * same, and one whose stop was asked meanwhile is stopped now.
     */
    private void start(List<NodeSession.Run> runs) {
        assert !lock.isHeldByCurrentThread() : "calls start after the lock is let go";
        if (runs.isEmpty()) {
            return;
        }
        List<byte[]> requests = new ArrayList<>(runs.size());
        for (NodeSession.Run run : runs) {
            requests.add(run.request);
            run.request = null;
        }
        List<Runnable> stops;
        try {
            stops = starter.start(requests, (i, reply) -> answered(runs.get(i), reply));
        } catch (RuntimeException | Error e) {
            Wire.Reply failed = new Wire.Unrunnable("the node failed to start it: " + e);
            runs.forEach(run -> answered(run, failed)); // those not yet told
            return;
        }
        List<Runnable> stopNow = new ArrayList<>(0);
        lock.lock();
        try {
            for (int i = 0; i < runs.size(); i++) {
                NodeSession.Run run = runs.get(i);
                run.stop = stops.get(i);
                if (run.stopAsked && !run.ended) {
                    stopNow.add(run.stop);
                }
            }
        } finally {
            lock.unlock();
        }
        stopNow.forEach(Runnable::run);
    }

    /**
     * A call ended: its answer waits for the session's next poll; a second end told of a call (a
     * starter that failed after telling some) is ignored. Runs on the thread that ended the call,
     * which on a node is the pool's reader: it starts no call, and need not, since what may start
     * changes only with a client's message, which starts it then.
     */
    private void answered(NodeSession.Run run, Wire.Reply reply) {
        byte[] bytes = reply.toBytes();
        List<CompletableFuture<Void>> woken = new ArrayList<>();
        lock.lock();
        try {
            if (run.ended) {
                return;
            }
            run.ended = true;
            NodeSession s = run.session;
            s.started.remove(run.index);
            running--;
            ended(1);
            if (sessions.get(s.id) == s) {
                s.outbox.add(new Exchange.Answered(run.index, bytes));
                wake(s, woken);
            }
            assert sessions.values().stream().noneMatch(NodeSession::mayStart)
                    : "only a client's message lets a call start";
            if (running < capacity) { // a worker is free: clients waiting on a grant hear so
                for (NodeSession other : sessions.values()) {
                    if (other.blocked()) {
                        wake(other, woken);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        wake(woken);
    }

    /**
     * Whether one more call of {@code length} bytes fits beside {@code waitingBytes} of calls not
     * started: a call fits if fewer than {@link Exchange#admits} are held and its bytes fit under
     * {@link Exchange#ADMIT_BYTES}, or nothing waits (a call larger than that can still run); under
     * the lock.
     */
    private boolean admitsAnother(long waitingBytes, int length) {
        return !leaving
                && held < admits
                && (waitingBytes == 0 || waitingBytes + length <= admitBytes);
    }

    /** The bytes of the calls admitted and not started, all sessions together. */
    long waitingBytes() {
        lock.lock();
        try {
            return bytesWaiting();
        } finally {
            lock.unlock();
        }
    }

    /** {@link #waitingBytes}; under the lock. */
    private long bytesWaiting() {
        assert lock.isHeldByCurrentThread() : "under the lock";
        return sessions.values().stream().mapToLong(s -> s.waitingBytes).sum();
    }

    /** What stops a run, or null if it is stopped when it starts; under the lock. */
    private static Runnable stop(NodeSession.Run run) {
        if (run.stop == null) {
            run.stopAsked = true;
            return null;
        }
        return run.stop;
    }

    private void ended(int calls) {
        held -= calls;
        assert held >= 0 : "a call ended twice";
        drained.signalAll();
    }

    /** Takes a session's waiting poll, to complete once the lock is let go; under the lock. */
    private static void wake(NodeSession s, List<CompletableFuture<Void>> woken) {
        if (s.poll != null) {
            woken.add(s.poll);
            s.poll = null;
        }
    }

    /** Completes polls taken under the lock: what waits on them may come back in. */
    private void wake(List<CompletableFuture<Void>> woken) {
        assert !lock.isHeldByCurrentThread() : "polls are woken after the lock is let go";
        woken.forEach(f -> f.complete(null));
    }

    /** A reply with the session's state; under the lock. */
    private Exchange.Reply reply(
            NodeSession s, int admitted, List<Exchange.Answered> answers, List<Long> returned) {
        return new Exchange.Reply(
                s == null ? -1 : s.frontier,
                Math.max(0, capacity - running),
                leaving || bytesWaiting() >= admitBytes ? 0 : Math.max(0, admits - held),
                leaving,
                admitted,
                answers,
                returned);
    }
}
