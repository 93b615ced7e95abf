package com.acme;

import dev.paralleltask.runtime.TaskExecutor;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.internal.TaskInvoker;
import dev.paralleltask.runtime.internal.TaskMethod;
import java.util.List;
import java.util.Objects;
import javax.annotation.processing.Generated;

/**
 * Runs the {@code @ParallelTask} methods of {@link Primes} on a {@link TaskExecutor}.
 *
 * <p>Each method returns at once with a {@link TaskFuture}; the call runs where the executor runs it:
 * in a child JVM for a {@code ProcessPool}, on a thread for a {@code ThreadPool}.
 */
@Generated("dev.paralleltask.processor.ParallelTaskProcessor")
public final class PrimesTasks {
    private static final TaskInvoker INVOKER = new Invoker();

    private static final TaskMethod COUNT = new TaskMethod(INVOKER, 0, "Primes.count(int, int)", List.of("from", "to"), 5000L, 0, List.of());

    private static final TaskMethod WARM_UP = new TaskMethod(INVOKER, 1, "Primes.warmUp()", List.of(), 0L, 2, List.of());

    static {
        Module module = PrimesTasks.class.getModule();
        if (module.isNamed()) {
            for (String p : module.getPackages()) {
                module.addOpens(p, TaskExecutor.class.getModule());
            }
        }
    }

    private final TaskExecutor executor;

    /**
     * Runs the tasks on {@code executor}.
     */
    public PrimesTasks(TaskExecutor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * Counts the primes in [from, to), trying divisors up to {@code Math#sqrt}.
     *
     * <p>Runs {@link Primes#count(int, int)} on the executor.
     * Timeout: 5000 ms.
     *
     * @return the future of the call: its result, or what the method threw, or why the call failed
     */
    public TaskFuture<Long> count(int from, int to) {
        return this.executor.submit(PrimesTasks.COUNT, null, new Object[] {from, to});
    }

    /**
     * Runs {@link Primes#warmUp()} on the executor.
     * Timeout: the executor's default. Run again up to 2 times if its worker dies under it.
     *
     * @return the future of the call: its result, or what the method threw, or why the call failed
     */
    TaskFuture<Void> warmUp() {
        return this.executor.submit(PrimesTasks.WARM_UP, null, new Object[] {});
    }

    /**
     * Runs the methods of {@link Primes} by index in a worker; used by the runtime, not API.
     */
    public static final class Invoker implements TaskInvoker {
        @Override
        public Object invoke(int method, Object target, Object[] args) throws Throwable {
            switch (method) {
                case 0:
                    return Primes.count((int) args[0], (int) args[1]);
                case 1:
                    Primes.warmUp();
                    return null;
                default:
                    throw new IllegalArgumentException("no @ParallelTask method of com.acme.Primes has index " + method);
            }
        }
    }
}
