package dev.paralleltask.runtime.internal.shared;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wakes the threads, in any process, that wait for a change of one shared object, within
 * microseconds of the change and with no CPU spent while they wait; pure Java, on JDK 17.
 *
 * <p>An object's header has {@value #SLOTS} slots. A thread about to sleep on the object writes in
 * a free one where it can be woken: its process id and the UDP port, on 127.0.0.1, of its own
 * datagram socket (its "ear"); then it looks at the object once more, and sleeps in a {@link
 * Selector} on its ear. A thread that changes the object rings afterwards: for each slot taken and
 * not yet rung, it marks the slot rung and sends one byte to that port (in its own process, it
 * wakes the selector directly). Both orders (write the slot, then look; change, then read the
 * slots) are of volatile accesses, so a sleeper either sees the change before it sleeps or is rung
 * after it registered: no wake-up is lost. The sleeper, once awake, clears the mark before it looks
 * again, so a thread that changes the object in a loop sends one datagram per sleep, not one per
 * change. A byte that comes late only wakes a thread that looks, finds nothing, and sleeps again.
 *
 * <p>An ear is a socket and a selector, made for a thread the first time it sleeps here and kept
 * for its next waits; the ears of threads that ended are closed when a new one is made. A thread
 * that finds no free slot (more than {@value #SLOTS} sleepers on one object) polls instead ({@link
 * Waiter}); a slot whose process died is freed by the next thread that finds none free.
 */
public final class Doorbell {
    /** How many threads can sleep on one object and be rung. */
    static final int SLOTS = 16;

    private static final long PID = ProcessHandle.current().pid();

    /**
     * A slot's mark that its sleeper was rung and has not woken yet: rung once, however many
     * changes come meanwhile.
     */
    private static final long RUNG = 1L << 63;

    /** This process's ears, by port: where a ring from this process goes without a datagram. */
    private static final Map<Integer, Ear> EARS = new ConcurrentHashMap<>();

    private static final ThreadLocal<Ear> MINE = new ThreadLocal<>();

    /** Rings from this process go out through this socket; null until one is needed. */
    private static volatile DatagramSocket mouth;

    private Doorbell() {}

    /** A thread's socket and the selector it sleeps in. */
    private static final class Ear {
        final Thread thread = Thread.currentThread();
        final DatagramChannel channel;
        final Selector selector;
        final int port;
        private final ByteBuffer drain = ByteBuffer.allocate(16);

        Ear() throws IOException {
            channel = DatagramChannel.open(StandardProtocolFamily.INET);
            try {
                channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                channel.configureBlocking(false);
                selector = Selector.open();
                channel.register(selector, SelectionKey.OP_READ);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        }

        /** Sleeps until rung, interrupted, or {@code millis} (at least 1) passed. */
        void sleep(long millis) throws IOException {
            selector.select(millis);
            selector.selectedKeys().clear();
            drain.clear();
            while (channel.receive(drain) != null) {
                drain.clear();
            }
        }

        void close() {
            try {
                selector.close();
            } catch (IOException e) {
                // nothing held
            }
            try {
                channel.close();
            } catch (IOException e) {
                // nothing held
            }
        }
    }

    /** Where slot {@code i} of an object's doorbell is in its header. */
    private static int slot(int i) {
        return SharedFile.DOORBELL_AT + 8 * i;
    }

