package dev.paralleltask.it.docs;

import dev.paralleltask.ParallelTask;
import dev.paralleltask.shared.SharedCyclicBarrier;
import dev.paralleltask.shared.SharedLongArray;
import java.util.concurrent.BrokenBarrierException;

/** docs/sharing.md's barrier: workers relax their parts of a grid in steps. */
public class Grid {
    @ParallelTask
    public static long step(SharedCyclicBarrier barrier, SharedLongArray grid, int part, int steps)
            throws InterruptedException, BrokenBarrierException {
        for (int s = 0; s < steps; s++) {
            relax(grid, part); // each worker updates its part of the grid (a method of yours)...
            barrier.await(); // ...and waits for the others before the next step
        }
        return steps;
    }

    /** Adds one to each element of the part: a quarter of the grid. */
    static void relax(SharedLongArray grid, int part) {
        long size = grid.length() / 4;
        for (long i = part * size; i < (part + 1) * size; i += 1024) {
            grid.getAndAdd(i, 1);
        }
    }
}
