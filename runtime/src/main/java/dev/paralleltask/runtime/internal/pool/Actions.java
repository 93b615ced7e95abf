package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.TaskFuture;
import java.util.ArrayList;
import java.util.List;

/**
 * What the dispatcher decided under its lock, to be carried out after it is released: frames to
 * send, workers to kill, futures to settle, workers to launch. Filled by one locked section of
 * {@link Dispatcher}, then read only.
 */
final class Actions {
    /** One future to settle with a value or a failure. */
    record Settlement(TaskFuture<?> future, Object value, Throwable failure) {}

    /** Workers with frames posted to their outbox, in the order decided. */
    final List<Worker> sends = new ArrayList<>(2);

    /** Workers whose process is to be killed. */
    final List<Worker> kills = new ArrayList<>(1);

    final List<Settlement> settlements = new ArrayList<>(1);

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

    void fail(TaskFuture<?> future, Throwable failure) {
        settlements.add(new Settlement(future, null, failure));
    }
}