    /**
     * Writes the calling thread in a free slot of {@code file}'s doorbell. Returns the ticket to
     * give to {@link #sleep} and {@link #leave}, or 0 if there is no free slot or no socket (the
     * thread then polls).
     */
    static long enter(SharedFile file) {
        Ear ear = ear();
        if (ear == null) {
            return 0;
        }
        long me = (PID << 32) | ear.port;
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < SLOTS; i++) {
                if (SharedFile.LONGS.compareAndSet(file.header(), slot(i), 0L, me)) {
                    return me | ((long) i << 59);
                }
            }
            if (pass == 0 && !freeDeadSlots(file)) {
                break;
            }
        }
        return 0;
    }

    private static long value(long ticket) {
        return ticket & ((1L << 59) - 1);
    }

    /**
     * Sleeps until the object is rung, the thread is interrupted, or {@code nanos} passed; then
     * lets the slot be rung again, before the caller looks at the object once more. False if the
     * thread's ear failed (the caller then polls).
     */
    static boolean sleep(SharedFile file, long ticket, long nanos) {
        assert isWritten(file, ticket) : "a sleeper not in its slot would not be rung";
        Ear ear = MINE.get();
        try {
            ear.sleep(Math.max(1, nanos / 1_000_000));
        } catch (IOException | RuntimeException e) {
            return false;
        } finally {
            long me = value(ticket);
            SharedFile.LONGS.compareAndSet(
                    file.header(), slot((int) (ticket >>> 59)), me | RUNG, me);
        }
        return true;
    }

    /** Whether the ticket's sleeper is in its slot, rung or not. */
    private static boolean isWritten(SharedFile file, long ticket) {
        long sleeper =
                (long) SharedFile.LONGS.getVolatile(file.header(), slot((int) (ticket >>> 59)));
        return (sleeper & ~RUNG) == value(ticket);
    }

    /** Frees the slot that {@link #enter} took; a ticket of 0 (none) is ignored. */
    static void leave(SharedFile file, long ticket) {
        if (ticket == 0) {
            return;
        }
        int at = slot((int) (ticket >>> 59));
        long me = value(ticket);
        if (!SharedFile.LONGS.compareAndSet(file.header(), at, me, 0L)) {
            SharedFile.LONGS.compareAndSet(file.header(), at, me | RUNG, 0L);
        }
    }

    /** Wakes every thread sleeping on {@code file}; after the change it was made to see. */
    public static void ring(SharedFile file) {
        for (int i = 0; i < SLOTS; i++) {
            long sleeper = (long) SharedFile.LONGS.getVolatile(file.header(), slot(i));
            if (sleeper > 0
                    && SharedFile.LONGS.compareAndSet(
                            file.header(), slot(i), sleeper, sleeper | RUNG)) {
                wake(sleeper);
            }
        }
    }

    private static void wake(long sleeper) {
        int port = (int) (sleeper & 0xFFFF);
        if ((sleeper >>> 32) == PID) {
            Ear ear = EARS.get(port);
            if (ear != null) {
                ear.selector.wakeup();
            }
            return;
        }
        try {
            mouth().send(
                            new DatagramPacket(
                                    new byte[1], 1, InetAddress.getLoopbackAddress(), port));
        } catch (IOException | RuntimeException e) {
            // the sleeper's process is gone, or its socket; a live sleeper looks again in time
        }
    }

    /** Frees the slots of processes that died; whether it freed any. */
    private static boolean freeDeadSlots(SharedFile file) {
        boolean freed = false;
        for (int i = 0; i < SLOTS; i++) {
            long sleeper = (long) SharedFile.LONGS.getVolatile(file.header(), slot(i));
            if (sleeper != 0 && Owner.processIsDead((sleeper & ~RUNG) >>> 32)) {
                freed |= SharedFile.LONGS.compareAndSet(file.header(), slot(i), sleeper, 0L);
            }
        }
        return freed;
    }

    /** The calling thread's ear, made now if it has none; null if none can be made. */
    private static Ear ear() {
        Ear ear = MINE.get();
        if (ear != null && ear.channel.isOpen()) {
            return ear;
        }
        EARS.values()
                .removeIf(
                        e -> {
                            if (e.thread.isAlive()) {
                                return false;
                            }
                            e.close();
                            return true;
                        });
        try {
            ear = new Ear();
        } catch (IOException | RuntimeException e) {
            return null;
        }
        MINE.set(ear);
        EARS.put(ear.port, ear);
        return ear;
    }

    /**
     * The socket rings go out through: a {@link DatagramSocket}, which a thread that rings while
     * interrupted (an {@code unlock()} in a {@code finally}) cannot close, as it would a channel.
     */
    private static DatagramSocket mouth() throws IOException {
        DatagramSocket m = mouth;
        if (m == null) {
            synchronized (Doorbell.class) {
                m = mouth;
                if (m == null) {
                    m = new DatagramSocket();
                    mouth = m;
                }
            }
        }
        return m;
    }
}
