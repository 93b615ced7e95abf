package dev.paralleltask.runtime.internal.pool;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler whose clock moves only when told: tasks run, in the order due (ties in the order
 * scheduled), on the thread that calls {@link #fireNext}. For the dispatcher's simulation: what a
 * timer does becomes one more step the simulation chooses, and replays exactly.
 */
final class ManualTimer extends AbstractExecutorService implements ScheduledExecutorService {
    private final PriorityQueue<Task> due =
            new PriorityQueue<>(
                    Comparator.<Task>comparingLong(t -> t.atMillis)
                            .thenComparingLong(t -> t.order));
    private long nowMillis;
    private long sequence;

    /** Whether a task waits that has not been cancelled. */
    boolean hasTasks() {
        due.removeIf(t -> t.cancelled);
        return !due.isEmpty();
    }

    /** Moves the clock to the next task's time and runs it; false if there is none. */
    boolean fireNext() {
        Task next;
        do {
            next = due.poll();
        } while (next != null && next.cancelled);
        if (next == null) {
            return false;
        }
        nowMillis = Math.max(nowMillis, next.atMillis);
        next.done = true;
        next.command.run();
        return true;
    }

    long nowMillis() {
        return nowMillis;
    }

    /** The clock, as System.nanoTime would give it. */
    long nanoTime() {
        return (nowMillis + 1) * 1_000_000; // never 0, which the dispatcher reads as "busy"
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Task task = new Task(command, nowMillis + unit.toMillis(delay), sequence++);
        due.add(task);
        return task;
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(
            Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(
            Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.MILLISECONDS);
    }

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
        return new ArrayList<>();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return false;
    }

    private static final class Task implements ScheduledFuture<Object> {
        final Runnable command;
        final long atMillis;
        final long order;
        boolean cancelled;
        boolean done;

        Task(Runnable command, long atMillis, long order) {
            this.command = command;
            this.atMillis = atMillis;
            this.order = order;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(
                    getDelay(TimeUnit.MILLISECONDS), other.getDelay(TimeUnit.MILLISECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (done || cancelled) {
                return false;
            }
            cancelled = true;
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
