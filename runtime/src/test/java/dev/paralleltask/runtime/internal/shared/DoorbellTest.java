package dev.paralleltask.runtime.internal.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The doorbell's two halves, each on its own: a ring sends a datagram to a sleeper of another
 * process, once until it wakes; a datagram to a sleeper's port wakes it. Each sleep here is for 60
 * s, so a sleeper that returns was rung.
 */
@Timeout(60)
class DoorbellTest {
    private static final long LONG_NAP = TimeUnit.SECONDS.toNanos(60);
    private SharedFile file;

    @BeforeEach
    void create() {
        file = SharedFile.create(99, 0, 0, "a test object");
    }

    @AfterEach
    void close() {
        file.close();
    }

    private long slot(int i) {
        return (long) SharedFile.LONGS.getVolatile(file.header(), SharedFile.DOORBELL_AT + 8 * i);
    }

    @Test
    void aRingSendsOneDatagramToASleeperOfAnotherProcessUntilItWakes() throws Exception {
        long otherPid = ProcessHandle.current().parent().orElseThrow().pid();
        try (DatagramChannel ear = DatagramChannel.open()) {
            ear.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) ear.getLocalAddress()).getPort();
            SharedFile.LONGS.setVolatile(
                    file.header(), SharedFile.DOORBELL_AT + 8 * 3, (otherPid << 32) | port);
            Doorbell.ring(file);
            Doorbell.ring(file); // rung already: no second datagram
            assertTrue(slot(3) < 0, "marked rung");
            ear.configureBlocking(true);
            assertNotEquals(null, ear.receive(ByteBuffer.allocate(8)), "a datagram came");
            ear.configureBlocking(false);
            Thread.sleep(100);
            assertEquals(null, ear.receive(ByteBuffer.allocate(8)), "one datagram, not two");
        }
    }

    @Test
    void aDatagramToItsPortWakesASleeper() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        long[] ticket = new long[1];
        CompletableFuture<Long> slept =
                CompletableFuture.supplyAsync(
                        () -> {
                            ticket[0] = Doorbell.enter(file);
                            entered.countDown();
                            long t0 = System.nanoTime();
                            Doorbell.sleep(file, ticket[0], LONG_NAP);
                            Doorbell.leave(file, ticket[0]);
                            return System.nanoTime() - t0;
                        },
                        r -> new Thread(r).start());
        entered.await();
        assertNotEquals(0, ticket[0], "a free slot");
        long me = slot(0);
        assertEquals(ProcessHandle.current().pid(), me >>> 32);
        try (DatagramSocket other = new DatagramSocket()) {
            other.send(
                    new DatagramPacket(
                            new byte[1], 1, InetAddress.getLoopbackAddress(), (int) (me & 0xFFFF)));
        }
        assertTrue(slept.get() < LONG_NAP / 2, "woken by the datagram");
        assertEquals(0, slot(0), "it left");
    }

    @Test
    void aRingInTheSameProcessWakesTheSleeperWithoutADatagram() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CompletableFuture<Long> slept =
                CompletableFuture.supplyAsync(
                        () -> {
                            long ticket = Doorbell.enter(file);
                            entered.countDown();
                            long t0 = System.nanoTime();
                            Doorbell.sleep(file, ticket, LONG_NAP);
                            long took = System.nanoTime() - t0;
                            Doorbell.leave(file, ticket);
                            return took;
                        },
                        r -> new Thread(r).start());
        entered.await();
        Doorbell.ring(file);
        assertTrue(slept.get() < LONG_NAP / 2, "woken by the ring");
    }

    @Test
    void slotsOfDeadProcessesAreFreedWhenNoneIsLeft() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        for (int i = 0; i < Doorbell.SLOTS; i++) {
            SharedFile.LONGS.setVolatile(
                    file.header(), SharedFile.DOORBELL_AT + 8 * i, (dead.pid() << 32) | 1);
        }
        long ticket = Doorbell.enter(file);
        assertNotEquals(0, ticket, "a dead process's slot was freed");
        Doorbell.leave(file, ticket);
    }
}
