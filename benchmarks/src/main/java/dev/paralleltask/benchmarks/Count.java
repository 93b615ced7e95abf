package dev.paralleltask.benchmarks;

import dev.paralleltask.ParallelTask;
import java.io.Serializable;

/** An actor's object for the figures: a count kept between calls. */
public class Count implements Serializable {
    private static final long serialVersionUID = 1L;

    private long n;

    @ParallelTask
    public long bump() {
        return ++n;
    }
}
