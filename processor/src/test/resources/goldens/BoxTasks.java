package com.acme;

import dev.paralleltask.runtime.Actor;
import dev.paralleltask.runtime.ActorPool;
import dev.paralleltask.runtime.TaskExecutor;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.internal.ActorCalls;
import dev.paralleltask.runtime.internal.TaskInvoker;
import dev.paralleltask.runtime.internal.TaskMethod;
import java.util.List;
import java.util.Objects;
import javax.annotation.processing.Generated;

/**
 * Runs the {@code @ParallelTask} methods of {@link Box} on a {@link TaskExecutor}.
 *
 * <p>Each method returns at once with a {@link TaskFuture}; the call runs where the executor runs it:
 * in a child JVM for a {@code ProcessPool}, on a thread for a {@code ThreadPool}.
 */
@Generated("dev.paralleltask.processor.ParallelTaskProcessor")
public final class BoxTasks<T extends Comparable<T>> {
    private static final TaskInvoker INVOKER = new Invoker();

    private static final TaskMethod MAX = new TaskMethod(INVOKER, 0, "Box.max(T)", List.of("other"), 0L, 0, List.of(Comparable.class));

    private static final TaskMethod COUNT = new TaskMethod(INVOKER, 1, "Box.count(List)", List.of("values"), 0L, 0, List.of());

    private static final TaskMethod LIST_OF = new TaskMethod(INVOKER, 2, "Box.listOf(E[])", List.of("elements"), 0L, 0, List.of(List.class));

    static {
        Module module = BoxTasks.class.getModule();
        if (module.isNamed()) {
            for (String p : module.getPackages()) {
                module.addOpens(p, TaskExecutor.class.getModule());
            }
        }
    }

    private final TaskExecutor executor;

    private final Box<T> target;

    /**
     * Runs the tasks of {@code target} on {@code executor}: the object is sent with each call,
     * as it is when the call is made.
     */
    public BoxTasks(TaskExecutor executor, Box<T> target) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.target = Objects.requireNonNull(target, "target");
    }

    /**
     * Runs the calls on the object that lives in {@code actor}, in the order made: each sees
     * what the earlier ones did to it.
     */
    public BoxTasks(Actor<Box<T>> actor) {
        this.executor = ActorCalls.executor(actor);
        this.target = null;
    }

    /**
     * Runs each call on the actor of {@code actors} with the fewest calls outstanding.
     */
    public BoxTasks(ActorPool<Box<T>> actors) {
        this.executor = ActorCalls.executor(actors);
        this.target = null;
    }

    /**
     * Runs {@link Box#max(java.lang.Comparable)} on the executor.
     * Timeout: the executor's default.
     *
     * @return the future of the call: its result, or what the method threw, or why the call failed
     */
    public TaskFuture<T> max(T other) {
        return this.executor.submit(BoxTasks.MAX, this.target, new Object[] {other});
    }

    /**
     * Runs {@link Box#count(java.util.List)} on the executor.
     * Timeout: the executor's default.
     *
     * @return the future of the call: its result, or what the method threw, or why the call failed
     */
    public TaskFuture<Integer> count(List<? extends T> values) {
        return this.executor.submit(BoxTasks.COUNT, this.target, new Object[] {values});
    }

    /**
     * Runs {@link Box#listOf(java.lang.Object[])} on the executor.
     * Timeout: the executor's default.
     *
     * @return the future of the call: its result, or what the method threw, or why the call failed
     */
    @SafeVarargs
    @SuppressWarnings("varargs")
    public final <E> TaskFuture<List<E>> listOf(E... elements) {
        return this.executor.submit(BoxTasks.LIST_OF, null, new Object[] {elements});
    }

    /**
     * Runs the methods of {@link Box} by index in a worker; used by the runtime, not API.
     */
    public static final class Invoker implements TaskInvoker {
        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        public Object invoke(int method, Object target, Object[] args) throws Throwable {
            switch (method) {
                case 0:
                    return ((Box) target).max((Comparable) args[0]);
                case 1:
                    return ((Box) target).count((List) args[0]);
                case 2:
                    return Box.listOf((Object[]) args[0]);
                default:
                    throw new IllegalArgumentException("no @ParallelTask method of com.acme.Box has index " + method);
            }
        }
    }
}
