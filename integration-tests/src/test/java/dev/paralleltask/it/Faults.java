package dev.paralleltask.it;

import dev.paralleltask.ParallelTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Tasks that misbehave in every way a task can. */
public final class Faults {
    /** Static state of the worker JVM. */
    static int counter;

    private Faults() {}

    @ParallelTask
    public static int increment() {
        return ++counter;
    }

    @ParallelTask
    public static long pid() {
        return ProcessHandle.current().pid();
    }

    @ParallelTask
    public static int exit(int code) {
        System.err.println("about to exit with " + code);
        System.exit(code);
        return -1;
    }

    @ParallelTask
    public static int halt(int code) {
        Runtime.getRuntime().halt(code);
        return -1;
    }

    /** Writes to address 0: the JVM dies of SIGSEGV, as with a broken native library. */
    @ParallelTask
    public static int segfault() throws ReflectiveOperationException {
        java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        ((sun.misc.Unsafe) f.get(null)).putAddress(0, 0);
        return -1;
    }

    @ParallelTask
    public static long sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return millis;
    }

    /** Returns with its thread's interrupt flag set, as careless code does. */
    @ParallelTask
    public static long leaveInterrupted() {
        Thread.currentThread().interrupt();
        return ProcessHandle.current().pid();
    }

    /** Ignores interrupts: only killing its process stops it. */
    @ParallelTask(timeoutMillis = 1_000)
    public static long spin() {
        long n = 0;
        while (n >= 0) {
            n++;
        }
        return n;
    }

    /** The chaos test's timeout: short, so a few dozen of them stay quick. */
    @ParallelTask(timeoutMillis = 300)
    public static long spinBriefly() {
        return spin();
    }

    /**
     * Throws, after noting the attempt in {@code marker}: a task's own exception is never retried.
     */
    @ParallelTask(retries = 3)
    public static int throwCounting(String marker) throws IOException {
        Files.writeString(
                Path.of(marker),
                "ran\n",
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        throw new IOException("thrown on purpose");
    }

    /** Memory a worker keeps, so that it grows: see {@link #hold}. */
    private static final java.util.List<byte[]> HELD = new java.util.ArrayList<>();

    /** Allocates {@code mib} MiB, touches every page, and keeps it; returns the pid. */
    @ParallelTask
    public static long hold(int mib) {
        for (int i = 0; i < mib * 4; i++) {
            byte[] block = new byte[1 << 18]; // not humongous: a G1 region holds several
            for (int b = 0; b < block.length; b += 4096) {
                block[b] = 1;
            }
            HELD.add(block);
        }
        return ProcessHandle.current().pid();
    }

    @ParallelTask
    public static int exhaustHeap() {
        List<long[]> hog = new ArrayList<>();
        while (true) {
            hog.add(new long[1 << 20]);
        }
    }

    /** Runs out of memory the first time (when {@code marker} is missing), then succeeds. */
    @ParallelTask(retries = 1)
    public static int exhaustHeapOnce(String marker) throws IOException {
        Path path = Path.of(marker);
        if (Files.notExists(path)) {
            Files.createFile(path);
            exhaustHeap();
        }
        return 1;
    }

    @ParallelTask
    public static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    /** Dies (halts) until {@code marker} has been touched {@code deaths} times, then succeeds. */
    /** Halts its worker the first time (the marker does not exist yet); returns 1 after. */
    @ParallelTask
    public static int dieOnce(String marker) throws IOException {
        Path path = Path.of(marker);
        if (Files.notExists(path)) {
            Files.createFile(path);
            Runtime.getRuntime().halt(9);
        }
        return 1;
    }

    @ParallelTask(retries = 2)
    public static int dieTimes(String marker, int deaths) {
        Path path = Path.of(marker);
        try {
            int seen = Files.exists(path) ? Files.readAllLines(path).size() : 0;
            if (seen < deaths) {
                Files.writeString(
                        path,
                        "died\n",
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
                Runtime.getRuntime().halt(9);
            }
            return seen;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Dies in the way named: "exit", "halt", "outOfMemory", "stackOverflow", or "hang" (until a
     * timeout or cancel kills the worker). Not a task: tasks call it while they hold something.
     */
    static int dieAs(String how) throws InterruptedException {
        switch (how) {
            case "exit" -> System.exit(3);
            case "halt" -> Runtime.getRuntime().halt(4);
            case "outOfMemory" -> exhaustHeap();
            case "stackOverflow" -> recurse(0);
            case "hang" -> Thread.sleep(600_000);
            default -> throw new IllegalArgumentException(how);
        }
        return -1;
    }

    @ParallelTask
    public static int shout(int lines) {
        for (int i = 0; i < lines; i++) {
            System.out.println("line " + i + " of " + lines + " on stdout");
            System.err.println("line " + i + " of " + lines + " on stderr");
        }
        return lines;
    }

    /** Prints {@code text} on stdout with no line terminator, and flushes. */
    @ParallelTask
    public static int print(String text, int times) {
        for (int i = 0; i < times; i++) {
            System.out.print(text);
        }
        System.out.flush();
        return times;
    }

    @ParallelTask
    public static byte[] echo(byte[] data) {
        return data;
    }

    @ParallelTask
    public static int length(byte[] data) {
        return data.length;
    }

    @ParallelTask
    public static Object identity(Object value) {
        return value;
    }

    @ParallelTask
    public static Object unsendableResult() {
        return new Object();
    }

    @ParallelTask
    public static int throwUnsendable(String message) {
        throw new UnsendableException(message);
    }

    @ParallelTask
    public static int throwChecked(String message) throws IOException {
        throw new IOException(message, new IllegalStateException("the cause"));
    }

    /** An exception with a field that cannot be serialized. */
    public static final class UnsendableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @SuppressWarnings({"unused", "serial"}) // the point: this field is not serializable
        private final Object payload = new Object();

        UnsendableException(String message) {
            super(message);
        }
    }

    @ParallelTask
    public static int throwMessage(String message) {
        throw new IllegalArgumentException(message);
    }

    @ParallelTask
    public static int arrayLength(int[] array) {
        return array.length;
    }

    @ParallelTask
    public static long maxHeap() {
        return Runtime.getRuntime().maxMemory();
    }
}
