package dev.paralleltask.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The producer and the consumer each map the file, as the worker and the pool do. */
@Timeout(60)
class FrameRingTest {
    @TempDir Path dir;

    private FrameRing producer;
    private FrameRing consumer;

    @BeforeEach
    void map() throws IOException {
        Path file = dir.resolve("r.ring");
        consumer = FrameRing.create(file);
        producer = FrameRing.open(file);
    }

    @Test
    void framesComeOutWholeAndInOrderOverManyLapsOfTheRing() throws Exception {
        int frames = 50_000; // bodies average 1.4 KiB: some 270 laps
        CompletableFuture<Void> produced =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                for (int i = 0; i < frames; i++) {
                                    assertTrue(producer.offer(new Frame.Result(i, body(i))));
                                }
                            } catch (IOException e) {
                                throw new AssertionError(e);
                            }
                        });
        for (int i = 0; i < frames; ) {
            Frame frame = consumer.poll();
            if (frame == null) {
                Thread.onSpinWait();
                continue;
            }
            Frame.Result result = assertInstanceOf(Frame.Result.class, frame);
            assertEquals(i, result.id());
            assertArrayEquals(body(i), result.body(), "body of frame " + i);
            i++;
        }
        produced.get(30, TimeUnit.SECONDS);
        assertNull(consumer.poll());
    }

    @Test
    void everyAnswerTypeCrossesIntact() throws Exception {
        producer.offer(new Frame.Failure(3, true, new byte[] {5, 6}));
        producer.offer(new Frame.Unsendable(4, -2, "the result ✓"));
        producer.offer(new Frame.Dropped(5));
        producer.offer(new Frame.OnSocket());

        Frame.Failure failure = assertInstanceOf(Frame.Failure.class, consumer.poll());
        assertEquals(3, failure.id());
        assertTrue(failure.fatal());
        assertArrayEquals(new byte[] {5, 6}, failure.body());
        Frame.Unsendable unsendable = assertInstanceOf(Frame.Unsendable.class, consumer.poll());
        assertEquals(-2, unsendable.position());
        assertEquals("the result ✓", unsendable.message());
        assertEquals(5, assertInstanceOf(Frame.Dropped.class, consumer.poll()).id());
        assertInstanceOf(Frame.OnSocket.class, consumer.poll());
        assertNull(consumer.poll());
    }

    @Test
    void aFrameTooLargeForTheRingIsRefusedAndNothingIsPublished() throws Exception {
        int largest = FrameRing.MAX_FRAME_BYTES - FrameFormat.HEADER_AFTER_LENGTH;
        assertFalse(producer.offer(new Frame.Result(1, new byte[largest + 1])));
        assertNull(consumer.poll());
        assertTrue(producer.offer(new Frame.Result(2, new byte[largest])));
        assertEquals(largest, assertInstanceOf(Frame.Result.class, consumer.poll()).body().length);
    }

    @Test
    void aProducerThatFillsTheRingWaitsForTheConsumer() throws Exception {
        byte[] body = new byte[FrameRing.MAX_FRAME_BYTES - FrameFormat.HEADER_AFTER_LENGTH];
        int fit = FrameRing.CAPACITY / FrameRing.MAX_FRAME_BYTES - 1; // records are a little larger
        for (int i = 0; i < fit; i++) {
            assertTrue(producer.offer(new Frame.Result(i, body)));
        }
        CompletableFuture<Void> blocked =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                producer.offer(new Frame.Result(fit, body));
                                producer.offer(new Frame.Result(fit + 1, body));
                            } catch (IOException e) {
                                throw new AssertionError(e);
                            }
                        });
        Thread.sleep(200);
        assertFalse(blocked.isDone(), "the ring had no room, yet the producer went on");
        for (int i = 0; i < fit + 2; ) {
            Frame frame = consumer.poll();
            if (frame != null) {
                assertEquals(i++, ((Frame.Result) frame).id());
            }
        }
        blocked.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aConsumerThatSleepsIsOwedExactlyOneWakeUp() throws Exception {
        assertFalse(producer.takeWakeUp(), "nobody sleeps yet");
        assertTrue(consumer.sleep());
        producer.offer(new Frame.Dropped(1));
        assertTrue(producer.takeWakeUp());
        producer.offer(new Frame.Dropped(2));
        assertFalse(producer.takeWakeUp(), "one wake-up is enough");
    }

    @Test
    void aConsumerWithFramesWaitingDoesNotSleep() throws Exception {
        producer.offer(new Frame.Dropped(1));
        assertFalse(consumer.sleep());
        producer.offer(new Frame.Dropped(2));
        assertFalse(producer.takeWakeUp(), "it did not sleep, so it needs no waking");
        assertEquals(1, ((Frame.Dropped) consumer.poll()).id());
        assertEquals(2, ((Frame.Dropped) consumer.poll()).id());
    }

    @Test
    void aFileThatIsNotARingIsRefused() throws Exception {
        Path other = Files.write(dir.resolve("other"), new byte[100]);
        IOException e = assertThrows(IOException.class, () -> FrameRing.open(other));
        assertTrue(e.getMessage().contains("not a paralleltask ring"), e.getMessage());
        assertThrows(
                IOException.class,
                () -> FrameRing.create(other),
                "create must not overwrite a file");
    }

    /** 0 to 4 KiB minus the header, different for each frame. */
    private static byte[] body(int i) {
        Random random = new Random(i);
        byte[] body =
                new byte
                        [random.nextInt(
                                        FrameRing.MAX_FRAME_BYTES
                                                - FrameFormat.HEADER_AFTER_LENGTH
                                                + 1)
                                * (i % 3 == 0 ? 0 : 1)];
        random.nextBytes(body);
        return body;
    }
}
