package dev.paralleltask.runtime.internal.worker;

import dev.paralleltask.runtime.internal.TaskInvoker;
import dev.paralleltask.runtime.internal.wire.AnswerChannel;
import dev.paralleltask.runtime.internal.wire.CallCodec;
import dev.paralleltask.runtime.internal.wire.Frame;
import dev.paralleltask.runtime.internal.wire.FrameChannel;
import dev.paralleltask.runtime.internal.wire.ThrowableCodec;
import dev.paralleltask.runtime.internal.wire.ValueCodingException;
import java.io.EOFException;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.ProtocolException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs the calls the pool sends, in the order sent, up to {@code threads} at once, until told to
 * stop.
 *
 * <p>A reader thread takes frames off the channel at once, many per system call, so calls sent
 * ahead wait here rather than in the socket and a {@link Frame.Revoke} is seen while calls run;
 * runner threads (the one that called {@link #run}, and {@code threads - 1} more) each take the
 * oldest waiting call. A runner gives its answer to the {@link AnswerChannel} before it takes
 * another call, and so the answer reaches the pool even if a later call kills the JVM ({@code
 * Runtime.halt}, a native crash), and the pool always knows which calls may be running: the oldest
 * {@code threads} it has not had answered or dropped.
 */
final class WorkerLoop {
    /** The parent is trusted; the limit only keeps a corrupt length from allocating 2 GiB. */
    private static final int MAX_CALL_BYTES = Integer.MAX_VALUE - 64;

    /** The frame that tells the runner to leave; never sent. */
    private static final Frame.Call STOP = new Frame.Call(-1, new byte[0]);

    private final FrameChannel channel;
    private final AnswerChannel answers;
    private final ParentWatch watch;
    private final ClassLoader loader;

    private final int threads;

    private final Map<String, TaskInvoker> invokers = new ConcurrentHashMap<>();

    /** Calls received and not started, in the order sent; guarded by itself. */
    private final ArrayDeque<Frame.Call> waiting = new ArrayDeque<>();

    /**
     * The calls being run, by id, and the threads running them: put with the call taken from {@code
     * waiting}, under its lock; removed without it once the call has returned.
     */
    private final Map<Long, Thread> running = new ConcurrentHashMap<>();

    WorkerLoop(
            FrameChannel channel,
            AnswerChannel answers,
            ParentWatch watch,
            ClassLoader loader,
            int threads) {
        this.channel = channel;
        this.answers = answers;
        this.watch = watch;
        this.loader = loader;
        this.threads = threads;
    }

    /** Runs until the pool says stop, and returns the exit code. */
    int run() throws IOException {
        Thread reader = new Thread(this::read, "paralleltask-reader");
        reader.setDaemon(true);
        reader.start();
        for (int i = 2; i <= threads; i++) {
            Thread runner =
                    new Thread(
                            () -> {
                                try {
                                    runCalls();
                                } catch (IOException | RuntimeException | Error e) {
                                    System.err.println(
                                            "paralleltask worker: cannot answer the pool:");
                                    e.printStackTrace();
                                    WorkerMain.exit(WorkerMain.EXIT_INTERNAL);
                                }
                            },
                            "paralleltask-runner-" + i);
            runner.setDaemon(true); // the worker exits when this thread says goodbye
            runner.start();
        }
        runCalls();
        channel.write(new Frame.Bye()); // the pool sends Stop only once every call is answered
        return WorkerMain.EXIT_STOPPED;
    }

    /** Runs calls until the pool says stop. */
    private void runCalls() throws IOException {
        for (Frame.Call call; (call = next()) != STOP; ) {
            ScheduledFuture<?> watch = watch(call);
            Frame answer = answer(call);
            if (watch != null) {
                watch.cancel(false);
            }
            Thread.interrupted(); // an interrupt the task left behind would close the channel
            running.remove(call.id());
            assert !Thread.holdsLock(waiting) : "the reader waits on this lock for urgent frames";
            answers.send(answer);
        }
    }

    /**
     * Waits for the next call and marks it running; {@link #STOP}, left in place for the other
     * runners, once the pool said stop.
     */
    private Frame.Call next() {
        synchronized (waiting) {
            while (waiting.isEmpty()) {
                try {
                    waiting.wait();
                } catch (InterruptedException e) {
                    // A task interrupted this thread and returned; the interrupt was meant for it.
                }
            }
            Frame.Call call = waiting.peekFirst();
            if (call != STOP) {
                waiting.pollFirst();
                running.put(call.id(), Thread.currentThread());
            }
            return call;
        }
    }

    /** The reader thread: queues calls, answers revokes, and ends the worker if the pool goes. */
    private void read() {
        List<Frame.Call> received = new ArrayList<>();
        try {
            while (true) {
                Frame frame = channel.read(MAX_CALL_BYTES);
                if (frame instanceof Frame.Call call) {
                    received.add(call);
                    if (!channel.hasBufferedFrame()) {
                        enqueue(received); // what one read brought, with one wake-up at most
                    }
                    continue;
                }
                enqueue(received); // before the frame that may name them
                if (frame instanceof Frame.Revoke revoke) {
                    revoke(revoke);
                } else if (frame instanceof Frame.StackRequest request) {
                    sendStack(request.id(), true);
                } else if (frame instanceof Frame.Stop) {
                    received.add(STOP);
                    enqueue(received);
                    return;
                } else {
                    throw new ProtocolException("a worker does not expect " + frame);
                }
            }
        } catch (EOFException e) {
            watch.onChannelLost();
            WorkerMain.exit(WorkerMain.EXIT_CHANNEL_LOST);
        } catch (IOException | RuntimeException | Error e) {
            // Whatever ends this thread ends the worker: a worker that no longer reads its channel
            // would hold its calls forever.
            System.err.println("paralleltask worker: the channel to the pool failed:");
            e.printStackTrace();
            WorkerMain.exit(WorkerMain.EXIT_INTERNAL);
        }
    }

    /** Hands the calls to the runner, and empties the list. */
    private void enqueue(List<Frame.Call> calls) {
        if (calls.isEmpty()) {
            return;
        }
        synchronized (waiting) {
            if (waiting.isEmpty()) {
                waiting.notifyAll(); // runners wait only for an empty queue
            }
            waiting.addAll(calls);
        }
        calls.clear();
    }

    /**
     * Sends where call {@code id} is, if it runs; if it does not, an empty body when {@code
     * alwaysAnswer}, else nothing.
     */
    private void sendStack(long id, boolean alwaysAnswer) throws IOException {
        byte[] body = new byte[0];
        Thread runner = running.get(id);
        if (runner != null) {
            StackTraceElement[] stack = runner.getStackTrace();
            if (running.get(id) == runner) { // still the same call: the stack is its
                body = ThrowableCodec.encodeStack("the stack of call " + id, stack);
            }
        }
        if (body.length > 0 || alwaysAnswer) {
            answers.sendUrgent(new Frame.Stack(id, body));
        }
    }

    /**
     * How long before a call's time runs out its worker says where it is: the pool's clock for the
     * call starts a little before the worker's, and the stack must reach the pool before its
     * deadline even on a loaded machine, so that a timeout never waits for it.
     */
    static long watchLeadMillis(long timeoutMillis) {
        return Math.min(50, timeoutMillis / 4);
    }

    /**
     * Takes another thread's stack and encodes it once, so that the first stack a new worker sends
     * at a deadline does not wait for classes to load.
     */
    private static void warmUpStacks() {
        ThrowableCodec.encodeStack("warm-up", Thread.currentThread().getStackTrace());
        new Thread(() -> {}, "paralleltask-warm-up").getStackTrace();
    }

    /** Watches the calls' deadlines; made with the first call that has a timeout. */
    private volatile ScheduledThreadPoolExecutor deadlines;

    /**
     * Arranges for the worker to send where the call is just before its time runs out; null when it
     * has no timeout.
     */
    private ScheduledFuture<?> watch(Frame.Call call) {
        if (call.timeoutMillis() <= 0) {
            return null;
        }
        ScheduledThreadPoolExecutor watch = deadlines;
        if (watch == null) {
            synchronized (this) {
                watch = deadlines;
                if (watch == null) {
                    watch =
                            new ScheduledThreadPoolExecutor(
                                    1,
                                    r -> {
                                        Thread t = new Thread(r, "paralleltask-deadlines");
                                        t.setDaemon(true);
                                        return t;
                                    });
                    watch.setRemoveOnCancelPolicy(true);
                    watch.execute(WorkerLoop::warmUpStacks);
                    deadlines = watch;
                }
            }
        }
        long id = call.id();
        return watch.schedule(
                () -> {
                    try {
                        sendStack(id, false);
                    } catch (IOException | RuntimeException e) {
                        // The pool asks when the time is up, and is answered then.
                    }
                },
                call.timeoutMillis() - watchLeadMillis(call.timeoutMillis()),
                TimeUnit.MILLISECONDS);
    }

    private void revoke(Frame.Revoke revoke) throws IOException {
        synchronized (waiting) {
            for (Iterator<Frame.Call> it = waiting.iterator(); it.hasNext(); ) {
                if (it.next().id() == revoke.id()) {
                    it.remove();
                    // Sent before a runner can take a later call, so it reaches the pool before
                    // that call's answer; urgently, as runners wait for room without the lock.
                    answers.sendUrgent(new Frame.Dropped(revoke.id()));
                    break;
                }
            }
            if (revoke.interrupt() && running.containsKey(revoke.id())) {
                Runtime.getRuntime()
                        .halt(WorkerMain.EXIT_CANCELLED); // the only sure way to stop it
            }
        }
    }

    private Frame answer(Frame.Call call) throws IOException {
        CallCodec.DecodedCall decoded;
        try {
            decoded = CallCodec.decode(call.body(), loader, true);
        } catch (ValueCodingException e) {
            return new Frame.Unsendable(
                    call.id(),
                    e.position(),
                    "could not be rebuilt in the worker: " + e.getMessage());
        }
        Object result;
        try {
            result =
                    invoker(decoded.invokerClass())
                            .invoke(
                                    decoded.method(),
                                    ActorHome.target(decoded.target()),
                                    decoded.args());
        } catch (Throwable t) {
            return new Frame.Failure(
                    call.id(), ThrowableCodec.isFatal(t), ThrowableCodec.encode(t));
        }
        try {
            return new Frame.Result(call.id(), CallCodec.encodeResult(result));
        } catch (ValueCodingException | RuntimeException | Error e) {
            // Also a writeObject that overflows the stack or runs out of memory: what it built is
            // garbage now, and the worker goes on.
            Throwable cause =
                    e instanceof ValueCodingException && e.getCause() != null ? e.getCause() : e;
            return new Frame.Unsendable(
                    call.id(),
                    ValueCodingException.RESULT,
                    "could not be serialized in the worker: " + cause,
                    ThrowableCodec.encode(cause));
        }
    }

    private TaskInvoker invoker(String className) throws ReflectiveOperationException {
        TaskInvoker invoker = invokers.get(className);
        if (invoker == null) { // two runners may both make one; either will do
            Class<?> type;
            try {
                type = Class.forName(className, true, loader);
            } catch (ClassNotFoundException e) {
                throw new ClassNotFoundException(
                        className
                                + " is not on the worker's classpath ("
                                + System.getProperty("java.class.path")
                                + "); give the pool a classpath that holds the task classes",
                        e);
            }
            Constructor<?> constructor = type.getDeclaredConstructor();
            constructor.setAccessible(
                    true); // the proxy, and so its invoker, may be package-private
            invoker = (TaskInvoker) constructor.newInstance();
            invokers.put(className, invoker);
        }
        return invoker;
    }
}
