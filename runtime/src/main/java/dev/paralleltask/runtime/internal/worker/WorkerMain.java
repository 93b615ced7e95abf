package dev.paralleltask.runtime.internal.worker;

import dev.paralleltask.runtime.internal.wire.AnswerChannel;
import dev.paralleltask.runtime.internal.wire.Frame;
import dev.paralleltask.runtime.internal.wire.FrameChannel;
import dev.paralleltask.runtime.internal.wire.FrameRing;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The main class of a worker JVM: handshake, start {@link ParentWatch}, run {@link WorkerLoop}.
 *
 * <p>Command line: {@code WorkerMain <socket path> <ring path> <worker id> <parent pid> <threads>},
 * the ring being the {@link FrameRing} file its answers go through and threads how many calls it
 * runs at once; the pool's secret arrives as the first line of standard input, so it never shows in
 * a process listing. Exit codes:
 *
 * <ul>
 *   <li>{@value #EXIT_STOPPED}: the pool asked the worker to stop and it said goodbye;
 *   <li>{@value #EXIT_USAGE}: bad command line;
 *   <li>{@value #EXIT_HANDSHAKE}: could not read the secret, map the ring or reach the pool;
 *   <li>{@value #EXIT_PARENT_GONE}: the parent process died;
 *   <li>{@value #EXIT_CHANNEL_LOST}: the pool closed the channel without asking it to stop;
 *   <li>{@value #EXIT_CANCELLED}: the pool cancelled the running call with {@code cancel(true)};
 *   <li>{@value #EXIT_INTERNAL}: anything else (the stack trace is on standard error).
 * </ul>
 *
 * Any other code is the task's own ({@code System.exit}) or the JVM's.
 */
public final class WorkerMain {
    public static final int EXIT_STOPPED = 0;
    public static final int EXIT_USAGE = 64;
    public static final int EXIT_HANDSHAKE = 65;
    public static final int EXIT_PARENT_GONE = 66;
    public static final int EXIT_CHANNEL_LOST = 67;
    public static final int EXIT_CANCELLED = 68;
    public static final int EXIT_INTERNAL = 70;

    /** How long {@code System.exit} may take (shutdown hooks of user code) before we halt. */
    private static final long EXIT_GRACE_MILLIS = 5_000;

    private WorkerMain() {}

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (Throwable t) {
            System.err.println("paralleltask worker failed:");
            t.printStackTrace();
            code = EXIT_INTERNAL;
        }
        exit(code);
    }

    private static int run(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println(
                    "usage: WorkerMain <socket path> <ring path> <worker id> <parent pid> <threads>;"
                            + " the secret on stdin");
            return EXIT_USAGE;
        }
        Path socket = Path.of(args[0]);
        Path ringFile = Path.of(args[1]);
        int workerId = Integer.parseInt(args[2]);
        long parentPid = Long.parseLong(args[3]);
        int threads = Integer.parseInt(args[4]);
        ParentWatch watch = ParentWatch.start(parentPid, socket, ringFile);

        String secret;
        try {
            secret = watch.secret();
        } catch (InterruptedException e) {
            return EXIT_HANDSHAKE;
        }
        if (secret.isEmpty()) {
            System.err.println("paralleltask worker: no pool secret on standard input");
            return EXIT_HANDSHAKE;
        }
        return serve(socket, ringFile, workerId, HexFormat.of().parseHex(secret), watch, threads);
    }

    /**
     * Maps the ring, connects to the pool, says hello with {@code secret}, and runs calls, {@code
     * threads} at once, until the pool says stop; returns the exit code.
     */
    static int serve(
            Path socket, Path ringFile, int workerId, byte[] secret, ParentWatch watch, int threads)
            throws IOException {
        FrameRing ring;
        try {
            ring = FrameRing.open(ringFile);
        } catch (IOException e) {
            System.err.println(
                    "paralleltask worker: cannot map the pool's ring " + ringFile + ": " + e);
            return EXIT_HANDSHAKE;
        }
        FrameChannel channel;
        try {
            channel = new FrameChannel(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        } catch (IOException e) {
            System.err.println(
                    "paralleltask worker: cannot reach the pool at " + socket + ": " + e);
            return EXIT_HANDSHAKE;
        }
        channel.write(new Frame.Hello(ProcessHandle.current().pid(), workerId, secret));
        return new WorkerLoop(
                        channel, new AnswerChannel(ring, channel), watch, taskLoader(), threads)
                .run();
    }

    /**
     * The loader of the task classes: the context loader a launcher set (Spring Boot's, whose
     * loader holds the application's nested jars), else the one that loaded this class.
     */
    private static ClassLoader taskLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : WorkerMain.class.getClassLoader();
    }

    /** Exits with {@code code}; halts if exiting hangs (a shutdown hook of user code, say). */
    static void exit(int code) {
        Thread backstop =
                new Thread(
                        () -> {
                            try {
                                Thread.sleep(EXIT_GRACE_MILLIS);
                            } catch (InterruptedException e) {
                                // halt anyway
                            }
                            Runtime.getRuntime().halt(code);
                        },
                        "paralleltask-exit-backstop");
        backstop.setDaemon(true);
        backstop.start();
        System.exit(code);
    }
}
