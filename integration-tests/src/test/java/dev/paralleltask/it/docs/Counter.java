package dev.paralleltask.it.docs;

import dev.paralleltask.ParallelTask;
import java.io.Serializable;
import java.net.Socket;

/** docs/actors.md's counter. */
public class Counter implements Serializable {
    private long count;
    private transient Socket connection; // set up by its methods, in the actor's JVM

    public Counter(long start) {
        this.count = start;
    }

    @ParallelTask
    public long increment() {
        return ++count;
    }

    @ParallelTask
    public long get() {
        return count;
    }

    /** Whether the socket is set up: never here; it shows where one would be kept. */
    boolean connected() {
        return connection != null;
    }
}
