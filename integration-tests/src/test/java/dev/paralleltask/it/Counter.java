package dev.paralleltask.it;

import dev.paralleltask.ParallelTask;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.ServerSocket;

/** An actor's object: a count that lives between calls, and ways for its JVM to die. */
public class Counter implements Serializable {
    private static final long serialVersionUID = 1L;

    private long count;

    /** Opened by the first call that needs it, in the JVM the actor lives in; never sent. */
    private transient ServerSocket socket;

    public Counter(long start) {
        this.count = start;
    }

    public void set(long count) {
        this.count = count;
    }

    @ParallelTask
    public long increment() {
        return ++count;
    }

    @ParallelTask
    public long get() {
        return count;
    }

    /** Adds {@code n}, or throws without changing the count when {@code n} is negative. */
    @ParallelTask
    public long add(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("cannot add " + n);
        }
        count += n;
        return count;
    }

    /** Ends the actor's JVM with {@code code}. */
    @ParallelTask
    public long exit(int code) {
        System.exit(code);
        return count;
    }

    /** Sleeps {@code millis}, then returns the count; stopped by its timeout after 1 s. */
    @ParallelTask(timeoutMillis = 1_000)
    public long sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return count;
    }

    /** Sleeps {@code millis} (no timeout), then returns the pid of the JVM it ran in. */
    @ParallelTask
    public long pidAfter(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return ProcessHandle.current().pid();
    }

    /** The port of a server socket the object opened on its first call and keeps open. */
    @ParallelTask
    public int port() throws IOException {
        if (socket == null) {
            socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        }
        return socket.getLocalPort();
    }
}
