package dev.paralleltask.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A worker's end and a pool's end over a real socket and a ring mapped twice. */
@Timeout(60)
class AnswerChannelTest {
    private static final int MAX = Integer.MAX_VALUE - 64;

    @TempDir Path dir;

    private SocketPair sockets;
    private FrameChannel workerSocket;
    private AnswerChannel worker;
    private AnswerChannel pool;

    @BeforeEach
    void connect() throws Exception {
        sockets = SocketPair.open(dir);
        workerSocket = sockets.connecting();
        Path ring = dir.resolve("r.ring");
        pool = new AnswerChannel(FrameRing.create(ring), sockets.accepted());
        worker = new AnswerChannel(FrameRing.open(ring), workerSocket);
    }

    @AfterEach
    void close() throws Exception {
        sockets.close();
    }

    /**
     * Small answers go through the ring and large ones through the socket; with pauses on both
     * sides the pool meets every case: waiting on the socket, a large answer read before its
     * marker, and a marker read first.
     */
    @Test
    void smallAndLargeAnswersArriveInTheOrderGiven() throws Exception {
        int answers = 3_000;
        CompletableFuture<Void> sent =
                CompletableFuture.runAsync(
                        () -> {
                            Random pauses = new Random(1);
                            try {
                                for (int i = 0; i < answers; i++) {
                                    worker.send(new Frame.Result(i, body(i)));
                                    if (pauses.nextInt(8) == 0) {
                                        LockSupport.parkNanos(pauses.nextInt(200_000));
                                    }
                                }
                                workerSocket.write(new Frame.Bye());
                            } catch (IOException e) {
                                throw new AssertionError(e);
                            }
                        });
        Random pauses = new Random(2);
        for (int i = 0; i < answers; i++) {
            Frame.Result result = assertInstanceOf(Frame.Result.class, pool.take(MAX));
            assertEquals(i, result.id());
            assertArrayEquals(body(i), result.body(), "body of answer " + i);
            if (pauses.nextInt(8) == 0) {
                LockSupport.parkNanos(pauses.nextInt(200_000));
            }
        }
        assertInstanceOf(Frame.Bye.class, pool.take(MAX));
        sent.get(30, TimeUnit.SECONDS);
    }

    @Test
    void answersGivenBeforeTheWorkerWentAreAllDeliveredThenEndOfFile() throws Exception {
        worker.send(new Frame.Result(1, body(1)));
        worker.send(new Frame.Result(2, new byte[64 * 1024])); // over the socket
        worker.send(new Frame.Dropped(3));
        workerSocket.close();

        assertEquals(1, assertInstanceOf(Frame.Result.class, pool.take(MAX)).id());
        assertEquals(2, assertInstanceOf(Frame.Result.class, pool.take(MAX)).id());
        assertEquals(3, assertInstanceOf(Frame.Dropped.class, pool.take(MAX)).id());
        assertThrows(EOFException.class, () -> pool.take(MAX));
    }

    @Test
    void aPoolWaitingOnTheSocketIsWokenByTheDoorbell() throws Exception {
        assertNull(pool.poll(MAX));
        CompletableFuture<Frame> taken =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return pool.take(MAX);
                            } catch (IOException e) {
                                throw new AssertionError(e);
                            }
                        });
        Thread.sleep(100); // let it go to sleep on the socket
        worker.send(new Frame.Dropped(7));
        assertEquals(
                7, assertInstanceOf(Frame.Dropped.class, taken.get(10, TimeUnit.SECONDS)).id());
    }

    /**
     * The hang of issue 23: a runner waits for ring room, which only the pool's reader makes; the
     * worker's reader must still get a Dropped out (before, both took the channel's lock, and the
     * runner held it while it waited).
     */
    @Test
    void anUrgentFrameGoesOutWhileARunnerWaitsForRoom() throws Exception {
        // Threads of its own: the common pool may have a single thread, which the runner holds.
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            int answers = 2 * FrameRing.CAPACITY / 512; // twice what the ring holds
            Future<?> runner =
                    threads.submit(
                            () -> {
                                for (int i = 0; i < answers; i++) {
                                    worker.send(new Frame.Result(i, new byte[500]));
                                }
                                return null;
                            });
            Thread.sleep(200);
            assertFalse(runner.isDone(), "the runner should be waiting for room");

            threads.submit(
                            () -> {
                                worker.sendUrgent(new Frame.Dropped(-7));
                                return null;
                            })
                    .get(10, TimeUnit.SECONDS);

            int results = 0;
            boolean dropped = false;
            while (results < answers) {
                Frame frame = pool.take(MAX);
                if (frame instanceof Frame.Dropped d) {
                    assertEquals(-7, d.id());
                    dropped = true;
                } else {
                    assertEquals(results++, assertInstanceOf(Frame.Result.class, frame).id());
                }
            }
            assertTrue(dropped);
            runner.get(10, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }
    }

    /** Every fifth answer is too large for the ring. */
    private static byte[] body(int i) {
        byte[] body = new byte[i % 5 == 0 ? FrameRing.MAX_FRAME_BYTES + i : i % 100];
        new Random(i).nextBytes(body);
        return body;
    }
}
