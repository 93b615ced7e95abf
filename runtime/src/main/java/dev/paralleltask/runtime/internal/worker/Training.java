package dev.paralleltask.runtime.internal.worker;

import dev.paralleltask.runtime.internal.TaskInvoker;
import dev.paralleltask.runtime.internal.wire.AnswerChannel;
import dev.paralleltask.runtime.internal.wire.CallCodec;
import dev.paralleltask.runtime.internal.wire.ClassAdmission;
import dev.paralleltask.runtime.internal.wire.Frame;
import dev.paralleltask.runtime.internal.wire.FrameChannel;
import dev.paralleltask.runtime.internal.wire.FrameRing;
import dev.paralleltask.runtime.internal.wire.ThrowableCodec;
import dev.paralleltask.runtime.internal.wire.ValueCodingException;
import java.io.IOException;
import java.io.Serializable;
import java.net.ProtocolException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The main class of the JVM a pool runs, with {@code -XX:ArchiveClassesAtExit}, to make the class
 * data sharing archive its workers start from: it takes a real worker ({@link WorkerMain#serve})
 * through its start and a few calls of every kind, against a stand-in for the pool on a second
 * thread, so that the classes a worker loads, the runtime's and the JDK's, are in the archive.
 *
 * <p>Command line: {@code Training <lock file>}. It holds a lock on that file while it runs, so
 * that one training runs at a time and a pool can tell when it is over; if another holds it, it
 * halts at once with {@value #EXIT_BUSY}. Exits with 0 once the worker said goodbye, printing
 * {@value #DONE} last, the archive being written as the JVM exits; with 1, the reason on standard
 * error, otherwise. It halts after {@value #LIMIT_MILLIS} ms. Unlike a worker it outlives its
 * parent: a short program that started it exits long before an archive is made, and the next pool
 * moves the archive into place.
 */
public final class Training {
    private static final long LIMIT_MILLIS = 60_000;

    /** What a training prints last when it did its work. */
    public static final String DONE = "paralleltask training: done";

    /** The exit code of a training that found another running. */
    public static final int EXIT_BUSY = 3;

    private static final int MAX_ANSWER_BYTES = 1 << 20;
    private static final AtomicLong CALL_IDS = new AtomicLong();

    private Training() {}

    public static void main(String[] args) throws Exception {
        FileChannel lockFile =
                FileChannel.open(
                        Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (lockFile.tryLock() == null) { // held until this JVM is gone, the archive written
            System.out.println("paralleltask training: another training is running");
            Runtime.getRuntime().halt(EXIT_BUSY);
        }
        Path directory = Files.createTempDirectory("paralleltask-training-");
        Path socket = directory.resolve("socket");
        Path ringFile = directory.resolve("worker-0.ring");
        List<Path> files = List.of(ringFile, socket, directory);
        Thread limit =
                new Thread(
                        () -> {
                            try {
                                Thread.sleep(LIMIT_MILLIS);
                            } catch (InterruptedException e) {
                                // fail anyway
                            }
                            fail("not done after " + LIMIT_MILLIS + " ms", null, files);
                        },
                        "paralleltask-training-limit");
        limit.setDaemon(true);
        limit.start();
        int code;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            FrameRing ring = FrameRing.create(ringFile);
            Thread pool =
                    new Thread(
                            () -> {
                                try {
                                    standInForThePool(server, ring);
                                } catch (Throwable t) {
                                    fail("the worker did not answer as it should", t, files);
                                }
                            },
                            "paralleltask-training-pool");
            pool.start();
            code = WorkerMain.serve(socket, ringFile, 0, new byte[32], ParentWatch.none(), 1);
            pool.join();
        } finally {
            remove(files);
        }
        if (code != WorkerMain.EXIT_STOPPED) {
            fail("the worker ended with " + code, null, files);
        }
        System.out.println(DONE);
    }

    /** Removes the training files and halts with 1: the pool then throws the archive away. */
    private static void fail(String why, Throwable cause, List<Path> files) {
        System.err.println("paralleltask training: " + why);
        if (cause != null) {
            cause.printStackTrace();
        }
        remove(files);
        Runtime.getRuntime().halt(1);
    }

    private static void remove(List<Path> files) {
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                System.err.println("paralleltask training: cannot remove " + file + ": " + e);
            }
        }
    }

    /** Shakes hands, sends calls the way a pool does, and checks each answer. */
    private static void standInForThePool(ServerSocketChannel server, FrameRing ring)
            throws IOException {
        FrameChannel channel = new FrameChannel(server.accept());
        expect(Frame.Hello.class, channel.read(MAX_ANSWER_BYTES));
        AnswerChannel answers = new AnswerChannel(ring, channel);
        List<Object> values =
                List.of(
                        "text",
                        42,
                        42L,
                        4.2,
                        true,
                        'c',
                        Sample.B,
                        new int[] {1, 2},
                        new byte[4096],
                        List.of("a", "b"),
                        Map.of("k", 1),
                        new Pair("left", 2));
        // One call at a time, the answer through the ring or, when large, the socket.
        for (Object value : values) {
            channel.write(call(Invoker.ECHO, value));
            Frame answer = answers.take(MAX_ANSWER_BYTES);
            try {
                CallCodec.decodeResult(
                        expect(Frame.Result.class, answer).body(),
                        Training.class.getClassLoader(),
                        ClassAdmission.ANY);
            } catch (ValueCodingException e) {
                throw new IOException("the echo of " + value + " cannot be decoded", e);
            }
        }
        // Many calls at once, as a pool sends ahead, and a failure.
        for (int i = 0; i < 100; i++) {
            channel.append(call(Invoker.ECHO, i));
        }
        channel.append(call(Invoker.FAIL, "no"));
        channel.flush();
        for (int i = 0; i < 100; i++) {
            expect(Frame.Result.class, answers.take(MAX_ANSWER_BYTES));
        }
        ThrowableCodec.decode(
                expect(Frame.Failure.class, answers.take(MAX_ANSWER_BYTES)).body(),
                Training.class.getClassLoader(),
                ClassAdmission.ANY);
        channel.write(new Frame.Stop());
        expect(Frame.Bye.class, answers.take(MAX_ANSWER_BYTES));
    }

    private static Frame.Call call(int method, Object argument) {
        try {
            return new Frame.Call(
                    CALL_IDS.incrementAndGet(),
                    CallCodec.encode(Invoker.class.getName(), method, null, new Object[] {argument})
                            .body());
        } catch (ValueCodingException e) {
            throw new IllegalStateException("a training value cannot be encoded", e);
        }
    }

    private static <F extends Frame> F expect(Class<F> type, Frame frame) throws ProtocolException {
        if (!type.isInstance(frame)) {
            throw new ProtocolException("expected a " + type.getSimpleName() + ", got " + frame);
        }
        return type.cast(frame);
    }

    enum Sample {
        A,
        B
    }

    record Pair(String name, int count) implements Serializable {}

    /** The training calls: what an invoker the processor writes would do. */
    static final class Invoker implements TaskInvoker {
        static final int ECHO = 0;
        static final int FAIL = 1;

        @Override
        public Object invoke(int method, Object target, Object[] args) {
            return switch (method) {
                case ECHO -> args[0];
                case FAIL -> throw new IllegalArgumentException((String) args[0]);
                default -> throw new IllegalArgumentException("no method " + method);
            };
        }
    }
}
