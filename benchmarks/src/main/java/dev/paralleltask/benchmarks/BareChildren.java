package dev.paralleltask.benchmarks;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The floors: bare JVMs running {@link EchoMain}, connected over a Unix socket like our workers.
 */
final class BareChildren implements Closeable {
    final List<Process> processes = new ArrayList<>();
    final List<SocketChannel> channels = new ArrayList<>();
    private final Path dir;
    private final ServerSocketChannel server;

    /** Starts {@code n} bare JVMs at once and returns when each has said its byte. */
    BareChildren(int n) throws IOException {
        this(n, new String[0]);
    }

    /** As {@link #BareChildren(int)}, with {@link EchoMain}'s mode arguments. */
    BareChildren(int n, String... mode) throws IOException {
        this(n, List.of(), mode);
    }

    /** As {@link #BareChildren(int, String...)}, each child started with {@code jvmOptions}. */
    BareChildren(int n, List<String> jvmOptions, String... mode) throws IOException {
        dir = Files.createTempDirectory("paralleltask-floor-");
        Path socket = dir.resolve("s");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int i = 0; i < n; i++) {
            List<String> command = new ArrayList<>(List.of(java));
            command.addAll(jvmOptions);
            command.addAll(
                    List.of(
                            "-cp",
                            System.getProperty("java.class.path"),
                            EchoMain.class.getName(),
                            socket.toString()));
            command.addAll(List.of(mode));
            processes.add(
                    new ProcessBuilder(command)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .start());
        }
        for (int i = 0; i < n; i++) {
            SocketChannel c = server.accept();
            EchoMain.readFully(c, ByteBuffer.allocate(1));
            channels.add(c);
        }
    }

    /** Sends {@code payload} to child {@code i} and reads the echo back into it. */
    void echo(int i, ByteBuffer payload) throws IOException {
        SocketChannel c = channels.get(i);
        ByteBuffer header = ByteBuffer.allocate(4).putInt(payload.remaining()).flip();
        EchoMain.write(c, header);
        ByteBuffer out = payload.duplicate();
        // Write and read at once: a large payload would otherwise fill both socket buffers and
        // stall.
        Thread writer =
                new Thread(
                        () -> {
                            try {
                                EchoMain.write(c, out);
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
        if (payload.remaining() > 64 * 1024) {
            writer.start();
        } else {
            writer.run();
        }
        header.clear();
        EchoMain.readFully(c, header);
        ByteBuffer back = payload.duplicate();
        EchoMain.readFully(c, back);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Streams {@code messages} small messages, split evenly over the children, and reads each echo
     * back: the messages per second. Each child's messages go out in 64 KiB writes while a second
     * thread reads, as a pool's dispatcher and reader do.
     */
    double streamRate(int messages) throws Exception {
        int each = messages / channels.size();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (SocketChannel c : channels) {
            threads.add(
                    new Thread(
                            () -> {
                                ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
                                try {
                                    for (int sent = 0; sent < each; ) {
                                        out.clear();
                                        for (;
                                                sent < each && out.remaining() >= EchoMain.SMALL;
                                                sent++) {
                                            out.putLong(sent)
                                                    .position(
                                                            out.position()
                                                                    + EchoMain.SMALL
                                                                    - Long.BYTES);
                                        }
                                        EchoMain.write(c, out.flip());
                                    }
                                } catch (IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                            }));
            threads.add(
                    new Thread(
                            () -> {
                                try {
                                    EchoMain.readFully(
                                            c, ByteBuffer.allocateDirect(each * EchoMain.SMALL));
                                } catch (IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        return messages / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public void close() throws IOException {
        for (SocketChannel c : channels) {
            c.close();
        }
        for (Process p : processes) {
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        server.close();
        Files.deleteIfExists(dir.resolve("s"));
        Files.deleteIfExists(dir);
    }
}
