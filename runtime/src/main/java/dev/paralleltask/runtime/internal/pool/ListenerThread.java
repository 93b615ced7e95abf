package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.PoolListener;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

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

    /** What is posted: one event, or several delivered in their order. */
    interface Event {
        void deliver(PoolListener listener);

        /** How many events this is. */
        default int count() {
            return 1;
        }
    }

    /**
     * Events gathered by one thread and posted as one: what a map's batch of calls, a decision of
     * the dispatcher or a batch of answers makes, so that a million calls do not cost a million
     * posts. Not thread-safe: it belongs to the thread that gathers it until it is posted.
     */
    static final class Batch implements Event {
        private final ArrayList<Event> events = new ArrayList<>();

        void add(Event event) {
            events.add(event);
        }

        boolean isEmpty() {
            return events.isEmpty();
        }

        @Override
        public void deliver(PoolListener listener) {
            for (Event event : events) {
                try {
                    event.deliver(listener);
                } catch (RuntimeException | Error e) {
                    threw(e);
                }
            }
        }

        @Override
        public int count() {
            return events.size();
        }
    }

    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
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
    void post(Event event) {
        int count = event.count();
        if (waiting.addAndGet(count) > PoolListener.MAX_WAITING_EVENTS) {
            waiting.addAndGet(-count);
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

    /** The listener threw: it is logged, and the listener hears the next events all the same. */
    static void threw(Throwable e) {
        PoolLog.pool.log(
                System.Logger.Level.WARNING,
                "the pool's listener threw; it hears the next events all the same",
                e);
    }

    private void deliver() {
        while (true) {
            int delivered = 0;
            for (Event event; (event = events.poll()) != null; ) {
                delivered += event.count();
                try {
                    event.deliver(listener);
                } catch (RuntimeException | Error e) {
                    threw(e);
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
