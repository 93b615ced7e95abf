package dev.paralleltask.samples;

import dev.paralleltask.ParallelTask;

/** CPU-bound work to spread over workers: counting primes by trial division. */
public final class Primes {
    private Primes() {}

    /** How many primes lie in {@code [from, to)}. */
    @ParallelTask(timeoutMillis = 120_000)
    public static long count(int from, int to) {
        long n = 0;
        for (int i = Math.max(from, 2); i < to; i++) {
            if (isPrime(i)) {
                n++;
            }
        }
        return n;
    }

    static boolean isPrime(int n) {
        if (n % 2 == 0) {
            return n == 2;
        }
        for (int d = 3; (long) d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }
}
