package dev.paralleltask.shared;

import static dev.paralleltask.runtime.internal.shared.SharedFile.LONGS;

import dev.paralleltask.runtime.internal.shared.Doorbell;
import dev.paralleltask.runtime.internal.shared.SharedFile;
import dev.paralleltask.runtime.internal.shared.Waiter;
import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import dev.paralleltask.runtime.internal.wire.ByteSink;
import dev.paralleltask.runtime.internal.wire.ByteSource;
import dev.paralleltask.runtime.internal.wire.ClassAdmission;
import dev.paralleltask.runtime.internal.wire.ValueCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A bounded blocking queue across processes, as Python's {@code multiprocessing.Queue}: the caller
 * and any number of tasks on any workers put and take at once, each producer's elements in the
 * order it put them. Elements travel with the codec of call arguments, and may be of any size.
 *
 * <p>What a process takes from the queue was put there by another process, maybe a compromised
 * worker, so it is rebuilt as a call's result is: only the runtime's values (strings, numbers,
 * {@code java.time} values, the common collections of them) and the classes given to {@link
 * #create(int, Class[])}, with their subclasses and their fields' classes.
 *
 * <p>Elements wait in a ring in the queue's memory; one larger than a quarter of the ring waits in
 * a file of its own beside it. Blocked producers and consumers sleep in growing steps of up to a
 * millisecond.
 *
 * @param <T> the elements
 */
public final class SharedQueue<T> extends SharedObject {
    private static final long serialVersionUID = 1L;
    static final int KIND = 7;

    private static final int MUTEX = SharedFile.word(0);
    private static final int COUNT = SharedFile.word(1);
    private static final int HEAD = SharedFile.word(2); // bytes taken, ever
    private static final int TAIL = SharedFile.word(3); // bytes put, ever
    private static final int NEXT_FILE = SharedFile.word(4);

    private static final int MIN_RING = 64 << 10;
    private static final int MAX_RING = 64 << 20;

    /** The length of a record whose element waits in a file: the file's number follows. */
    private static final int IN_FILE = -1;

    private final transient int capacity;
    private final transient int ring;
    private final transient List<Class<?>> classes;
    private final transient AnswerAdmission admission = new AnswerAdmission(List.of());

    private SharedQueue(SharedFile file, List<Class<?>> classes) {
        super(file);
        this.capacity = (int) file.length();
        this.ring = (int) file.dataBytes();
        this.classes = List.copyOf(classes);
    }

    /**
     * A new queue that holds at most {@code capacity} elements of the runtime's own value types
     * (strings, boxes, {@code java.time} values, collections and maps of them, enums).
     *
     * @throws IllegalArgumentException if {@code capacity} is not positive
     */
    public static <T> SharedQueue<T> create(int capacity) {
        return create(capacity, new Class<?>[0]);
    }

    /**
     * A new queue that holds at most {@code capacity} elements, which may also be instances of
     * {@code elementClasses} (records or classes of yours), their subclasses and the classes of
     * their fields.
     *
     * @throws IllegalArgumentException if {@code capacity} is not positive
     */
    public static <T> SharedQueue<T> create(int capacity, Class<?>... elementClasses) {
        if (capacity < 1) {
            throw new IllegalArgumentException(
                    "SharedQueue.create: capacity must be >= 1, was " + capacity);
        }
        long ring = Math.max(MIN_RING, Math.min(MAX_RING, 256L * capacity));
        return new SharedQueue<>(
                SharedFile.create(KIND, capacity, ring, "SharedQueue of capacity " + capacity),
                List.of(elementClasses));
    }

    /** The queue a handle names, mapped in this process. */
    static SharedQueue<?> opened(SharedFile file, List<String> classNames)
            throws java.io.InvalidObjectException {
        List<Class<?>> classes = new ArrayList<>();
        for (String name : classNames) {
            try {
                classes.add(Class.forName(name, false, loader()));
            } catch (ClassNotFoundException e) {
                throw new java.io.InvalidObjectException(
                        "the elements of a SharedQueue may be " + name + ", which is not here");
            }
        }
        return new SharedQueue<>(file, classes);
    }

    @Override
    int kind() {
        return KIND;
    }

    @Override
    List<String> classNames() {
        return classes.stream().map(Class::getName).toList();
    }

    /** Waits for room, then puts {@code element} at the tail. */
    public void put(T element) throws InterruptedException {
        offer(element, Waiter.forever(file));
    }

    /** Puts {@code element} at the tail if room comes within {@code timeout}; whether it did. */
    public boolean offer(T element, Duration timeout) throws InterruptedException {
        return offer(element, Waiter.forTimeout(timeout, file));
    }

    /** Waits for an element and takes it from the head. */
    public T take() throws InterruptedException {
        return poll(Waiter.forever(file));
    }

    /** Takes the element at the head if one comes within {@code timeout}; else null. */
    public T poll(Duration timeout) throws InterruptedException {
        return poll(Waiter.forTimeout(timeout, file));
    }

    /** How many elements wait in the queue now. */
    public int size() {
        ensureOpen();
        return (int) (long) LONGS.getVolatile(file.header(), COUNT);
    }

    private boolean offer(T element, Waiter waiter) throws InterruptedException {
        ensureOpen();
        byte[] record = record(encode(element));
        try (waiter) {
            do {
                ensureOpen();
                if (Mutex.holding(file, MUTEX, () -> append(record))) {
                    Doorbell.ring(file);
                    return true;
                }
            } while (waiter.pause());
        } catch (InterruptedException | RuntimeException e) {
            if (readInt(record, 0) == IN_FILE) {
                deleteQuietly(elementFile(readLong(record, 4)));
            }
            throw e;
        }
        if (readInt(record, 0) == IN_FILE) {
            deleteQuietly(elementFile(readLong(record, 4)));
        }
        return false;
    }

    private T poll(Waiter waiter) throws InterruptedException {
        try (waiter) {
            do {
                ensureOpen();
                byte[] record = Mutex.holding(file, MUTEX, this::removeHead);
                if (record != null) {
                    Doorbell.ring(file);
                    return decode(record);
                }
            } while (waiter.pause());
        }
        return null;
    }

    private byte[] encode(T element) {
        ByteSink sink = new ByteSink(64);
        try {
            ValueCodec.write(sink, element);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot put "
                            + (element == null ? "null" : element.getClass().getName())
                            + " in "
                            + this
                            + ": "
                            + e.getMessage(),
                    e);
        }
        return sink.toByteArray();
    }

    /** The bytes that go into the ring for an element: its length and itself, or its file. */
    private byte[] record(byte[] value) {
        if (Integer.BYTES + value.length <= ring / 4) {
            ByteBuffer record = ByteBuffer.allocate(Integer.BYTES + value.length);
            return record.putInt(value.length).put(value).array();
        }
        long number = (long) LONGS.getAndAdd(file.header(), NEXT_FILE, 1L);
        Path path = elementFile(number);
        try {
            Files.write(path, value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot put an element in " + this, e);
        }
        return ByteBuffer.allocate(Integer.BYTES + Long.BYTES)
                .putInt(IN_FILE)
                .putLong(number)
                .array();
    }

    private Path elementFile(long number) {
        return file.path().resolveSibling(file.path().getFileName() + "." + number);
    }

    /** Under the mutex: appends the record if there is room; the count's store publishes it. */
    private boolean append(byte[] record) {
        ByteBuffer header = file.header();
        long count = (long) LONGS.getVolatile(header, COUNT);
        long head = (long) LONGS.getVolatile(header, HEAD);
        long tail = (long) LONGS.getVolatile(header, TAIL);
        if (count >= capacity || ring - (tail - head) < record.length) {
            return false;
        }
        copy(tail, record, true);
        LONGS.setVolatile(header, TAIL, tail + record.length);
        LONGS.setVolatile(header, COUNT, count + 1);
        return true;
    }

    /** Under the mutex: removes and returns the head record, or null if there is none. */
    private byte[] removeHead() {
        ByteBuffer header = file.header();
        long count = (long) LONGS.getVolatile(header, COUNT);
        if (count == 0) {
            return null;
        }
        long head = (long) LONGS.getVolatile(header, HEAD);
        byte[] length = new byte[Integer.BYTES];
        copy(head, length, false);
        int n = readInt(length, 0);
        long used = (long) LONGS.getVolatile(header, TAIL) - head;
        if (n != IN_FILE && (n < 0 || Integer.BYTES + (long) n > used)) {
            // Another process wrote this memory, and not as a queue: refuse before allocating.
            throw new IllegalStateException(
                    "the memory of "
                            + this
                            + " is corrupt: an element of "
                            + n
                            + " bytes with "
                            + used
                            + " bytes in the queue");
        }
        byte[] record = new byte[Integer.BYTES + (n == IN_FILE ? Long.BYTES : n)];
        copy(head, record, false);
        LONGS.setVolatile(header, COUNT, count - 1);
        LONGS.setVolatile(header, HEAD, head + record.length);
        return record;
    }

    /** Copies between the ring, from byte {@code position} on (wrapping), and {@code bytes}. */
    private void copy(long position, byte[] bytes, boolean intoRing) {
        ByteBuffer data = file.segment(0);
        int at = (int) (position % ring);
        int first = Math.min(bytes.length, ring - at);
        if (intoRing) {
            data.put(at, bytes, 0, first).put(0, bytes, first, bytes.length - first);
        } else {
            data.get(at, bytes, 0, first).get(0, bytes, first, bytes.length - first);
        }
    }

    @SuppressWarnings("unchecked")
    private T decode(byte[] record) {
        byte[] value;
        if (readInt(record, 0) == IN_FILE) {
            Path path = elementFile(readLong(record, 4));
            try {
                value = Files.readAllBytes(path);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read an element of " + this, e);
            } finally {
                deleteQuietly(path);
            }
        } else {
            value = new byte[record.length - Integer.BYTES];
            System.arraycopy(record, Integer.BYTES, value, 0, value.length);
        }
        ClassAdmission admits = admission.forTypes(classes);
        try {
            return (T) ValueCodec.read(new ByteSource(value), loader(), admits);
        } catch (ClassAdmission.RefusedClassException e) {
            throw new IllegalStateException(
                    "an element of "
                            + this
                            + " is a "
                            + e.classname
                            + ", which this queue does not take: name it in"
                            + " SharedQueue.create(capacity, elementClasses)",
                    e);
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException(
                    "an element of " + this + " cannot be rebuilt here: " + e, e);
        }
    }

    private static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : SharedQueue.class.getClassLoader();
    }

    private static int readInt(byte[] b, int at) {
        return ByteBuffer.wrap(b).getInt(at);
    }

    private static long readLong(byte[] b, int at) {
        return ByteBuffer.wrap(b).getLong(at);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // the family's directory goes when its first process exits
        }
    }

    /** Removes the files of elements still waiting, then the queue. */
    @Override
    public void close() {
        String prefix = file.path().getFileName() + ".";
        super.close();
        try (var files = Files.newDirectoryStream(file.path().getParent(), prefix + "*")) {
            files.forEach(SharedQueue::deleteQuietly);
        } catch (IOException e) {
            // nothing left
        }
    }
}
