package dev.paralleltask.it;

import dev.paralleltask.ParallelTask;
import java.io.Serializable;
import java.util.List;

/** A generic class with bounded type parameters: its proxy is RankedTasks<T>. */
public class Ranked<T extends Comparable<T>> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final T floor;

    public Ranked(T floor) {
        this.floor = floor;
    }

    /** The larger of the floor and {@code other}. */
    @ParallelTask
    public T atLeast(T other) {
        return other.compareTo(floor) >= 0 ? other : floor;
    }

    /** How many of {@code values} reach the floor. */
    @ParallelTask
    public int countAtLeast(List<? extends T> values) {
        int n = 0;
        for (T v : values) {
            if (v.compareTo(floor) >= 0) {
                n++;
            }
        }
        return n;
    }
}
