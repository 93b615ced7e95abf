package dev.paralleltask.runtime.internal.wire;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** Both ends of a real Unix-domain socket connection, as frame channels. */
record SocketPair(FrameChannel connecting, FrameChannel accepted) implements AutoCloseable {
    /** Connects through a socket file in {@code dir}. */
    static SocketPair open(Path dir) throws IOException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("s"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(address);
            FrameChannel connecting = new FrameChannel(SocketChannel.open(address));
            return new SocketPair(connecting, new FrameChannel(server.accept()));
        }
    }

    @Override
    public void close() throws IOException {
        connecting.close();
        accepted.close();
    }
}
