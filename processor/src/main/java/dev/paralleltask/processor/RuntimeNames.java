package dev.paralleltask.processor;

import com.palantir.javapoet.ClassName;

/**
 * The runtime types generated code refers to, by name: the processor does not depend on the runtime
 * jar.
 */
final class RuntimeNames {
    private RuntimeNames() {}

    static final String PARALLEL_TASK = "dev.paralleltask.ParallelTask";

    private static final String RUNTIME = "dev.paralleltask.runtime";
    private static final String INTERNAL = RUNTIME + ".internal";

    static final ClassName TASK_EXECUTOR = ClassName.get(RUNTIME, "TaskExecutor");
    static final ClassName TASK_FUTURE = ClassName.get(RUNTIME, "TaskFuture");
    static final ClassName ACTOR = ClassName.get(RUNTIME, "Actor");
    static final ClassName ACTOR_POOL = ClassName.get(RUNTIME, "ActorPool");
    static final ClassName ACTOR_CALLS = ClassName.get(INTERNAL, "ActorCalls");
    static final ClassName TASK_METHOD = ClassName.get(INTERNAL, "TaskMethod");
    static final ClassName TASK_INVOKER = ClassName.get(INTERNAL, "TaskInvoker");

    static final String GENERATED = "javax.annotation.processing.Generated";
}
