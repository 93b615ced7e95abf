package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.internal.worker.WorkerMain;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The pool's socket drops whoever does not prove they are its worker, and the pool goes on. */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StrangerTest {
    private ProcessPool pool;
    private UnixDomainSocketAddress socket;

    @BeforeAll
    void start() {
        pool = ProcessPool.builder().workers(1).build();
        // The socket's path is on the worker's command line, right after the main class.
        List<String> args =
                Arrays.asList(
                        ProcessHandle.of(pool.workers().get(0).pid())
                                .orElseThrow()
                                .info()
                                .arguments()
                                .orElseThrow());
        socket = UnixDomainSocketAddress.of(args.get(args.indexOf(WorkerMain.class.getName()) + 1));
    }

    @AfterAll
    void stop() throws Exception {
        assertPoolAnswers();
        assertEquals(1, pool.workers().size(), "no stranger took a worker's place");
        pool.close();
    }

    @Test
    void helloWithTheWrongSecretIsDropped() throws Exception {
        ByteBuffer hello =
                frame(1, 4242, 1, new byte[32]); // type HELLO, a pid, worker 1, a secret of zeros
        assertDropped(hello);
        assertPoolAnswers();
    }

    @Test
    void oversizedFrameIsDropped() throws Exception {
        ByteBuffer huge =
                ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(1 << 30).flip();
        assertDropped(huge);
        assertPoolAnswers();
    }

    @Test
    void garbageIsDropped() throws Exception {
        assertDropped(
                ByteBuffer.wrap(
                        "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII)));
        assertPoolAnswers();
    }

    @Test
    void callFrameInPlaceOfAHelloIsDropped() throws Exception {
        assertDropped(frame(2, 1, 0, new byte[16]));
        assertPoolAnswers();
    }

    private void assertPoolAnswers() throws Exception {
        assertEquals("ok", await(new FaultsTasks(pool).identity("ok")));
    }

    /** Sends {@code bytes} and expects the pool to close the connection. */
    private void assertDropped(ByteBuffer bytes) throws IOException {
        try (SocketChannel stranger = SocketChannel.open(socket)) {
            while (bytes.hasRemaining()) {
                stranger.write(bytes);
            }
            ByteBuffer answer = ByteBuffer.allocate(64);
            int n;
            try {
                n = stranger.read(answer);
            } catch (IOException reset) {
                n = -1; // reset by the pool: dropped just the same
            }
            assertEquals(-1, n, "the pool closed the connection without answering");
        }
    }

    /** A frame as the wire carries it: length, type, id, aux, body. */
    private static ByteBuffer frame(int type, long id, int aux, byte[] body) {
        return ByteBuffer.allocate(4 + 13 + body.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(13 + body.length)
                .put((byte) type)
                .putLong(id)
                .putInt(aux)
                .put(body)
                .flip();
    }
}
