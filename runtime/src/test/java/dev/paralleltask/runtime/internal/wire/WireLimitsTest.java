package dev.paralleltask.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.internal.shared.LargeArrays;
import dev.paralleltask.runtime.internal.spi.RuntimeAccess;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every length a peer claims is checked against the bytes present before anything is allocated for
 * it, and nesting is bounded: forged inputs, one per claimed length, each refused with little
 * allocated.
 */
@Timeout(60)
class WireLimitsTest {
    private static final ClassLoader LOADER = WireLimitsTest.class.getClassLoader();

    /**
     * What a refusal may allocate: its exception and stack trace, and what the JVM loads the first
     * time; the claims are of gigabytes.
     */
    private static final long SMALL = 1 << 20;

    // ValueCodec's tags, as the bytes on the wire have them.
    private static final int INT_ARRAY = 11;
    private static final int LONG_ARRAY = 12;
    private static final int DOUBLE_ARRAY = 13;
    private static final int BYTE_ARRAY = 10;
    private static final int SERIALIZED = 14;
    private static final int ARRAY_LIST = 17;
    private static final int HASH_MAP = 22;
    private static final int ARRAY_IN_FILE = 25;

    /** Bytes allocated by this thread while {@code action} ran. */
    static long allocatedWhile(ThrowingRunnable action) throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Decodes {@code bytes}, expecting a refusal, and returns the bytes allocated meanwhile. */
    private static long refused(byte[] bytes) throws Exception {
        return allocatedWhile(
                () ->
                        assertThrows(
                                WireLimitException.class,
                                () ->
                                        ValueCodec.read(
                                                new ByteSource(bytes),
                                                LOADER,
                                                ClassAdmission.ANY)));
    }

    private static byte[] claim(int tag, int count, int bytesThatFollow) {
        ByteSink out = new ByteSink(16);
        out.writeByte(tag);
        out.writeInt(count);
        out.write(new byte[bytesThatFollow], 0, bytesThatFollow);
        return out.toByteArray();
    }

    @Test
    void primitiveArraysClaimingMoreElementsThanTheirBytesAreRefusedUnallocated() throws Exception {
        int[][] tagsAndWidths = {
            {INT_ARRAY, 4}, {LONG_ARRAY, 8}, {DOUBLE_ARRAY, 8}, {BYTE_ARRAY, 1}
        };
        for (int[] tagAndWidth : tagsAndWidths) {
            int tag = tagAndWidth[0];
            // The reported forgery: 40 bytes claiming an int[] of 2^31-16 elements (8 GiB).
            long allocated = refused(claim(tag, Integer.MAX_VALUE - 15, 35));
            assertTrue(allocated < SMALL, "tag " + tag + " allocated " + allocated + " bytes");
            refused(claim(tag, 5, 5 * tagAndWidth[1] - 1)); // one byte short
            refused(claim(tag, -1, 8));
        }
    }

    @Test
    void anArrayWhoseBytesAreAllThereStillDecodes() throws Exception {
        ByteSink out = new ByteSink(64);
        ValueCodec.write(out, new long[] {1, 2, 3});
        ValueCodec.write(out, List.of(new ArrayList<>(List.of(1, 2)), "x"));
        ByteSource in = new ByteSource(out.toByteArray());
        assertEquals(3, ((long[]) ValueCodec.read(in, LOADER, ClassAdmission.ANY)).length);
        assertEquals(List.of(List.of(1, 2), "x"), ValueCodec.read(in, LOADER, ClassAdmission.ANY));
    }

    @Test
    void collectionsClaimingMoreValuesThanBytesAreRefused() throws Exception {
        assertTrue(refused(claim(ARRAY_LIST, 1_000_000, 10)) < SMALL);
        assertTrue(refused(claim(HASH_MAP, 6, 11)) < SMALL); // an entry is two values
    }

