package dev.paralleltask.benchmarks;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The floor's child: a bare JVM that connects to a Unix socket, says one byte, then echoes
 * length-prefixed messages until the socket closes. No paralleltask code at all.
 */
public final class EchoMain {
    private EchoMain() {}

    public static void main(String[] args) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(Path.of(args[0])))) {
            ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
            buf.put((byte) 1).flip();
            channel.write(buf);
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
