package dev.paralleltask.benchmarks;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The floor's child: a bare JVM that connects to a Unix socket, says one byte, then echoes until
 * the socket closes. No paralleltask code at all. {@code EchoMain <socket>} echoes length-prefixed
 * messages; {@code EchoMain <socket> each|batched} echoes a stream of {@value #SMALL}-byte
 * messages, read many at a time and written back one per system call, or all that one read brought
 * in one system call.
 */
public final class EchoMain {
    private EchoMain() {}

    static final int SMALL = 32;

    public static void main(String[] args) throws IOException {
        try (SocketChannel channel =
                SocketChannel.open(UnixDomainSocketAddress.of(Path.of(args[0])))) {
            ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
            buf.put((byte) 1).flip();
            channel.write(buf);
            if (args.length > 1) {
                echoSmall(channel, args[1].equals("each"));
                return;
            }
            ByteBuffer header = ByteBuffer.allocate(4);
            while (true) {
                header.clear();
                if (!readFully(channel, header)) {
                    return;
                }
                header.flip();
                int length = header.getInt();
                header.flip();
                write(channel, header);
                int left = length;
                while (left > 0) {
                    buf.clear().limit(Math.min(buf.capacity(), left));
                    if (channel.read(buf) < 0) {
                        return;
                    }
                    buf.flip();
                    left -= buf.remaining();
                    write(channel, buf);
                }
            }
        }
    }

    private static void echoSmall(SocketChannel channel, boolean writeEach) throws IOException {
        ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
        while (channel.read(in) >= 0) {
            in.flip();
            while (in.remaining() >= SMALL) {
                out.put(in.slice(in.position(), SMALL));
                in.position(in.position() + SMALL);
                if (writeEach) {
                    write(channel, out.flip());
                    out.clear();
                }
            }
            write(channel, out.flip());
            out.clear();
            in.compact();
        }
    }

    static boolean readFully(SocketChannel channel, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                return false;
            }
        }
        return true;
    }

    static void write(SocketChannel channel, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }
}
