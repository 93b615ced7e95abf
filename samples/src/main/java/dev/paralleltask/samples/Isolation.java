package dev.paralleltask.samples;

import dev.paralleltask.ParallelTask;

/** Tasks that show what stays in a worker and what comes back. */
public final class Isolation {
    /** Static state: each worker JVM has its own copy, and the caller's is never touched. */
    static int counter;

    private Isolation() {}

    /** Adds one to this JVM's counter and says which process did it. */
    @ParallelTask
    public static String increment() {
        counter++;
        return "pid " + ProcessHandle.current().pid() + " counter=" + counter;
    }

    /** Fails in the worker; the exception comes back as itself, with the worker's stack trace. */
    @ParallelTask
    public static int parse(String number) {
        return Integer.parseInt(number);
    }

    /** Ends the worker's JVM: only this call fails, and the pool replaces the worker. */
    @ParallelTask
    public static void exit(int code) {
        System.exit(code);
    }
}
