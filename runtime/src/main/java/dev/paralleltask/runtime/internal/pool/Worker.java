package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.WorkerStartException;
import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.spi.WorkerView;
import dev.paralleltask.runtime.internal.wire.AnswerChannel;
import dev.paralleltask.runtime.internal.wire.Frame;
import dev.paralleltask.runtime.internal.wire.FrameChannel;
import dev.paralleltask.runtime.internal.wire.FrameRing;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/** The parent's view of one worker JVM. Its mutable state belongs to the dispatcher's lock. */
final class Worker implements WorkerView {
    /**
     * STARTING -> READY -> RETIRING -> DEAD, or STARTING -> SPARE -> READY when a spare takes a
     * place; STARTING -> RETIRING when it is killed before its handshake; any -> DEAD when its
     * process has exited. Moved only by {@link Dispatcher}, under its lock.
     */
    enum State {
        STARTING,
        /** Connected, running the pool's initializer: it takes only the calls pinned to it. */
        INITIALIZING,
        READY,
        /** Connected and idle, waiting to take the place of a worker that leaves. */
        SPARE,
        RETIRING,
        DEAD
    }

    final int id;
    final String name;

    /** Completes when the worker has shaken hands, or fails with why it never will. */
    final CompletableFuture<Void> connected = new CompletableFuture<>();

    /** Written once, before the worker can read the pool's secret; null until then. */
    volatile Process process;

    volatile OutputPump stdout;
    volatile OutputPump stderr;

    /** Written once, before the process starts; null until then. */
    volatile FrameRing ring;

    /** Written once, under the dispatcher's lock, when it joins the pool; null until then. */
    volatile FrameChannel channel;

    /** The worker's answers, through {@link #ring} and {@link #channel}; as {@link #channel}. */
    volatile AnswerChannel answers;

    volatile Thread reader;

    /**
     * Counts down the two ends after which nobody reads what the worker wrote: its reader's end and
     * its process's reaping. The last lets go of its files ({@link #reaped}).
     */
    private final AtomicInteger untilUnread = new AtomicInteger(2);

    /** What the reaper lets go of once the reader has ended too; set before the reaper counts. */
    private volatile Runnable letGo;

    /** Written only by the reader thread, after a Bye: the worker exits on its own. */
    volatile boolean saidBye;

    /** Written under the dispatcher's lock; read without it by WorkerInfo. */
    volatile long tasksCompleted;

    /** Guarded by the dispatcher's lock. */
    State state = State.STARTING;

    /**
     * When it last ran out of calls (System.nanoTime), or 0 while it has some; guarded by the
     * dispatcher's lock.
     */
    long idleSince;

    /** Whether a keep-alive check of it is pending; guarded by the dispatcher's lock. */
    boolean keepAliveChecked;

    /** Why its initializer failed, which makes its death a start failure; null if it did not. */
    volatile WorkerStartException initFailure;

    /** Whether it shook hands and joined the pool; guarded by the dispatcher's lock. */
    boolean joined;

    /**
     * The calls sent to it and not yet answered, in the order sent. The first {@code
     * threadsPerWorker} are the ones it is running (or about to: their starts are on the wire); the
     * others wait in the worker. Guarded by the dispatcher's lock.
     */
    final ArrayDeque<PoolCall> inFlight = new ArrayDeque<>();

    /**
     * Why the pool killed it, given as their final failure to the {@link #culprit}, or to every
     * running call if there is none, when the process is gone (a timeout, shutdownNow); null when
     * nothing is owed (the call was cancelled) or the worker died some other way. Guarded by the
     * dispatcher's lock.
     */
    Throwable killedFor;

    /**
     * The call that cost it its life (it timed out, was cancelled with {@code cancel(true)}, or hit
     * a JVM error), and what that call did, for the other calls running there; null if none.
     * Guarded by the dispatcher's lock.
     */
    PoolCall culprit;

    String killedBecause;

    /** Frames to send, posted under the dispatcher's lock so they leave in the order decided. */
    private final ConcurrentLinkedQueue<Frame.ToWorker> outbox = new ConcurrentLinkedQueue<>();

    /** Set while one thread writes the outbox to the channel. */
    private final AtomicBoolean sending = new AtomicBoolean();

    /**
     * Writes what the pool's own threads posted ({@link #sendSoon}), so that none of them ever
     * waits on this worker's socket; null until the worker connects.
     */
    private volatile Thread writer;

    /** Set when the worker's process has exited: the writer leaves. */
    private volatile boolean gone;

    Worker(int id, String name) {
        this.id = id;
        this.name = name;
    }

    /** Queues a frame for {@link #send}; called under the dispatcher's lock. */
    void post(Frame.ToWorker frame) {
        outbox.add(frame);
    }

