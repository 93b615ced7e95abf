package dev.paralleltask.cluster;

import dev.paralleltask.ParallelTask;
import java.io.Serializable;

/** An actor's object on the cluster: a count kept between calls. */
public class Tally implements Serializable {
    private static final long serialVersionUID = 1L;

    private long count;

    public Tally(long start) {
        this.count = start;
    }

    @ParallelTask
    public long increment() {
        return ++count;
    }

    /** The pid of the JVM it lives in, after {@code millis}. */
    @ParallelTask
    public long pidAfter(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return ProcessHandle.current().pid();
    }

    /** The pid of the node that started the JVM it lives in. */
    @ParallelTask
    public long nodePid() {
        return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
    }

    @ParallelTask
    public long exit(int code) {
        System.exit(code);
        return count;
    }
}
