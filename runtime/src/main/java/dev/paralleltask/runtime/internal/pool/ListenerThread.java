package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.PoolListener;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Delivers a pool's events to its {@link PoolListener} on a thread of its own, in the order they
 * were posted, the last of them before the pool says it has terminated, so that no thread of the
 * pool ever waits for the listener or runs its code (rule 3 of runtime/CONCURRENCY.md). Posting
 * never blocks: it adds to a lock-free queue and wakes the thread only when it sleeps. Past {@link
 * PoolListener#MAX_WAITING_EVENTS} events waiting, new ones are dropped, and the first drop is
 * logged.
 */
final class ListenerThread {
    /** How long a busy listener thread waits between rounds of delivery. */
    private static final long ROUND_MILLIS = 5;

    private final PoolListener listener;
    private final ConcurrentLinkedQueue<Consumer<PoolListener>> events =
            new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final Thread thread;

    /** Whether the thread parks, or is about to: a post then unparks it. */
    private volatile boolean sleeping;

    private volatile boolean ended;
    private volatile boolean dropped;

    ListenerThread(String pool, PoolListener listener) {
        this.listener = listener;
        this.thread = new Thread(this::deliver, pool + "-listener");
        thread.setDaemon(true);
        thread.start();
    }

    /** Posts an event; never blocks. */
    void post(Consumer<PoolListener> event) {
        if (waiting.incrementAndGet() > PoolListener.MAX_WAITING_EVENTS) {
            waiting.decrementAndGet();
            if (!dropped) {
                dropped = true;
                PoolLog.pool.log(
                        System.Logger.Level.WARNING,
                        "the pool's listener is "
                                + PoolListener.MAX_WAITING_EVENTS
                                + " events behind: events are dropped until it catches up");
            }
            return;
        }
        events.add(event);
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    /** How long the pool's end waits for its listener to hear the last events. */
    private static final long END_MILLIS = 10_000;

    /**
     * Delivers what was posted until now, then ends the thread, and waits for that: the pool has
     * terminated, and {@code close()} returns once the listener heard everything, or after {@value
     * #END_MILLIS} ms of a listener that does not return, which is then left to its thread.
     */
    void end() {
        ended = true;
        LockSupport.unpark(thread);
        try {
            thread.join(END_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            PoolLog.pool.log(
                    System.Logger.Level.WARNING,
                    "the pool's listener has not heard its last events after "
                            + END_MILLIS
                            + " ms; the pool ends without waiting for it");
        }
    }

    private void deliver() {
        while (true) {
            int delivered = 0;
            for (Consumer<PoolListener> event; (event = events.poll()) != null; ) {
                delivered++;
                try {
                    event.accept(listener);
                } catch (RuntimeException | Error e) {
                    PoolLog.pool.log(
                            System.Logger.Level.WARNING,
                            "the pool's listener threw; it hears the next events all the same",
                            e);
                }
            }
            waiting.addAndGet(-delivered);
            if (delivered > 0) {
                LockSupport.parkNanos(this, ROUND_MILLIS * 1_000_000); // more are likely coming
                continue;
            }
            sleeping = true;
            if (events.isEmpty()) { // nothing was posted before it saw `sleeping`
                if (ended) {
                    return;
                }
                LockSupport.park(this);
            }
            sleeping = false;
        }
    }
}
