package dev.paralleltask.benchmarks;

import dev.paralleltask.ParallelTask;

/** The tasks the benchmarks call. */
public final class Bench {
    private Bench() {}

    @ParallelTask
    public static void noop() {}

    @ParallelTask
    public static long pid() {
        return ProcessHandle.current().pid();
    }

    @ParallelTask
    public static int exit(int code) {
        Runtime.getRuntime().halt(code);
        return code;
    }

    @ParallelTask
    public static int id(int x) {
        return x;
    }

    @ParallelTask
    public static int add(int a, int b) {
        return a + b;
    }

    @ParallelTask
    public static String greet(String name, int times) {
        return name.length() > times ? name : name + times;
    }

    @ParallelTask
    public static byte[] echo(byte[] data) {
        return data;
    }
}
