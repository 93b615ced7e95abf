package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.wire.FrameChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The parent's view of one worker JVM. Its mutable state belongs to the pool's lock. */
final class WorkerHandle {
    /**
     * STARTING -> IDLE <-> BUSY -> RETIRING -> DEAD; STARTING or IDLE or BUSY -> RETIRING when it
     * is killed or asked to stop; any -> DEAD when its process has exited. Moved only by
     * ProcessPool, under its lock.
     */
    enum State {
        STARTING,
        IDLE,
        BUSY,
        RETIRING,
        DEAD
    }

    final int id;
    final String name;
    /** Completes when the worker has shaken hands, or fails with why it never will. */
    final CompletableFuture<Void> connected = new CompletableFuture<>();

    /** Written once, right after the process starts; null until then. */
    volatile Process process;
    volatile OutputPump stdout;
    volatile OutputPump stderr;
    /** Written once, at the handshake, before the reader starts; null until then. */
    volatile FrameChannel channel;
    volatile Thread reader;
    /** Written only by the reader thread, after a Bye: the worker exits on its own. */
    volatile boolean saidBye;
    /** Written under the pool's lock; read without it by WorkerInfo. */
    volatile long tasksCompleted;

    /** Guarded by the pool's lock. */
    State state = State.STARTING;
    /** The call it is running; guarded by the pool's lock. */
    Call current;
    /**
     * Why the pool killed it, given to {@link #current} as its final failure when the process is
     * gone (a timeout, shutdownNow); null when nothing is owed to that call (it was cancelled) or
     * the worker died some other way. Guarded by the pool's lock.
     */
    Throwable killedFor;
    /**
     * The JVM error its call hit (out of memory, stack overflow), for which the pool killed it:
     * that call's failure unless it is retried. Guarded by the pool's lock.
     */
    WorkerCrashedException fatalError;

    WorkerHandle(int id, String name) {
        this.id = id;
        this.name = name;
    }

    long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    List<String> stderrTail() {
        OutputPump pump = stderr;
        return pump == null ? List.of() : pump.tail();
    }

    List<String> stdoutTail() {
        OutputPump pump = stdout;
        return pump == null ? List.of() : pump.tail();
    }

    /** "pool-1-worker-2 (pid 4242)". */
    String describe() {
        return name + " (pid " + pid() + ")";
    }

    @Override
    public String toString() {
        return "Worker[" + describe() + "]";
    }
}
