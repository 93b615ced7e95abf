package dev.paralleltask.runtime.internal.pool;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.WorkerOutput;
import dev.paralleltask.runtime.WorkerStartException;
import dev.paralleltask.runtime.internal.shared.LargeArrays;
import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.wire.AnswerChannel;
import dev.paralleltask.runtime.internal.wire.Frame;
import dev.paralleltask.runtime.internal.wire.FrameChannel;
import dev.paralleltask.runtime.internal.wire.FrameRing;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Starts, connects and reaps the pool's worker processes, one life at a time: launch, handshake
 * (then an {@link AnswerReader} reads its answers), exit. What each event means for the calls is
 * the {@link Dispatcher}'s to decide; this class carries out the process side.
 */
final class WorkerSupervisor {
    /** How long a dead worker's reader may take to settle what the worker sent before it died. */
    private static final long REAP_WAIT_MILLIS = 5_000;

    /**
     * A reader's stack: room for a result serialized as deep as the filter lets through ({@link
     * dev.paralleltask.runtime.internal.wire.ClassAdmission#MAX_DEPTH}) several times over; the
     * default 1 MiB overflows at 600-700 nested lists. Reserved, not committed, until used.
     */
    private static final long READER_STACK_BYTES = 8L << 20;

    private final Dispatcher dispatcher;
    private final WorkerLauncher launcher;
    private final Duration startTimeout;
    private final ClassLoader loader;
    private final AnswerAdmission admission;
    private final WorkerOutput output;
    private final ScheduledExecutorService scheduler;
    private final Executor housekeeping;
    private final Consumer<Actions> carryOut;
    private final PoolMonitor monitor;

    /** A worker above this resident memory after answering is recycled; 0 for no limit. */
    private final long maxWorkerMemory;

    /** Runs the pool's initializer on a new worker; null when there is none. */
    private final Function<Worker, TaskFuture<?>> initializer;

    WorkerSupervisor(
            Dispatcher dispatcher,
            WorkerLauncher launcher,
            Duration startTimeout,
            ClassLoader loader,
            AnswerAdmission admission,
            WorkerOutput output,
            ScheduledExecutorService scheduler,
            Executor housekeeping,
            Consumer<Actions> carryOut,
            PoolMonitor monitor,
            Function<Worker, TaskFuture<?>> initializer,
            long maxWorkerMemory) {
        this.maxWorkerMemory = maxWorkerMemory;
        this.dispatcher = dispatcher;
        this.launcher = launcher;
        this.startTimeout = startTimeout;
        this.loader = loader;
        this.admission = admission;
        this.output = output;
        this.scheduler = scheduler;
        this.housekeeping = housekeeping;
        this.carryOut = carryOut;
        this.monitor = monitor;
        this.initializer = initializer;
    }