    @Test
    void nestingDeeperThanTheCodecWritesIsRefusedWithoutOverflowingTheStack() throws Exception {
        // The reported forgery: a compact value nested 100,000 deep.
        int depth = 100_000;
        ByteSink out = new ByteSink(depth * 5 + 1);
        for (int i = 0; i < depth; i++) {
            out.writeByte(ARRAY_LIST);
            out.writeInt(1);
        }
        out.writeByte(0);
        WireLimitException refused =
                assertThrows(
                        WireLimitException.class,
                        () ->
                                ValueCodec.read(
                                        new ByteSource(out.toByteArray()),
                                        LOADER,
                                        ClassAdmission.ANY));
        assertTrue(refused.getMessage().contains("nested more than 32 deep"), refused.getMessage());
    }

    @Test
    void theDeepestValueTheCodecWritesCompactlyIsRead() throws Exception {
        Object value = "leaf";
        for (int i = 0; i < 40; i++) { // deeper than compact: the outer levels go serialized
            value = new ArrayList<>(List.of(value));
        }
        ByteSink out = new ByteSink(64);
        ValueCodec.write(out, value);
        assertEquals(
                value,
                ValueCodec.read(new ByteSource(out.toByteArray()), LOADER, ClassAdmission.ANY));
        Object compact = "leaf";
        for (int i = 0; i < 32; i++) { // exactly as deep as compact goes
            compact = new ArrayList<>(List.of(compact));
        }
        ByteSink exact = new ByteSink(64);
        ValueCodec.write(exact, compact);
        assertEquals(ARRAY_LIST, exact.toByteArray()[0]);
        assertEquals(
                compact,
                ValueCodec.read(new ByteSource(exact.toByteArray()), LOADER, ClassAdmission.ANY));
    }

    @Test
    void stringsClaimingMoreThanTheirBytesAreRefused() throws Exception {
        ByteSink utf8 = new ByteSink(16);
        utf8.writeByte(9); // STRING
        utf8.writeInt(Integer.MAX_VALUE);
        assertThrows(
                EOFException.class,
                () ->
                        ValueCodec.read(
                                new ByteSource(utf8.toByteArray()), LOADER, ClassAdmission.ANY));
        ByteSink utf16 = new ByteSink(16);
        utf16.writeByte(9);
        utf16.writeInt(Integer.MIN_VALUE); // -2 - chars: about a billion chars
        long allocated =
                allocatedWhile(
                        () ->
                                assertThrows(
                                        EOFException.class,
                                        () ->
                                                ValueCodec.read(
                                                        new ByteSource(utf16.toByteArray()),
                                                        LOADER,
                                                        ClassAdmission.ANY)));
        assertTrue(allocated < SMALL, "allocated " + allocated);
    }

