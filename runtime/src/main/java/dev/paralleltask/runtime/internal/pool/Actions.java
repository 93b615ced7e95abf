package dev.paralleltask.runtime.internal.pool;

import java.util.ArrayList;
import java.util.List;

/**
 * What the dispatcher decided under its lock, to be carried out after it is released: frames to
 * send, workers to kill, futures to settle, workers to launch. Filled by one locked section of
 * {@link Dispatcher}, then read only.
 */
final class Actions {
    /** A call to fail, and the worker it was on (null if none). */
    record Settlement(PoolCall call, String worker, Throwable failure) {}

    /** Workers with frames posted to their outbox, in the order decided. */
    final List<Worker> sends = new ArrayList<>(2);

    /** Workers whose process is to be killed. */
    final List<Worker> kills = new ArrayList<>(1);

    /** Calls to fail. */
    final List<Settlement> settlements = new ArrayList<>(1);

    /** Spares that have just joined, to warm up with a call of the pool's own. */
    final List<Worker> warmUps = new ArrayList<>(0);

    /** How many workers to launch, after {@link #launchDelayMillis}. */
    int launches;

    long launchDelayMillis;

    /** The pool has just terminated: its listener and threads are to be closed. */
    boolean terminated;

    void send(Worker worker) {
        if (worker != null && !sends.contains(worker)) {
            sends.add(worker);
        }
    }

    void kill(Worker worker) {
        kills.add(worker);
    }

    void fail(PoolCall call, Worker worker, Throwable failure) {
        settlements.add(new Settlement(call, worker == null ? null : worker.name, failure));
    }
}
