package dev.paralleltask.cluster.docs;

import dev.paralleltask.ParallelTask;

/** The task class docs/cluster.md calls on a cluster. */
public class Primes {
    @ParallelTask
    public static long count(int from, int to) {
        long n = 0;
        for (int i = Math.max(from, 2); i < to; i++) {
            boolean prime = true;
            for (int d = 2; (long) d * d <= i && prime; d++) {
                prime = i % d != 0;
            }
            n += prime ? 1 : 0;
        }
        return n;
    }
}
