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
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Runs the calls the pool sends, one at a time in the order sent, until told to stop.
 *
 * <p>Two threads: a reader takes frames off the channel at once, many per system call, so calls
 * sent ahead wait here rather than in the socket and a {@link Frame.Revoke} is seen while a call
 * runs; the runner (the thread that called {@link #run}) runs the calls. Each answer is given to
 * the {@link AnswerChannel} before the next call starts, and so reaches the pool even if that call
 * kills the JVM ({@code Runtime.halt}, a native crash).
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

    /** Touched only by the runner. */
    private final Map<String, TaskInvoker> invokers = new HashMap<>();

    /** Calls received and not started, in the order sent; guarded by itself. */
    private final ArrayDeque<Frame.Call> waiting = new ArrayDeque<>();

    /**
     * The id of the call the runner is running, or 0: set with the call taken from {@code waiting},
     * under its lock; cleared without it once the call has returned.
     */
    private volatile long running;

    /** The thread that runs the calls; written once, before the reader starts. */
    private Thread runner;

    WorkerLoop(FrameChannel channel, AnswerChannel answers, ParentWatch watch, ClassLoader loader) {
        this.channel = channel;
        this.answers = answers;
        this.watch = watch;
        this.loader = loader;
    }

    /** Runs until the pool says stop, and returns the exit code. */
    int run() throws IOException {
        runner = Thread.currentThread();
        Thread reader = new Thread(this::read, "paralleltask-reader");
        reader.setDaemon(true);
        reader.start();
        while (true) {
            Frame.Call call = next();
            if (call == STOP) {
                channel.write(new Frame.Bye());
                return WorkerMain.EXIT_STOPPED;
            }
            Frame answer = answer(call);
            Thread.interrupted(); // an interrupt the task left behind would close the channel
            running = 0;
            answers.send(answer);
        }
    }

    /** Waits for the next call and marks it running. */
    private Frame.Call next() {
        synchronized (waiting) {
            while (waiting.isEmpty()) {
                try {
                    waiting.wait();
                } catch (InterruptedException e) {
                    // A task interrupted this thread and returned; the interrupt was meant for it.
                }
            }
            Frame.Call call = waiting.pollFirst();
            running = call.id();
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
                    sendStack(request.id());
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
                waiting.notify(); // the runner waits only for an empty queue
            }
            waiting.addAll(calls);
        }
        calls.clear();
    }

    /** Sends where the runner is, if it runs call {@code id}; an empty body if it does not. */
    private void sendStack(long id) throws IOException {
        byte[] body = new byte[0];
        if (running == id) {
            Throwable where = new Throwable("the stack of call " + id);
            where.setStackTrace(runner.getStackTrace());
            if (running == id) { // still the same call: the stack is its
                body = ThrowableCodec.encode(where);
            }
        }
        answers.send(new Frame.Stack(id, body));
    }

    private void revoke(Frame.Revoke revoke) throws IOException {
        synchronized (waiting) {
            for (Iterator<Frame.Call> it = waiting.iterator(); it.hasNext(); ) {
                if (it.next().id() == revoke.id()) {
                    it.remove();
                    // Sent before the runner can take a later call, so it reaches the pool before
                    // that call's answer.
                    answers.send(new Frame.Dropped(revoke.id()));
                    break;
                }
            }
            if (running == revoke.id() && revoke.interrupt()) {
                Runtime.getRuntime()
                        .halt(WorkerMain.EXIT_CANCELLED); // the only sure way to stop it
            }
        }
    }

    private Frame answer(Frame.Call call) throws IOException {
        CallCodec.DecodedCall decoded;
        try {
            decoded = CallCodec.decode(call.body(), loader);
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
                            .invoke(decoded.method(), decoded.target(), decoded.args());
        } catch (Throwable t) {
            return new Frame.Failure(
                    call.id(), ThrowableCodec.isFatal(t), ThrowableCodec.encode(t));
        }
        try {
            return new Frame.Result(call.id(), CallCodec.encodeResult(result));
        } catch (ValueCodingException e) {
            return new Frame.Unsendable(
                    call.id(),
                    ValueCodingException.RESULT,
                    "could not be serialized: " + e.getMessage());
        }
    }

    private TaskInvoker invoker(String className) throws ReflectiveOperationException {
        TaskInvoker invoker = invokers.get(className);
        if (invoker == null) {
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