    /**
     * Starts one worker; it joins the pool when it shakes hands. Returns null if the pool needs no
     * other worker.
     */
    Worker launch() {
        Worker worker = dispatcher.newWorker();
        if (worker == null) {
            return null;
        }
        try {
            worker.ring = FrameRing.create(launcher.ring(worker.id));
            launcher.launch(worker.id, process -> worker.process = process);
        } catch (IOException | RuntimeException e) {
            Process started = worker.process;
            if (started != null) {
                started.destroyForcibly();
            }
            deleteRing(worker);
            WorkerStartException failure =
                    Failures.startFailure(
                            "cannot start worker "
                                    + worker.name
                                    + ": "
                                    + e.getMessage()
                                    + "; command: "
                                    + String.join(" ", launcher.command(worker.id)),
                            List.of(),
                            e);
            worker.connected.completeExceptionally(failure);
            carryOut.accept(dispatcher.died(worker, null, failure));
            return worker;
        }
        Process process = worker.process;
        // Off this thread: the first message of a JVM sets up its logging, 15-25 ms of a fresh
        // program that would hold up the launch of the pool's next worker.
        Runnable logStart =
                () -> PoolLog.pool.log(DEBUG, () -> "started worker " + worker.describe());
        try {
            housekeeping.execute(logStart);
        } catch (RejectedExecutionException e) { // the pool ended meanwhile
            logStart.run();
        }
        monitor.workerStarted(worker);
        worker.stdout =
                OutputPump.start(
                        process.getInputStream(), worker.name, process.pid(), false, output);
        worker.stderr =
                OutputPump.start(
                        process.getErrorStream(), worker.name, process.pid(), true, output);
        reapWhenExited(worker, process);
        scheduler.schedule(
                () -> {
                    if (!worker.connected.isDone()) {
                        PoolLog.pool.log(
                                WARNING,
                                "worker "
                                        + worker.describe()
                                        + " did not connect within "
                                        + startTimeout.toMillis()
                                        + " ms; killing it");
                        worker.destroy();
                    }
                },
                startTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
        carryOut.accept(dispatcher.launched(worker));
        return worker;
    }

    /**
     * A verified hello, on the listener's handshake thread: the worker joins the pool if the
     * dispatcher takes it, and its reader starts.
     */
    boolean hello(Frame.Hello hello, FrameChannel channel) {
        Worker worker = dispatcher.worker(hello.workerId());
        if (worker == null) {
            PoolLog.pool.log(
                    WARNING,
                    "a worker said hello as worker "
                            + hello.workerId()
                            + " (pid "
                            + hello.pid()
                            + "), which the pool is not starting; dropped it");
            return false;
        }
        try {
            channel.makeNonBlocking(); // so that a reader can write to it without waiting
        } catch (IOException e) {
            PoolLog.pool.log(WARNING, "cannot use the channel of " + worker.describe(), e);
            return false;
        }
        Actions actions =
                dispatcher.connected(
                        worker, hello.pid(), channel, new AnswerChannel(worker.ring, channel));
        if (actions == null) {
            PoolLog.pool.log(
                    WARNING,
                    "worker "
                            + worker.describe()
                            + " said hello as pid "
                            + hello.pid()
                            + ", or when it was not starting; dropped it");
            return false;
        }
        Thread reader =
                new Thread(
                        null,
                        new AnswerReader(
                                worker,
                                dispatcher,
                                loader,
                                admission,
                                carryOut,
                                monitor,
                                maxWorkerMemory),
                        worker.name + "-reader",
                        READER_STACK_BYTES);
        reader.setDaemon(true);
        worker.reader = reader;
        reader.start();
        worker.startWriter();
        deleteRing(worker); // both processes have it mapped
        if (initializer == null) {
            worker.connected.complete(null);
        }
        carryOut.accept(actions);
        if (initializer != null) {
            initialize(worker);
        }
        return true;
    }

    /**
     * Runs the initializer on a worker that just connected: it joins the pool when the future the
     * initializer returned succeeds; otherwise it is killed, and counts as a worker that could not
     * start.
     */
    private void initialize(Worker worker) {
        TaskFuture<?> done;
        try {
            done =
                    Objects.requireNonNull(
                            initializer.apply(worker), "the initializer returned no future");
        } catch (RuntimeException | Error e) {
            initializationFailed(worker, e);
            return;
        }
        done.whenComplete(
                (value, failure) -> {
                    if (failure != null) {
                        initializationFailed(
                                worker,
                                failure instanceof CompletionException c && c.getCause() != null
                                        ? c.getCause()
                                        : failure);
                        return;
                    }
                    Actions actions = dispatcher.initialized(worker);
                    if (actions != null) {
                        worker.connected.complete(null);
                        carryOut.accept(actions);
                    }
                });
    }

    private void initializationFailed(Worker worker, Throwable why) {
        WorkerStartException failure =
                Failures.startFailure(
                        "the pool's initializer failed on worker " + worker.describe() + ": " + why,
                        worker.stderrTail(),
                        why);
        worker.initFailure = failure;
        worker.connected.completeExceptionally(failure);
        carryOut.accept(dispatcher.kill(worker, null));
    }

    /**
     * Runs {@link #exited} once the worker's process has exited, on a housekeeping thread that
     * waits for it. Not {@code Process.onExit()}: on JDK 19 and later that future completes on the
     * common fork-join pool, which has one thread on a 2-core machine, so a program keeping it busy
     * (a parallel stream, a long {@code supplyAsync}) would leave a dead worker unreaped and its
     * calls waiting for good. {@code waitFor} is woken by the JDK's own reaper thread.
     */
    private void reapWhenExited(Worker worker, Process process) {
        Runnable reap =
                () -> {
                    awaitExit(process);
                    exited(worker);
                };
        try {
            housekeeping.execute(reap);
        } catch (RejectedExecutionException e) { // the pool ended as it launched this worker
            Thread reaper = new Thread(reap, worker.name + "-reaper");
            reaper.setDaemon(true);
            reaper.start();
        }
    }

    /** Waits until the process has exited; an interrupt does not end the wait. */
    static void awaitExit(Process process) {
        while (true) {
            try {
                process.waitFor();
                return;
            } catch (InterruptedException e) {
                // the pool never interrupts its housekeeping; a process is reaped all the same
            }
        }
    }

    /**
     * The worker's process has exited: settle its calls, maybe replace it. On a housekeeping
     * thread.
     */
    private void exited(Worker worker) {
        WorkerStartException startFailure = null;
        int exitCode = -1;
        try {
            Thread reader = worker.reader;
            if (reader != null) {
                reader.join(REAP_WAIT_MILLIS); // let it settle what the worker sent before dying
            }
            closeQuietly(worker.process.getOutputStream()); // its stdin, left open for its watch
            worker.stderr.awaitEnd(1_000);
            worker.stdout.awaitEnd(1_000);
            exitCode = worker.process.exitValue();
            int code = exitCode;
            monitor.workerExited(worker, code);
            PoolLog.pool.log(
                    DEBUG,
                    () ->
                            "worker "
                                    + worker.describe()
                                    + " exited with code "
                                    + code
                                    + (worker.saidBye
                                            ? " after saying goodbye"
                                            : " without saying goodbye: it crashed or was killed"));
            if (worker.initFailure != null) {
                startFailure = worker.initFailure;
            } else if (!worker.connected.isDone()) {
                startFailure =
                        Failures.startFailure(
                                "worker "
                                        + worker.describe()
                                        + " exited with code "
                                        + exitCode
                                        + " before it connected to the pool"
                                        + Failures.lastWords(
                                                worker.stderrTail(), worker.stdoutTail())
                                        + "\ncommand: "
                                        + String.join(" ", launcher.command(worker.id)),
                                worker.stderrTail(),
                                null);
                worker.connected.completeExceptionally(startFailure);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            worker.stopWriter();
            worker.reaped( // once its answers are read, what is left is nobody's
                    () -> {
                        deleteRing(worker);
                        LargeArrays.removeAllOf(worker.pid());
                    });
            carryOut.accept(
                    dispatcher.died(worker, exitCode, startFailure)); // whatever happened above
        }
    }

    private static void closeQuietly(java.io.Closeable stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // The process is gone; so is the pipe's other end.
        }
    }

    /** Removes the worker's ring file; the memory stays while a process maps it. */
    private void deleteRing(Worker worker) {
        try {
            Files.deleteIfExists(launcher.ring(worker.id));
        } catch (IOException e) {
            // It is in the pool's private directory, which the listener removes at the end.
        }
    }

    /**
     * Waits until each of the pool's first workers has shaken hands; returns why one did not, or
     * null.
     */
    WorkerStartException awaitConnected(List<Worker> first, String pool) {
        CompletableFuture<Void> all = new CompletableFuture<>();
        List<CompletableFuture<Void>> each = first.stream().map(w -> w.connected).toList();
        CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenRun(() -> all.complete(null));
        each.forEach(
                c ->
                        c.exceptionally(
                                e -> {
                                    all.completeExceptionally(e);
                                    return null;
                                }));
        try {
            all.get(startTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause() instanceof WorkerStartException w
                    ? w
                    : Failures.startFailure(
                            "cannot start " + pool + ": " + e.getCause(), List.of(), e.getCause());
        } catch (TimeoutException e) {
            return Failures.startFailure(
                    "the workers of "
                            + pool
                            + " did not connect within "
                            + startTimeout.toMillis()
                            + " ms",
                    List.of(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Failures.startFailure("interrupted while starting " + pool, List.of(), e);
        }
    }
}
