package dev.paralleltask.runtime.internal.shared;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InvalidObjectException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Path second = LargeArrays.write(smaller); // takes the spare, 2 MiB, and cuts it to 1 MiB
        assertEquals(sparesBefore, spares());
        assertEquals(smaller.length, Files.size(second));
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
