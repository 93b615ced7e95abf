package dev.paralleltask.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.net.ProtocolException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class FrameChannelTest {
    @TempDir Path dir;

    private SocketPair sockets;
    private FrameChannel left;
    private FrameChannel right;

    @BeforeEach
    void connect() throws Exception {
        sockets = SocketPair.open(dir);
        left = sockets.connecting();
        right = sockets.accepted();
    }

    @AfterEach
    void close() throws Exception {
        sockets.close();
    }

    @Test
    void everyFrameTypeCrossesIntact() throws Exception {
        left.write(new Frame.Hello(42, 7, new byte[] {1, 2, 3}));
        left.write(new Frame.Call(1, new byte[] {4}));
        left.write(new Frame.Result(2, new byte[0]));
        left.write(new Frame.Failure(3, true, new byte[] {5, 6}));
        left.write(new Frame.Unsendable(4, -2, "the result ✓"));
        left.write(new Frame.Stop());
        left.write(new Frame.Bye());

        Frame.Hello hello = assertInstanceOf(Frame.Hello.class, right.read(1024));
        assertEquals(42, hello.pid());
        assertEquals(7, hello.workerId());
        assertArrayEquals(new byte[] {1, 2, 3}, hello.secret());
        assertEquals(1, assertInstanceOf(Frame.Call.class, right.read(1024)).id());
        assertEquals(0, assertInstanceOf(Frame.Result.class, right.read(1024)).body().length);
        Frame.Failure failure = assertInstanceOf(Frame.Failure.class, right.read(1024));
        assertTrue(failure.fatal());
        Frame.Unsendable u = assertInstanceOf(Frame.Unsendable.class, right.read(1024));
        assertEquals(-2, u.position());
        assertEquals("the result ✓", u.message());
        assertInstanceOf(Frame.Stop.class, right.read(1024));
        assertInstanceOf(Frame.Bye.class, right.read(1024));
    }

    @Test
    void bodyLargerThanTheBuffersCrossesIntact() throws Exception {
        byte[] body = new byte[5 << 20];
        new Random(1).nextBytes(body);
        Thread writer =
                new Thread(
                        () -> {
                            try {
                                left.write(new Frame.Call(9, body));
                            } catch (Exception e) {
                                throw new AssertionError(e);
                            }
                        });
        writer.start();
        assertArrayEquals(
                body,
                assertInstanceOf(Frame.Call.class, right.read(Integer.MAX_VALUE - 64)).body());
        writer.join();
    }

    @Test
    void frameOverTheLimitIsAProtocolError() throws Exception {
        left.write(new Frame.Call(1, new byte[2048]));
        assertThrows(ProtocolException.class, () -> right.read(1024));
    }

    @Test
    void closedPeerIsEndOfFile() throws Exception {
        left.close();
        assertThrows(EOFException.class, () -> right.read(1024));
    }
}
