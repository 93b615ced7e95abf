package dev.paralleltask.it;

import dev.paralleltask.ParallelTask;

/** A worker's one-time set-up, as an initializer runs it, and what later calls see of it. */
public final class Setup {
    /** Static state of the worker JVM. */
    static String model;

    static int loads;

    private Setup() {}

    @ParallelTask
    public static String load(String name) {
        if (name.startsWith("bad")) {
            throw new IllegalStateException("cannot load " + name);
        }
        model = name;
        loads++;
        return name;
    }

    /** The model this worker loaded, how often, and the worker's pid: {@code m1#1@4242}. */
    @ParallelTask
    public static String model() {
        return model + "#" + loads + "@" + ProcessHandle.current().pid();
    }
}
