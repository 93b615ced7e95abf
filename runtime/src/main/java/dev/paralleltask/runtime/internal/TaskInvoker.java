package dev.paralleltask.runtime.internal;

/**
 * Runs one of a class's {@code @ParallelTask} methods by index, without reflection. Written by the
 * annotation processor as {@code <Class>Tasks.Invoker}; public only for generated code.
 *
 * <p>An implementation has a public no-argument constructor: a worker creates one per class, by
 * name, the first time a call for that class arrives.
 */
public interface TaskInvoker {
    /**
     * Calls method {@code method} on {@code target} (null for a static method) with {@code args},
     * already unboxed and cast by the generated code, and returns its result (null for void).
     *
     * @throws Throwable whatever the method throws, unchanged
     */
    Object invoke(int method, Object target, Object[] args) throws Throwable;
}
