package dev.paralleltask.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.internal.shared.Locality;
import dev.paralleltask.runtime.internal.wire.ByteSink;
import dev.paralleltask.runtime.internal.wire.ByteSource;
import dev.paralleltask.runtime.internal.wire.ClassAdmission;
import dev.paralleltask.runtime.internal.wire.ValueCodec;
import java.io.NotSerializableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Shared objects inside one JVM: handles, closing, and what may not leave the machine. */
@Timeout(60)
class SharedObjectTest {
    private static Object roundTrip(Object value) throws Exception {
        ByteSink out = new ByteSink(64);
        ValueCodec.write(out, value);
        return ValueCodec.read(
                new ByteSource(out.toByteArray()),
                SharedObjectTest.class.getClassLoader(),
                ClassAdmission.ANY);
    }

    @Test
    void aHandleComesBackAsTheSameObjectAndCarriesNoContents() throws Exception {
        try (SharedLongArray array = SharedLongArray.allocate(1 << 20)) {
            ByteSink out = new ByteSink(64);
            ValueCodec.write(out, array);
            assertTrue(out.size() < 1_000, "a handle, not 8 MiB: " + out.size() + " bytes");
            assertSame(array, roundTrip(array));
        }
    }

    @Test
    void aClosedObjectsFileIsGoneAndItCannotBeSent() throws Exception {
        SharedQueue<String> queue = SharedQueue.create(4);
        queue.put("x".repeat(100_000)); // waits in a file of its own
        Path dir = queue.file.path().getParent();
        String name = queue.file.path().getFileName().toString();
        queue.close();
        queue.close(); // idempotent
        try (var left = Files.list(dir)) {
            assertEquals(
                    List.of(),
                    left.filter(p -> p.getFileName().toString().startsWith(name)).toList());
        }
        assertTrue(queue.isClosed());
        assertThrows(IllegalStateException.class, queue::size);
        NotSerializableException e =
                assertThrows(NotSerializableException.class, () -> roundTrip(queue));
        assertTrue(e.getMessage().endsWith("is closed and cannot be passed on"), e::getMessage);
    }

    @Test
    void noSharedObjectGoesToAnotherMachine() throws Exception {
        try (SharedMap<String, String> map = SharedMap.create(64);
                SharedValue<String> value = SharedValue.of("v")) {
            for (SharedObject o : List.of(map, value)) {
                NotSerializableException e =
                        assertThrows(
                                NotSerializableException.class,
                                () -> Locality.offMachine("node 10.0.0.7", () -> roundTrip(o)));
                assertTrue(
                        e.getMessage()
                                .startsWith(
                                        o.getClass().getSimpleName()
                                                + " cannot go to node 10.0.0.7"),
                        e::getMessage);
            }
        }
        try (SharedLock lock = SharedLock.create()) {
            NotSerializableException e =
                    assertThrows(
                            NotSerializableException.class,
                            () -> Locality.offMachine("node 10.0.0.7", () -> roundTrip(lock)));
            assertEquals(
                    "SharedLock cannot go to node 10.0.0.7: a shared object lives in the memory of"
                            + " one machine; pass what it holds instead, or run the call on a"
                            + " ProcessPool or ThreadPool",
                    e.getMessage());
        }
    }

    @Test
    void aQueueRefusesElementsOfClassesItWasNotGiven() throws Exception {
        record Point(int x, int y) implements java.io.Serializable {}
        try (SharedQueue<Object> plain = SharedQueue.create(2);
                SharedQueue<Point> typed = SharedQueue.create(2, Point.class)) {
            plain.put(new Point(1, 2));
            IllegalStateException refused = assertThrows(IllegalStateException.class, plain::take);
            assertTrue(
                    refused.getMessage().contains("Point, which this queue does not take"),
                    refused::getMessage);
            typed.put(new Point(3, 4));
            assertEquals(new Point(3, 4), typed.take());
            assertEquals(null, typed.poll(Duration.ZERO));
        }
    }

    @Test
    void timedWaitsEndAndAFullQueueRefusesAnOffer() throws Exception {
        try (SharedQueue<Integer> queue = SharedQueue.create(1);
                SharedLock lock = SharedLock.create();
                SharedSemaphore none = SharedSemaphore.create(0);
                SharedEvent event = SharedEvent.create()) {
            assertTrue(queue.offer(1, Duration.ZERO));
            assertFalse(queue.offer(2, Duration.ofMillis(20)));
            assertEquals(1, queue.size());
            lock.lock();
            FutureTask<Boolean> other = new FutureTask<>(() -> lock.tryLock(Duration.ofMillis(20)));
            new Thread(other).start();
            assertFalse(other.get(), "held by this thread");
            lock.unlock();
            assertFalse(none.tryAcquire(Duration.ofMillis(20)));
            assertFalse(event.await(Duration.ofMillis(20)));
            assertThrows(IllegalStateException.class, none::release);
        }
    }
}