    @Test
    void aSerializedArrayClaimingMoreThanItsStreamIsRefusedByTheFilter() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new long[1000]);
        }
        byte[] stream = bytes.toByteArray();
        // The array's length is the int just before its 8,000 bytes of elements.
        ByteBuffer.wrap(stream)
                .order(ByteOrder.BIG_ENDIAN)
                .putInt(stream.length - 8000 - 4, 200_000_000); // 1.6 GB of longs
        ByteSink out = new ByteSink(stream.length + 8);
        out.writeByte(SERIALIZED);
        out.writeInt(stream.length);
        out.write(stream, 0, stream.length);
        long allocated =
                allocatedWhile(
                        () ->
                                assertThrows(
                                        InvalidClassException.class,
                                        () ->
                                                ValueCodec.read(
                                                        new ByteSource(out.toByteArray()),
                                                        LOADER,
                                                        ClassAdmission.ANY)));
        assertTrue(allocated < SMALL, "allocated " + allocated);
    }

    @Test
    void aLargeArrayFileShorterThanItsHeaderClaimsIsRefusedBeforeAllocation() throws Exception {
        Path file = LargeArrays.write(new int[(LargeArrays.THRESHOLD / 4) + 1]);
        try {
            ByteSink out = new ByteSink(64);
            out.writeByte(ARRAY_IN_FILE);
            out.writeByte(INT_ARRAY);
            out.writeInt(Integer.MAX_VALUE - 15); // 8 GiB, against a file of 1 MiB
            out.writeString(file.toString());
            long allocated = refused(out.toByteArray());
            assertTrue(allocated < SMALL, "allocated " + allocated);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void throwableDescriptionsClaimingMoreFramesThanBytesAreRefused() throws Exception {
        ByteSink out = new ByteSink(64);
        out.writeByte(0); // no throwable: its description
        out.writeInt(1);
        out.writeNullableString("java.lang.Error");
        out.writeNullableString("forged");
        out.writeInt(Integer.MAX_VALUE); // stack frames
        long allocated =
                allocatedWhile(
                        () ->
                                assertThrows(
                                        WireLimitException.class,
                                        () ->
                                                ThrowableCodec.decode(
                                                        out.toByteArray(),
                                                        LOADER,
                                                        ClassAdmission.ANY)));
        assertTrue(allocated < SMALL, "allocated " + allocated);
    }

    @Test
    void callsClaimingMoreArgumentsThanBytesAreRefused() throws Exception {
        ByteSink out = new ByteSink(64);
        out.writeString("Invoker");
        out.writeInt(0);
        out.writeByte(0); // no target
        out.writeInt(Integer.MAX_VALUE);
        assertThrows(
                WireLimitException.class, () -> CallCodec.decode(out.toByteArray(), LOADER, false));
    }

    @Test
    void aFrameClaiming2GiBCostsOnlyWhatItSent(@TempDir Path dir) throws Exception {
        try (SocketPair pair = SocketPair.open(dir)) {
            ByteBuffer header = ByteBuffer.allocate(4 + 13 + 1000).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(Integer.MAX_VALUE - 64).put((byte) 3).putLong(1).putInt(0);
            header.position(header.limit()).flip();
            try (java.nio.channels.SocketChannel raw = rawOf(pair.connecting())) {
                raw.write(header);
                raw.shutdownOutput(); // then the peer stops: it sent 1,000 bytes of 2 GiB
                long allocated =
                        allocatedWhile(
                                () ->
                                        assertThrows(
                                                EOFException.class,
                                                () -> pair.accepted().read(Integer.MAX_VALUE)));
                assertTrue(
                        allocated <= 2L * FrameChannel.WHOLE_BODY_BYTES + (1 << 20),
                        "allocated " + allocated);
            }
        }
    }

    @Test
    void aLargeFrameStillArrivesWhole(@TempDir Path dir) throws Exception {
        try (SocketPair pair = SocketPair.open(dir)) {
            byte[] body = new byte[5 * FrameChannel.WHOLE_BODY_BYTES + 12345];
            for (int i = 0; i < body.length; i++) {
                body[i] = (byte) (i * 31);
            }
            Thread writer =
                    new Thread(
                            () -> {
                                try {
                                    pair.connecting().write(new Frame.Result(7, body));
                                } catch (IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                            });
            writer.start();
            Frame.Result read =
                    assertInstanceOf(Frame.Result.class, pair.accepted().read(Integer.MAX_VALUE));
            writer.join();
            assertEquals(7, read.id());
            assertTrue(java.util.Arrays.equals(body, read.body()));
        }
    }

    @Test
    void aRingRecordLongerThanWhatWasPublishedIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("r.ring");
        FrameRing consumer = FrameRing.create(file);
        FrameRing producer = FrameRing.open(file);
        assertTrue(producer.offer(new Frame.Result(1, new byte[100])));
        try (FileChannel channel =
                FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            length.putInt(60_000).flip(); // the record claims 60,000 bytes; 113 were published
            channel.write(length, 192); // the ring's data begins at 192
        }
        assertThrows(WireLimitException.class, consumer::poll);
    }

    @Test
    void onlyTheRuntimeInstallsTheBridge() {
        RuntimeAccess before = RuntimeAccess.get();
        IllegalCallerException e =
                assertThrows(IllegalCallerException.class, () -> RuntimeAccess.install(before));
        assertTrue(e.getMessage().contains(WireLimitsTest.class.getName()), e.getMessage());
        assertEquals(
                "dev.paralleltask.runtime.SpiBridge", RuntimeAccess.get().getClass().getName());
    }

    private static java.nio.channels.SocketChannel rawOf(FrameChannel channel) throws Exception {
        var field = FrameChannel.class.getDeclaredField("channel");
        field.setAccessible(true);
        return (java.nio.channels.SocketChannel) field.get(channel);
    }
}
