package dev.paralleltask.it;

import dev.paralleltask.ParallelTask;

/** Small tasks to map over. */
public final class Mapped {
    private Mapped() {}

    @ParallelTask
    public static int square(int x) {
        if (x < 0) {
            throw new IllegalArgumentException("negative: " + x);
        }
        return x * x;
    }

    @ParallelTask
    public static int slow(int millis) throws InterruptedException {
        Thread.sleep(millis);
        return millis;
    }

    /** Returns {@code x}, or ends its worker's JVM when {@code x == exitAt}. */
    @ParallelTask
    public static int exitAt(int x, int exitAt) {
        if (x == exitAt) {
            System.exit(3);
        }
        return x;
    }

    /**
     * Marks {@code x} as run by creating a file named after it in {@code dir}, which fails if it
     * ran before; then ends its worker's JVM if {@code x == exitAt}.
     */
    @ParallelTask
    public static int once(int x, int exitAt, String dir) throws java.io.IOException {
        java.nio.file.Files.createFile(java.nio.file.Path.of(dir, Integer.toString(x)));
        if (x == exitAt) {
            System.exit(3);
        }
        return x;
    }
}
