package dev.paralleltask.it;

import dev.paralleltask.ParallelTask;
import dev.paralleltask.runtime.internal.shared.LargeArrays;
import dev.paralleltask.runtime.internal.wire.AnswerChannel;
import dev.paralleltask.runtime.internal.wire.Frame;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Tasks that play a compromised worker: each sends its caller bytes no honest worker sends, through
 * the worker's own channel (reached by reflection, so its workers need {@link #JVM_OPTIONS}), then
 * waits to be killed. What the caller must do with each is in {@code ForgedAnswerTest}.
 */
public final class Forger {
    /** Lets a task reach the worker's reader thread's loop. */
    static final String[] JVM_OPTIONS = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"};

    // ValueCodec's tags and FrameFormat's RESULT type, as they are on the wire.
    static final byte BYTE_ARRAY = 10;
    static final byte INT_ARRAY = 11;
    static final byte LONG_ARRAY = 12;
    static final byte DOUBLE_ARRAY = 13;
    private static final byte ARRAY_LIST = 17;
    private static final byte ARRAY_IN_FILE = 25;
    private static final byte RESULT = 3;

    private Forger() {}

    /** 40 bytes claiming an array of 2^31-16 elements of {@code tag}: 8 GiB of ints. */
    @ParallelTask
    public static Object hugeArrayClaim(int tag) throws Exception {
        ByteBuffer body = little(40).put((byte) tag).putInt(Integer.MAX_VALUE - 15);
        return answerWith(body.array());
    }

    /** A compact value nested 100,000 deep. */
    @ParallelTask
    public static Object deepNesting() throws Exception {
        int depth = 100_000;
        ByteBuffer body = little(depth * 5 + 1);
        for (int i = 0; i < depth; i++) {
            body.put(ARRAY_LIST).putInt(1);
        }
        return answerWith(body.put((byte) 0).array());
    }

    /** A large-array file of 1.2 MB whose header claims 8 GiB. */
    @ParallelTask
    public static Object shortArrayFile() throws Exception {
        Path file = LargeArrays.write(new int[300_000]);
        byte[] path = file.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer body =
                little(1 + 1 + 4 + 4 + path.length)
                        .put(ARRAY_IN_FILE)
                        .put(INT_ARRAY)
                        .putInt(Integer.MAX_VALUE - 15)
                        .putInt(path.length)
                        .put(path);
        return answerWith(body.array());
    }

    /** A frame on the socket that claims a body of 2 GiB, of which 1,000 bytes follow. */
    @ParallelTask
    public static Object frameClaiming2GiB() throws Exception {
        ByteBuffer frame =
                little(4 + 13 + 1000)
                        .putInt(Integer.MAX_VALUE - 64)
                        .put(RESULT)
                        .putLong(ownCallId())
                        .putInt(0);
        frame.position(frame.limit()).flip();
        SocketChannel socket = field(field(answers(), "channel"), "channel");
        synchronized (socket) {
            while (frame.hasRemaining()) {
                socket.write(frame);
            }
        }
        return waitToBeKilled();
    }

    /** A result whose writeObject recurses until the worker's stack overflows. */
    @ParallelTask
    public static Bottomless bottomless() {
        return new Bottomless();
    }

    @ParallelTask
    public static long pid() {
        return ProcessHandle.current().pid();
    }

    public static final class Bottomless implements Serializable {
        private static final long serialVersionUID = 1L;

        private void writeObject(ObjectOutputStream out) throws IOException {
            descend(0);
        }

        private static int descend(int depth) {
            return descend(depth + 1) + 1;
        }
    }

    private static ByteBuffer little(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Sends {@code body} as this call's result through the ring, and waits to be killed. */
    private static Object answerWith(byte[] body) throws Exception {
        answers().send(new Frame.Result(ownCallId(), body));
        return waitToBeKilled();
    }

    private static Object waitToBeKilled() throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE); // the caller replaces this worker
        throw new AssertionError("not killed");
    }

    /** The worker's loop, from its reader thread's task: {@code this::read} of a WorkerLoop. */
    private static Object loop() throws Exception {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("paralleltask-reader")) {
                Object task = taskOf(t);
                for (Field f : task.getClass().getDeclaredFields()) {
                    f.setAccessible(true);
                    Object captured = f.get(task);
                    if (captured.getClass().getSimpleName().equals("WorkerLoop")) {
                        return captured;
                    }
                }
            }
        }
        throw new IllegalStateException("no worker loop here");
    }

    /** A thread's Runnable: a field of the thread on JDK 17, of its field holder on JDK 19+. */
    private static Object taskOf(Thread thread) throws Exception {
        try {
            return field(thread, "target");
        } catch (NoSuchFieldException e) {
            return field(field(thread, "holder"), "task");
        }
    }

    private static AnswerChannel answers() throws Exception {
        return field(loop(), "answers");
    }

    private static long ownCallId() throws Exception {
        Map<Long, Thread> running = field(loop(), "running");
        for (Map.Entry<Long, Thread> e : running.entrySet()) {
            if (e.getValue() == Thread.currentThread()) {
                return e.getKey();
            }
        }
        throw new IllegalStateException("this thread runs no call");
    }

    @SuppressWarnings("unchecked")
    private static <T> T field(Object owner, String name) throws Exception {
        for (Class<?> c = owner.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return (T) f.get(owner);
            } catch (NoSuchFieldException e) {
                // look in its superclass
            }
        }
        throw new NoSuchFieldException(name + " in " + owner.getClass());
    }
}