    /** Whether frames were posted and not yet sent, for tests that have no channel. */
    boolean hasPosted() {
        return !outbox.isEmpty();
    }

    /** Takes what was posted and not yet sent, for tests that have no channel. */
    List<Frame.ToWorker> drainOutbox() {
        List<Frame.ToWorker> frames = new ArrayList<>();
        for (Frame.ToWorker f; (f = outbox.poll()) != null; ) {
            frames.add(f);
        }
        return frames;
    }

    /**
     * Writes what was posted, with one system call for everything posted meanwhile, waiting for
     * room if the worker is behind: on a caller's thread that submitted or cancelled a call, or on
     * the worker's writer. Never called under the dispatcher's lock. If another thread is writing,
     * it leaves the frames to that thread, which looks again before it stops; a broken channel
     * kills the worker, whose exit then settles its calls.
     */
    void send() {
        assert !AnswerReader.onReaderThread() : "a reader never waits on a socket";
        while ((!outbox.isEmpty() || unflushed) && sending.compareAndSet(false, true)) {
            try {
                unflushed = false;
                for (Frame f; (f = outbox.poll()) != null; ) {
                    channel.append(f);
                }
                channel.flush();
            } catch (IOException e) {
                broken();
            } finally {
                sending.set(false);
            }
        }
    }

    /**
     * Writes what was posted as far as the socket takes it now, and leaves the rest to the worker's
     * writer thread: for the pool's own threads (readers, timer, housekeeping), which must never
     * wait on a worker's socket (runtime/CONCURRENCY.md). A reader that refills its worker so
     * writes the new calls itself, with no thread to wake, unless the worker is behind.
     */
    void sendSoon() {
        if (outbox.isEmpty()) {
            return;
        }
        if (sending.compareAndSet(false, true)) {
            try {
                for (Frame.ToWorker f; (f = outbox.peek()) != null && channel.tryAppend(f); ) {
                    outbox.poll();
                }
                if (!channel.tryFlush()) {
                    unflushed = true;
                }
            } catch (IOException e) {
                broken();
            } finally {
                sending.set(false);
            }
            if (outbox.isEmpty() && !unflushed) {
                return;
            }
        }
        Thread w = writer;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** Bytes of frames were left in the channel's buffer for the writer to flush. */
    private volatile boolean unflushed;

    private void broken() {
        outbox.clear();
        unflushed = false;
        destroy();
    }

    /** Starts the thread that writes for {@link #sendSoon}; once, as the worker connects. */
    void startWriter() {
        Thread w =
                new Thread(
                        () -> {
                            while (!gone) {
                                send();
                                LockSupport.park(this); // until sendSoon or stopWriter
                            }
                        },
                        name + "-writer");
        w.setDaemon(true);
        writer = w;
        w.start();
    }

    /** The worker's process has exited: its writer leaves. */
    void stopWriter() {
        gone = true;
        Thread w = writer;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /**
     * Whether the pool decided to kill it (a timeout, a cancel, a broken protocol, shutdownNow), so
     * that a SIGKILL is the pool's, not the kernel's or someone's {@code kill -9}; not when it only
     * reaps a worker whose channel closed. Guarded by the dispatcher's lock.
     */
    boolean killedByPool;

    /**
     * Set when the worker's memory passed {@code maxWorkerMemory}: it takes no more calls and
     * retires once its running ones are done. Guarded by the dispatcher's lock.
     */
    boolean recycling;

    /** Its resident memory when last looked at, in bytes; -1 if never. */
    volatile long residentBytes = -1;

    /** When its memory was last looked at (System.nanoTime()); its reader's alone. */
    long residentSampledAt;

    /** How its process ended, as the messages about it say it; -1 for no exit code. */
    Failures.Death death(Integer exitCode) {
        return new Failures.Death(
                describe(),
                name,
                pid(),
                exitCode == null ? -1 : exitCode,
                !killedByPool,
                residentBytes,
                stderrTail(),
                stdoutTail());
    }

    /** Kills the process, if it has one; its exit is handled like any other. */
    void destroy() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    @Override
    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    @Override
    public long tasksCompleted() {
        return tasksCompleted;
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

    /**
     * The worker's process has been reaped: {@code letGoOfFiles} runs now if its reader has ended
     * (or it never had one), else as the reader ends. A reader that lags (a starved machine) still
     * finds every file the worker answered with.
     */
    void reaped(Runnable letGoOfFiles) {
        letGo = letGoOfFiles;
        if (reader == null) {
            countDownUnread(); // no reader will
        }
        countDownUnread();
    }

    /** Called by the reader as it ends: see {@link #reaped}. */
    void readerEnded() {
        countDownUnread();
    }

    private void countDownUnread() {
        if (untilUnread.decrementAndGet() == 0) {
            letGo.run();
        }
    }
}
