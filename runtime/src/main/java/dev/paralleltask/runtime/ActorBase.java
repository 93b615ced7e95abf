package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.ActorCalls;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import dev.paralleltask.runtime.internal.spi.Failures;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every executor's actor shares: its name, its close, and the executor its proxies call, whose
 * shutdown is the actor's. Its calls never run twice: an actor's object would see the second run,
 * so they run with {@code retries} 0 whatever their method says.
 */
abstract class ActorBase<C> implements Actor<C>, ActorCalls.Endpoint {
    private static final CallOptions ONCE = CallOptions.defaults().retries(0);

    private final String name;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final TaskExecutor calls = new Calls();

    /** Set by close or by the owner's shutdown: no call is taken after it. */
    private volatile boolean closed;

    ActorBase(String name) {
        this.name = name;
    }

    /**
     * Starts a call on the actor's object, whatever target the proxy gave; an actor that died fails
     * it with {@link ActorDiedException}.
     */
    abstract <T> TaskFuture<T> run(TaskMethod method, Object[] args);

    /** The executor the actor runs on, which ends with it. */
    abstract TaskExecutor home();

    /** Why the actor died for good, or null while it lives. */
    abstract Throwable diedOf();

    @Override
    public final String name() {
        return name;
    }

    @Override
    public boolean isAlive() {
        return !closed && diedOf() == null && !home().isShutdown();
    }

    @Override
    public final TaskExecutor calls() {
        return calls;
    }

    @Override
    public final int outstanding() {
        return outstanding.get();
    }

    @Override
    public final void close() {
        calls.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName()
                + "["
                + name
                + (isAlive() ? "" : closed ? ", closed" : ", dead")
                + ", restarts="
                + restarts()
                + "]";
    }

    /** The executor of the actor's calls: the actor itself, as a proxy sees it. */
    private final class Calls implements TaskExecutor {
        @Override
        public <T> TaskFuture<T> submit(TaskMethod method, Object target, Object[] args) {
            if (closed) {
                throw Failures.actorClosed(name, method);
            }
            TaskFuture<T> future = run(ONCE.applyTo(method), args);
            outstanding.incrementAndGet();
            CallFutures.whenDone(future, outstanding::decrementAndGet);
            return future;
        }

        @Override
        public void shutdown() {
            closed = true;
            home().shutdown();
        }

        @Override
        public List<TaskFuture<?>> shutdownNow() {
            closed = true;
            return home().shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return closed || home().isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return home().isTerminated();
        }

        @Override
        public boolean awaitTermination(Duration timeout) throws InterruptedException {
            return home().awaitTermination(timeout);
        }

        @Override
        public String toString() {
            return ActorBase.this.toString();
        }
    }
}
