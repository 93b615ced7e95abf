package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.pool.Pool;
import dev.paralleltask.runtime.internal.shared.LargeArrays;
import dev.paralleltask.runtime.internal.spi.CallCoding;
import dev.paralleltask.runtime.internal.wire.CallCodec;
import dev.paralleltask.runtime.internal.worker.ActorHome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An actor of a {@link ProcessPool}: a pool of its own with one worker, the actor's JVM, whose
 * initializer installs the object ({@link ActorHome}), and whose dispatcher restarts that JVM as
 * often as the options allow and then fails every call with {@link ActorDiedException}.
 */
final class ProcessActor<C> extends ActorBase<C> {
    /** The actor's own pool, with its one JVM. */
    private final ProcessPool home;

    private ProcessActor(String name, ProcessPool home) {
        super(name);
        this.home = home;
    }

    /**
     * Starts an actor of {@code parent} whose object starts as {@code initialState}, encoded now;
     * with {@code restartStates}, each restart starts from a new object of it instead.
     *
     * @throws TaskSerializationException if the state cannot be sent
     * @throws WorkerStartException if the JVM cannot start or the state cannot be rebuilt there
     */
    static <C> ProcessActor<C> start(
            Pool parent,
            String name,
            C initialState,
            Supplier<C> restartStates,
            ActorOptions options) {
        InitialState state = new InitialState(initialState, restartStates);
        Pool pool;
        try {
            pool = parent.startActor(name, options.maxConcurrency(), options.maxRestarts(), state);
        } catch (RuntimeException | Error e) {
            state.discard();
            throw e;
        }
        pool.whenTerminated(state::discard);
        return new ProcessActor<>(name, new ProcessPool(pool));
    }

    @Override
    <T> TaskFuture<T> run(TaskMethod method, Object[] args) {
        // ActorHome gives the call, which carries no target, its object.
        return pool().unlessGaveUp(() -> home.submit(method, null, args));
    }

    /** The actor's own pool. */
    Pool pool() {
        return home.pool();
    }

    @Override
    TaskExecutor home() {
        return home;
    }

    @Override
    Throwable diedOf() {
        return home.pool().gaveUp();
    }

    @Override
    public long pid() {
        for (WorkerInfo w : home.workers()) {
            if (w.isAlive()) {
                return w.pid();
            }
        }
        return -1;
    }

    @Override
    public int restarts() {
        return home.pool().restarts();
    }

    /**
     * The actor's initial state, encoded: once for an actor, whose every start gets the same bytes;
     * once per start for an actor pool's, whose restarts ask for a new object. The bytes' files go
     * when the actor has ended.
     */
    private static final class InitialState implements Function<TaskExecutor, TaskFuture<?>> {
        private final Supplier<?> restartStates;
        private final List<Path> files = new ArrayList<>();

        /** The bytes of the next start; null when it is to encode a new object. */
        private byte[] next;

        InitialState(Object first, Supplier<?> restartStates) {
            this.restartStates = restartStates;
            this.next = encode(first);
        }

        @Override
        public TaskFuture<?> apply(TaskExecutor worker) {
            byte[] body;
            synchronized (this) {
                body = next != null ? next : encode(restartStates.get());
                next = restartStates == null ? body : null;
            }
            return worker.submit(ActorHome.INSTALL, null, new Object[] {body});
        }

        /** Encodes a state; guarded by {@code this} but from the constructor. */
        private byte[] encode(Object state) {
            CallCodec.Encoded encoded = CallCoding.encodeActorState(state);
            files.addAll(encoded.files());
            return encoded.body();
        }

        synchronized void discard() {
            files.forEach(LargeArrays::discard);
            files.clear();
        }
    }
}
