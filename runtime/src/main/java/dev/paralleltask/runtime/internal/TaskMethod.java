package dev.paralleltask.runtime.internal;

import java.util.List;
import java.util.Objects;

/**
 * One {@code @ParallelTask} method as a generated proxy describes it to an executor; public only
 * for generated code.
 *
 * @param invoker runs the method in-process, and names the class a worker loads to run it
 * @param index the method's index in {@code invoker}
 * @param displayName the method as messages name it, e.g. {@code Primes.count(int, int)}
 * @param parameterNames the parameters' source names, so failures can name the argument
 * @param timeoutMillis {@code @ParallelTask.timeoutMillis}: 0 for the executor's default
 * @param retries {@code @ParallelTask.retries}
 * @param answerTypes the classes its signature names for what comes back: the result type and its
 *     type arguments, and the exceptions it declares; with the classes their fields hold, they are
 *     what a worker's answer may instantiate in the caller
 */
public record TaskMethod(
        TaskInvoker invoker,
        int index,
        String displayName,
        List<String> parameterNames,
        long timeoutMillis,
        int retries,
        List<Class<?>> answerTypes) {

    public TaskMethod {
        answerTypes = List.copyOf(answerTypes);
        Objects.requireNonNull(invoker, "invoker");
        Objects.requireNonNull(displayName, "displayName");
        parameterNames = List.copyOf(parameterNames);
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException(
                    displayName + ": timeoutMillis must be >= 0, was " + timeoutMillis);
        }
        if (retries < 0) {
            throw new IllegalArgumentException(
                    displayName + ": retries must be >= 0, was " + retries);
        }
    }

    /** A method whose answers may instantiate only the runtime's own value classes. */
    public TaskMethod(
            TaskInvoker invoker,
            int index,
            String displayName,
            List<String> parameterNames,
            long timeoutMillis,
            int retries) {
        this(invoker, index, displayName, parameterNames, timeoutMillis, retries, List.of());
    }

    /** The binary name of the invoker class, which a worker loads. */
    public String invokerClassName() {
        return invoker.getClass().getName();
    }

    /**
     * How a message names argument {@code position}, e.g. {@code argument 'to' of Primes.count(int,
     * int)}.
     */
    public String describeArgument(int position) {
        if (position < 0) {
            return "target object of " + displayName;
        }
        String name =
                position < parameterNames.size()
                        ? "'" + parameterNames.get(position) + "'"
                        : "#" + position;
        return "argument " + name + " of " + displayName;
    }
}
