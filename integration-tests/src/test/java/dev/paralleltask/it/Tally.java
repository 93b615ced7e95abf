package dev.paralleltask.it;

import dev.paralleltask.ParallelTask;
import java.io.Serializable;

/** A task that changes its target and its argument, to show whose copy it changed. */
public class Tally implements Serializable {
    private static final long serialVersionUID = 1L;
    int count;

    @ParallelTask
    public int bump() {
        return ++count;
    }

    @ParallelTask
    public static int[] mark(int[] values) {
        values[0] = -1;
        return values;
    }
}
