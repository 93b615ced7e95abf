package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.TaskMethod;

/**
 * An actor of a {@link ThreadPool}: its object on this heap, its calls in order on a thread pool of
 * its own ({@link ActorOptions#concurrency} threads). Nothing here can kill it, so it never
 * restarts and never dies; a timeout or {@code cancel(true)} interrupts the call's thread.
 */
final class ThreadActor<C> extends ActorBase<C> {
    private final ThreadPool home;
    private final Object object;

    ThreadActor(String name, ThreadPool home, Object object) {
        super(name);
        this.home = home;
        this.object = object;
    }

    @Override
    <T> TaskFuture<T> run(TaskMethod method, Object[] args) {
        return home.submitOn(method, object, args);
    }

    @Override
    TaskExecutor home() {
        return home;
    }

    @Override
    Throwable diedOf() {
        return null;
    }

    @Override
    public long pid() {
        return isAlive() ? ProcessHandle.current().pid() : -1;
    }

    @Override
    public int restarts() {
        return 0;
    }
}
