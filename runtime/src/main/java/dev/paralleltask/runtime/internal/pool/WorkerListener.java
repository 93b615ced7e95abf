package dev.paralleltask.runtime.internal.pool;

import static java.lang.System.Logger.Level.WARNING;

import dev.paralleltask.runtime.internal.shared.SharedDirectory;
import dev.paralleltask.runtime.internal.wire.Frame;
import dev.paralleltask.runtime.internal.wire.FrameChannel;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The pool's Unix-domain socket, in a directory only this user can enter, and the handshake of each
 * connection: a worker must open with a {@link Frame.Hello} carrying the pool's secret within
 * {@link #HELLO_TIMEOUT_MILLIS}, or it is dropped.
 */
final class WorkerListener implements Closeable {
    static final long HELLO_TIMEOUT_MILLIS = 10_000;
    private static final int MAX_HELLO_BYTES = 1024;

    /** Takes a worker's verified hello; returns false to drop the connection. */
    interface Handshake {
        boolean accept(Frame.Hello hello, FrameChannel channel);
    }

    private final Path directory;
    private final Path socket;
    private final ScheduledExecutorService scheduler;
    private final String name;

    /** Set by {@link #open}, before the acceptor starts. */
    private volatile ServerSocketChannel server;

    private byte[] secret;
    private Handshake handshake;

    /**
     * Makes the pool's private directory, where the socket will be. Nothing listens until {@link
     * #open}: a fresh JVM's first Unix socket costs it 15-30 ms (the JDK seeds a {@code
     * SecureRandom} for it), which the pool pays after it launched its first workers.
     */
    WorkerListener(String name, ScheduledExecutorService scheduler) throws IOException {
        this.name = name;
        this.directory = privateDirectory();
        this.socket = directory.resolve("pool.sock");
        this.scheduler = scheduler;
    }

    /**
     * Binds the socket and accepts connections from now on; a worker that opens with {@code secret}
     * goes to {@code handshake}.
     */
    void open(byte[] secret, Handshake handshake) throws IOException {
        this.secret = secret.clone();
        this.handshake = handshake;
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        this.server = channel;
        Thread acceptor = new Thread(this::acceptLoop, name + "-listener");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    Path socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        ServerSocketChannel channel = server;
        if (channel != null) {
            channel.close();
        }
        Files.deleteIfExists(socket);
        Files.deleteIfExists(directory);
    }

    private void acceptLoop() {
        ServerSocketChannel server = this.server;
        while (server.isOpen()) {
            try {
                SocketChannel connection = server.accept();
                Thread shake =
                        new Thread(
                                () -> shakeHands(connection),
                                Thread.currentThread().getName() + "-handshake");
                shake.setDaemon(true);
                shake.start();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException | Error e) {
                // Out of file descriptors or threads, say: the worker it was for does not connect
                // and its start timeout replaces it; this loop goes on while the socket is open.
                if (server.isOpen()) {
                    PoolLog.pool.log(WARNING, "cannot accept a connection on " + socket + ": " + e);
                }
            }
        }
    }

    private void shakeHands(SocketChannel connection) {
        FrameChannel channel = new FrameChannel(connection);
        ScheduledFuture<?> deadline =
                scheduler.schedule(
                        () -> closeQuietly(channel), HELLO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        try {
            Frame first = channel.read(MAX_HELLO_BYTES);
            deadline.cancel(false);
            if (first instanceof Frame.Hello hello
                    && MessageDigest.isEqual(hello.secret(), secret)) {
                if (handshake.accept(hello, channel)) {
                    return;
                }
            } else {
                PoolLog.pool.log(
                        WARNING,
                        "dropped a connection to "
                                + socket
                                + " that did not open with the pool's secret");
            }
        } catch (IOException | RuntimeException e) {
            // A stranger that went away, or a worker that died mid-handshake: drop it.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FrameChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /**
     * A fresh directory only this user can enter, for the socket and the workers' answer rings. It
     * is in {@code /dev/shm} where that exists, so the rings are memory that never goes to disk;
     * elsewhere in {@code java.io.tmpdir}. Unix socket paths are limited to about 100 bytes, so a
     * long {@code java.io.tmpdir} falls back to {@code /tmp}. Its name holds this process's pid, so
     * that the next pool removes it if this process is killed with no worker left to do so; it
     * removes such directories, and the shared objects of such processes, as it makes its own.
     */
    private static Path privateDirectory() throws IOException {
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            base = shm;
        } else if (base.toAbsolutePath().toString().length() > 60) {
            base = Path.of("/tmp");
        }
        SharedDirectory.removeAbandoned(base, "paralleltask-");
        SharedDirectory.removeAbandoned(base, SharedDirectory.PREFIX);
        return SharedDirectory.createPrivate(
                base, "paralleltask-" + ProcessHandle.current().pid() + "-");
    }
}
