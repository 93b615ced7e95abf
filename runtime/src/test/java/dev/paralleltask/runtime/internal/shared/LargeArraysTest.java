package dev.paralleltask.runtime.internal.shared;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InvalidObjectException;
import java.lang.reflect.Array;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Large arrays through files: exact contents, reused pages, and spares that go away. */
@Timeout(60)
class LargeArraysTest {
    private static long spares() throws Exception {
        try (Stream<Path> files = Files.list(SharedDirectory.get())) {
            return files.filter(f -> f.getFileName().toString().startsWith("spare-")).count();
        }
    }

    @Test
    void aReadFileBecomesASpareThatTheNextWriteTakesAndThatGoesWhenUnused() throws Exception {
        long[] values = new long[1 << 18];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 3L - 7;
        }
        Path first = LargeArrays.write(values);
        long sparesBefore = spares();
        assertArrayEquals(
                values,
                (long[]) LargeArrays.read(first.toString(), long[].class, values.length, true));
        assertEquals(sparesBefore + 1, spares(), "its pages kept for the next value");

        byte[] smaller = new byte[1 << 20];
        smaller[smaller.length - 1] = 9;
        Path second = LargeArrays.write(smaller); // takes a spare, and keeps its pages if at most
        assertEquals(sparesBefore, spares()); // twice what it needs
        assertTrue(
                Files.size(second) >= smaller.length && Files.size(second) <= 2 * smaller.length);
        assertArrayEquals(
                smaller,
                (byte[]) LargeArrays.read(second.toString(), byte[].class, smaller.length, true));

        long deadline = System.nanoTime() + 30_000_000_000L;
        while (spares() > 0) {
            assertTrue(System.nanoTime() < deadline, "spares unused for 5 s are removed");
            Thread.sleep(100);
        }
    }

    @Test
    void filesGoingRoundAreCopiedThroughMappingsKeptHereAndComeBackExact() throws Exception {
        Random random = new Random(11);
        // Each value takes the spare the one before left, so from the second on through a mapping
        // kept of it; sizes vary within the spare's (kept), below half of it (cut) and above
        // (grown).
        int[] lengths = {3 << 18, 1 << 18, 5 << 18, 5 << 18, 1 << 20, 1 << 18, 3 << 18, 3 << 18};
        for (int round = 0; round < lengths.length; round++) {
            int n = lengths[round];
            Object value =
                    switch (round % 4) {
                        case 0 -> random.ints(n).toArray();
                        case 1 -> random.longs(n).toArray();
                        case 2 -> random.doubles(n).toArray();
                        default -> {
                            byte[] b = new byte[n * 4];
                            random.nextBytes(b);
                            yield b;
                        }
                    };
            Path file = LargeArrays.write(value);
            long bytes = (long) Array.getLength(value) * LargeArrays.width(value.getClass());
            assertTrue(Files.size(file) >= bytes, "round " + round + ": the file holds the value");
            assertTrue(
                    Files.size(file) <= 2 * bytes,
                    "round " + round + ": a spare twice as large is cut");
            for (int reading = 0; reading < 2; reading++) { // read through the kernel, then mapped
                Object back =
                        LargeArrays.read(
                                file.toString(),
                                value.getClass(),
                                Array.getLength(value),
                                reading == 1);
                assertTrue(
                        Objects.deepEquals(new Object[] {value}, new Object[] {back}),
                        "round " + round);
            }
        }
    }

    @Test
    void aRemovedFileIsCutToNothingSoMappingsKeptOfItHoldNoPages() throws Exception {
        Path file = LargeArrays.write(new byte[LargeArrays.THRESHOLD]);
        try (FileChannel stillOpen = FileChannel.open(file, StandardOpenOption.READ)) {
            assertEquals(LargeArrays.THRESHOLD, stillOpen.size());
            LargeArrays.remove(file);
            assertFalse(Files.exists(file));
            assertEquals(0, stillOpen.size(), "its pages freed though it is still open here");
        }
    }

    @Test
    void aFileOutsideTheSharedDirectoriesIsNotRead() throws Exception {
        Path elsewhere = Files.createTempFile("array-", ".bin");
        try {
            assertThrows(
                    InvalidObjectException.class,
                    () -> LargeArrays.read(elsewhere.toString(), byte[].class, 0, true));
            assertTrue(Files.exists(elsewhere), "and not removed");
        } finally {
            Files.delete(elsewhere);
        }
    }
}
