package dev.paralleltask.shared;

import static dev.paralleltask.runtime.internal.shared.SharedFile.LONGS;

import dev.paralleltask.runtime.internal.shared.Doorbell;
import dev.paralleltask.runtime.internal.shared.SharedFile;
import dev.paralleltask.runtime.internal.shared.Waiter;
import dev.paralleltask.runtime.internal.wire.ByteSink;
import dev.paralleltask.runtime.internal.wire.ByteSource;
import dev.paralleltask.runtime.internal.wire.ValueCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded {@link BlockingQueue} across processes, as Python's {@code multiprocessing.Queue}: the
 * caller and any number of tasks on any workers put and take at once, each producer's elements in
 * the order it put them. Code that takes a {@code BlockingQueue} takes this one. Elements travel
 * with the codec of call arguments, and may be of any size; as in every {@code BlockingQueue}, null
 * is not an element.
 *
 * <p>What looks at the whole queue ({@link #iterator}, {@link #contains}, {@link #toArray}, {@link
 * #remove(Object)}) works on a copy taken at once, decoding every element; its iterator is weakly
 * consistent, as a {@code java.util.concurrent} queue's: it never throws {@link
 * java.util.ConcurrentModificationException}, shows the elements there when it was made, and its
 * {@code remove()} removes that element if it is still there. An element removed from the middle
 * leaves a mark in its place, written in one store, which takes skip.
 *
 * <p>What a process takes from the queue was put there by another process, maybe a compromised
 * worker, so it is rebuilt as a call's result is: only the runtime's values (strings, numbers,
 * {@code java.time} values, the common collections of them) and the classes given to {@link
 * #create(int, Class[])}, with their subclasses and their fields' classes.
 *
 * <p>Elements wait in a ring in the queue's memory; one larger than a quarter of the ring waits in
 * a file of its own beside it. Blocked producers and consumers sleep until the other side rings
 * them.
 *
 * @param <T> the elements
 */
public final class SharedQueue<T> extends SharedObject implements BlockingQueue<T> {
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

    /** The length of an {@link #IN_FILE} record removed from the middle of the queue. */
    private static final int REMOVED_FILE = -2;

    /** The length of a removed record of {@code n} bytes is {@code REMOVED - n}. */
    private static final int REMOVED = -3;

    private final transient int capacity;
    private final transient int ring;

    private SharedQueue(SharedFile file, List<Class<?>> classes) {
        super(file, classes);
        this.capacity = (int) file.length();
        this.ring = (int) file.dataBytes();
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
        return new SharedQueue<>(file, classesNamed(classNames, "the elements of a SharedQueue"));
    }

    @Override
    int kind() {
        return KIND;
    }

    /** Waits for room, then puts {@code element} at the tail. */
    @Override
    public void put(T element) throws InterruptedException {
        offer(element, Waiter.forever(file));
    }

    /** Puts {@code element} at the tail if room comes within {@code timeout}; whether it did. */
    public boolean offer(T element, Duration timeout) throws InterruptedException {
        return offer(element, Waiter.forTimeout(timeout, file));
    }

    @Override
    public boolean offer(T element, long timeout, TimeUnit unit) throws InterruptedException {
        return offer(element, Duration.ofNanos(unit.toNanos(timeout)));
    }

    /** Puts {@code element} at the tail if there is room now; whether it did. */
    @Override
    public boolean offer(T element) {
        byte[] record = record(encode(element));
        ensureOpen();
        if (Mutex.holding(file, MUTEX, () -> append(record))) {
            Doorbell.ring(file);
            return true;
        }
        deleteFileOf(record);
        return false;
    }

    /**
     * Puts {@code element} at the tail if there is room now.
     *
     * @throws IllegalStateException if the queue is full, naming its capacity
     */
    @Override
    public boolean add(T element) {
        if (!offer(element)) {
            throw new IllegalStateException(
                    this + " is full: it holds at most " + capacity + " elements");
        }
        return true;
    }

    /** Waits for an element and takes it from the head. */
    @Override
    public T take() throws InterruptedException {
        return poll(Waiter.forever(file));
    }

    /** Takes the element at the head if one comes within {@code timeout}; else null. */
    public T poll(Duration timeout) throws InterruptedException {
        return poll(Waiter.forTimeout(timeout, file));
    }

    @Override
    public T poll(long timeout, TimeUnit unit) throws InterruptedException {
        return poll(Duration.ofNanos(unit.toNanos(timeout)));
    }

    /** Takes the element at the head if there is one now; else null. */
    @Override
    public T poll() {
        ensureOpen();
        byte[] record = Mutex.holding(file, MUTEX, this::removeHead);
        if (record == null) {
            return null;
        }
        Doorbell.ring(file);
        return decode(record);
    }

    @Override
    public T remove() {
        T head = poll();
        if (head == null) {
            throw new NoSuchElementException(this + " is empty");
        }
        return head;
    }

    /** The element at the head, left there; null if there is none. */
    @Override
    public T peek() {
        while (true) {
            ensureOpen();
            List<Entry> head = Mutex.holding(file, MUTEX, () -> entries(1));
            if (head.isEmpty()) {
                return null;
            }
            Optional<T> element = read(head.get(0).record);
            if (element.isPresent()) {
                return element.get();
            }
            // taken meanwhile with its file: look again
        }
    }

    @Override
    public T element() {
        T head = peek();
        if (head == null) {
            throw new NoSuchElementException(this + " is empty");
        }
        return head;
    }

    /** How many elements wait in the queue now. */
    @Override
    public int size() {
        ensureOpen();
        return (int) (long) LONGS.getVolatile(file.header(), COUNT);
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * How many more elements it takes now; an element put may still wait for room if the ring's
     * bytes run out first (large elements wait in files, so only many middling ones can).
     */
    @Override
    public int remainingCapacity() {
        return capacity - size();
    }

    @Override
    public int drainTo(Collection<? super T> into) {
        return drainTo(into, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super T> into, int max) {
        Objects.requireNonNull(into, "into");
        if (into == this) {
            throw new IllegalArgumentException("cannot drain " + this + " into itself");
        }
        ensureOpen();
        List<byte[]> taken =
                Mutex.holding(
                        file,
                        MUTEX,
                        () -> {
                            List<byte[]> records = new ArrayList<>();
                            for (byte[] r; records.size() < max && (r = removeHead()) != null; ) {
                                records.add(r);
                            }
                            return records;
                        });
        if (!taken.isEmpty()) {
            Doorbell.ring(file);
        }
        for (byte[] record : taken) {
            into.add(decode(record));
        }
        return taken.size();
    }

    /** Whether an element {@code equals} to {@code o} waits in the queue now. */
    @Override
    public boolean contains(Object o) {
        if (o == null) {
            return false;
        }
        for (T element : this) {
            if (o.equals(element)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean containsAll(Collection<?> c) {
        List<T> now = snapshot();
        return now.containsAll(c);
    }

    /** Removes the first element {@code equals} to {@code o}, if one waits; whether it did. */
    @Override
    public boolean remove(Object o) {
        if (o == null) {
            return false;
        }
        for (Iterator<T> it = iterator(); it.hasNext(); ) {
            if (o.equals(it.next())) {
                it.remove(); // still there, or taken meanwhile: either way, it is gone
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean addAll(Collection<? extends T> c) {
        if (c == this) {
            throw new IllegalArgumentException("cannot add " + this + " to itself");
        }
        boolean changed = false;
        for (T element : c) {
            changed |= add(element);
        }
        return changed;
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        Objects.requireNonNull(c, "c");
        return removeIf(c::contains);
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        Objects.requireNonNull(c, "c");
        return removeIf(e -> !c.contains(e));
    }

    /** Removes every element that waits now. */
    @Override
    public void clear() {
        ensureOpen();
        List<Entry> all =
                Mutex.holding(
                        file,
                        MUTEX,
                        () -> {
                            List<Entry> entries = entries(Integer.MAX_VALUE);
                            ByteBuffer header = file.header();
                            LONGS.setVolatile(header, COUNT, 0L);
                            LONGS.setVolatile(header, HEAD, (long) LONGS.getVolatile(header, TAIL));
                            return entries;
                        });
        all.forEach(e -> deleteFileOf(e.record));
        Doorbell.ring(file);
    }

    @Override
    public Object[] toArray() {
        return snapshot().toArray();
    }

    @Override
    public <A> A[] toArray(A[] a) {
        return snapshot().toArray(a);
    }

    /**
     * The elements waiting now, head first: weakly consistent (see the class's description); its
     * {@code remove()} removes the last element it gave if that is still in the queue.
     */
    @Override
    public Iterator<T> iterator() {
        ensureOpen();
        List<Entry> entries = Mutex.holding(file, MUTEX, () -> entries(Integer.MAX_VALUE));
        return new Iterator<>() {
            private int next;
            private T ahead;
            private Entry aheadEntry;
            private Entry last;

            @Override
            public boolean hasNext() {
                while (ahead == null && next < entries.size()) {
                    Entry e = entries.get(next++);
                    Optional<T> element = read(e.record); // empty if taken meanwhile
                    if (element.isPresent()) {
                        ahead = element.get();
                        aheadEntry = e;
                    }
                }
                return ahead != null;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                T element = ahead;
                ahead = null;
                last = aheadEntry;
                return element;
            }

            @Override
            public void remove() {
                if (last == null) {
                    throw new IllegalStateException("next() first, once per remove()");
                }
                Entry removing = last;
                last = null;
                ensureOpen();
                if (Mutex.holding(file, MUTEX, () -> markRemoved(removing.position))) {
                    deleteFileOf(removing.record);
                    Doorbell.ring(file);
                }
            }
        };
    }

    /** The elements waiting now, head first. */
    private List<T> snapshot() {
        List<T> elements = new ArrayList<>();
        iterator().forEachRemaining(elements::add);
        return elements;
    }

    private boolean offer(T element, Waiter waiter) throws InterruptedException {
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
            deleteFileOf(record);
            throw e;
        }
        deleteFileOf(record);
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

    /** A record that waits in the ring, and where: its position is never another's. */
    private record Entry(long position, byte[] record) {}

    /** Under the mutex: the first {@code max} records waiting, removed ones skipped. */
    private List<Entry> entries(int max) {
        ByteBuffer header = file.header();
        long tail = (long) LONGS.getVolatile(header, TAIL);
        List<Entry> entries = new ArrayList<>();
        for (long at = (long) LONGS.getVolatile(header, HEAD);
                at < tail && entries.size() < max; ) {
            int length = lengthAt(at, tail - at);
            int bytes = (int) recordBytes(length); // at most the bytes used: checked
            if (length >= 0 || length == IN_FILE) {
                byte[] record = new byte[bytes];
                copy(at, record, false);
                entries.add(new Entry(at, record));
            }
            at += bytes;
        }
        return entries;
    }

    /**
     * Under the mutex: marks the record at {@code position} removed, if it still waits; whether it
     * did. One store: a process that dies after it leaves the count one too high, which the next
     * take that finds only marks puts right.
     */
    private boolean markRemoved(long position) {
        ByteBuffer header = file.header();
        long head = (long) LONGS.getVolatile(header, HEAD);
        long tail = (long) LONGS.getVolatile(header, TAIL);
        if (position < head || position >= tail) {
            return false;
        }
        int length = lengthAt(position, tail - position);
        if (length < 0 && length != IN_FILE) {
            return false; // removed already
        }
        byte[] mark = new byte[Integer.BYTES];
        ByteBuffer.wrap(mark).putInt(length == IN_FILE ? REMOVED_FILE : REMOVED - length);
        copy(position, mark, true);
        LONGS.setVolatile(header, COUNT, (long) LONGS.getVolatile(header, COUNT) - 1);
        return true;
    }

    /** The length field of the record at {@code position}, checked against the bytes used. */
    private int lengthAt(long position, long used) {
        byte[] length = new byte[Integer.BYTES];
        copy(position, length, false);
        int n = readInt(length, 0);
        if (recordBytes(n) > used) {
            // Another process wrote this memory, and not as a queue: refuse before allocating.
            throw new IllegalStateException(
                    "the memory of "
                            + this
                            + " is corrupt: a record of length "
                            + n
                            + " with "
                            + used
                            + " bytes in the queue");
        }
        return n;
    }

    /** How many bytes a record takes in the ring, from its length field. */
    private static long recordBytes(int length) {
        if (length >= 0) {
            return Integer.BYTES + (long) length;
        }
        if (length == IN_FILE || length == REMOVED_FILE) {
            return Integer.BYTES + Long.BYTES;
        }
        return Integer.BYTES + ((long) REMOVED - length);
    }

    private void deleteFileOf(byte[] record) {
        if (readInt(record, 0) == IN_FILE) {
            deleteQuietly(elementFile(readLong(record, 4)));
        }
    }

    private byte[] encode(T element) {
        if (element == null) {
            throw new NullPointerException(
                    "a null element for " + this + ": a BlockingQueue takes no nulls");
        }
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

    /**
     * Under the mutex: removes and returns the head record, or null if there is none; records
     * marked removed before it go with it.
     */
    private byte[] removeHead() {
        ByteBuffer header = file.header();
        long count = (long) LONGS.getVolatile(header, COUNT);
        long head = (long) LONGS.getVolatile(header, HEAD);
        long tail = (long) LONGS.getVolatile(header, TAIL);
        int length;
        while (head < tail && (length = lengthAt(head, tail - head)) < 0 && length != IN_FILE) {
            head += recordBytes(length); // a removed record's bytes come free
            LONGS.setVolatile(header, HEAD, head);
        }
        if (head == tail) {
            if (count != 0) { // a remover died between its mark and the count
                LONGS.setVolatile(header, COUNT, 0L);
            }
            return null;
        }
        byte[] record = new byte[(int) recordBytes(lengthAt(head, tail - head))];
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

    /** The element of a record taken from the queue; its file, if any, is removed. */
    private T decode(byte[] record) {
        if (readInt(record, 0) != IN_FILE) {
            return decodeValue(Arrays.copyOfRange(record, Integer.BYTES, record.length));
        }
        Path path = elementFile(readLong(record, 4));
        try {
            return decodeValue(Files.readAllBytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read an element of " + this, e);
        } finally {
            deleteQuietly(path);
        }
    }

    /**
     * The element of a record still in the queue, which stays there; empty if its file went with a
     * take meanwhile.
     */
    private Optional<T> read(byte[] record) {
        if (readInt(record, 0) != IN_FILE) {
            return Optional.of(
                    decodeValue(Arrays.copyOfRange(record, Integer.BYTES, record.length)));
        }
        try {
            return Optional.of(decodeValue(Files.readAllBytes(elementFile(readLong(record, 4)))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read an element of " + this, e);
        }
    }

    @SuppressWarnings("unchecked")
    private T decodeValue(byte[] value) {
        return (T)
                rebuild(
                        new ByteSource(value),
                        "an element of " + this,
                        "which this queue does not take: name it in"
                                + " SharedQueue.create(capacity, elementClasses)");
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
