package dev.paralleltask.runtime.internal.worker;

import dev.paralleltask.runtime.internal.TaskInvoker;
import dev.paralleltask.runtime.internal.wire.CallCodec;
import dev.paralleltask.runtime.internal.wire.Frame;
import dev.paralleltask.runtime.internal.wire.FrameChannel;
import dev.paralleltask.runtime.internal.wire.ThrowableCodec;
import dev.paralleltask.runtime.internal.wire.ValueCodingException;
import java.io.EOFException;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.ProtocolException;
import java.util.HashMap;
import java.util.Map;

/** Reads calls from the channel and answers each, one at a time, until told to stop. */
final class WorkerLoop {
    /** The parent is trusted; the limit only keeps a corrupt length from allocating 2 GiB. */
    private static final int MAX_CALL_BYTES = Integer.MAX_VALUE - 64;

    private final FrameChannel channel;
    private final ClassLoader loader;
    /** Touched only by the loop's thread. */
    private final Map<String, TaskInvoker> invokers = new HashMap<>();

    WorkerLoop(FrameChannel channel, ClassLoader loader) {
        this.channel = channel;
        this.loader = loader;
    }

    /** Runs until the pool says stop, and returns the exit code. */
    int run() throws IOException {
        while (true) {
            Frame frame;
            try {
                frame = channel.read(MAX_CALL_BYTES);
            } catch (EOFException e) {
                return WorkerMain.EXIT_CHANNEL_LOST;
            }
            if (frame instanceof Frame.Call call) {
                channel.write(answer(call));
            } else if (frame instanceof Frame.Stop) {
                channel.write(new Frame.Bye());
                return WorkerMain.EXIT_STOPPED;
            } else {
                throw new ProtocolException("a worker does not expect " + frame);
            }
        }
    }

    private Frame answer(Frame.Call call) throws IOException {
        CallCodec.DecodedCall decoded;
        try {
            decoded = CallCodec.decode(call.body(), loader);
        } catch (ValueCodingException e) {
            return new Frame.Unsendable(
                    call.id(), e.position(), "could not be rebuilt in the worker: " + e.getMessage());
        }
        Object result;
        try {
            result = invoker(decoded.invokerClass()).invoke(decoded.method(), decoded.target(), decoded.args());
        } catch (Throwable t) {
            return new Frame.Failure(call.id(), ThrowableCodec.isFatal(t), ThrowableCodec.encode(t));
        }
        try {
            return new Frame.Result(call.id(), CallCodec.encodeResult(result));
        } catch (ValueCodingException e) {
            return new Frame.Unsendable(
                    call.id(), ValueCodingException.RESULT, "could not be serialized: " + e.getMessage());
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
                        className + " is not on the worker's classpath ("
                                + System.getProperty("java.class.path")
                                + "); give the pool a classpath that holds the task classes", e);
            }
            Constructor<?> constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true); // the proxy, and so its invoker, may be package-private
            invoker = (TaskInvoker) constructor.newInstance();
            invokers.put(className, invoker);
        }
        return invoker;
    }
}
