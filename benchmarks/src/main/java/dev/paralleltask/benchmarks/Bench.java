package dev.paralleltask.benchmarks;

import dev.paralleltask.ParallelTask;

/** The tasks the benchmarks call. */
public final class Bench {
    private Bench() {}

    @ParallelTask
    public static void noop() {}

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

    /** CPU-bound: primes in [from, to) by trial division. */
    @ParallelTask
    public static long primes(int from, int to) {
        long n = 0;
        for (int i = Math.max(from, 2); i < to; i++) {
            boolean prime = true;
            for (int d = 2; (long) d * d <= i; d++) {
                if (i % d == 0) {
                    prime = false;
                    break;
                }
            }
            if (prime) {
                n++;
            }
        }
        return n;
    }
}
