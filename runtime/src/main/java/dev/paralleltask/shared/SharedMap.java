package dev.paralleltask.shared;

import static dev.paralleltask.runtime.internal.shared.SharedFile.LONGS;

import dev.paralleltask.runtime.internal.shared.SharedFile;
import dev.paralleltask.runtime.internal.wire.ByteSink;
import dev.paralleltask.runtime.internal.wire.ByteSource;
import dev.paralleltask.runtime.internal.wire.ValueCodec;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link ConcurrentMap} across processes: Python's {@code Manager().dict()} without a server
 * process. The caller and tasks on any workers read and write it at once; {@code putIfAbsent},
 * {@code replace}, {@code remove(key, value)}, and through them {@code compute}, {@code merge} and
 * the other defaults of {@code ConcurrentMap}, are atomic across processes (a function given to
 * {@code compute} or {@code merge} may run more than once, as {@code ConcurrentMap}'s defaults say,
 * and runs outside any lock). No nulls, as in every {@code ConcurrentMap}.
 *
 * <p>Keys and values travel with the codec of call arguments. Two keys are the same key when they
 * encode the same: strings, numbers, enums, records and lists of those do; a {@code HashMap} or
 * {@code HashSet} as a key may not. What a process reads was written by another, maybe a
 * compromised worker, so it is rebuilt as a call's result is: the runtime's values, and the classes
 * named at {@link #create(long, Class[])}.
 *
 * <p>{@link #create(long)} says how many bytes of entries it holds (each entry: its encoded key and
 * value and 8 bytes more), up to 256 MiB; the map takes about 2.5 times that in shared memory: a
 * table of slots and a log of entries, twice. A change appends its entry to the log and is made by
 * one store to its slot, so a process that dies in the middle of a change leaves the map as it was;
 * when the log is full, the live entries are copied to the other half and one store switches to it.
 * An entry that does not fit even then is refused with {@link IllegalStateException} naming the
 * sizes.
 *
 * <p>{@link #keySet}, {@link #values} and {@link #entrySet} are copies taken at once, which do not
 * change the map: change it through its own methods.
 *
 * @param <K> the keys
 * @param <V> the values
 */
public final class SharedMap<K, V> extends SharedObject implements ConcurrentMap<K, V> {
    private static final long serialVersionUID = 1L;
    static final int KIND = 11;

    /** The largest {@code bytes} of {@link #create}: both halves stay in one mapped piece. */
    public static final long MAX_BYTES = 256L << 20;

    private static final int MUTEX = SharedFile.word(0);
    private static final int ACTIVE = SharedFile.word(1);

    /** Bytes used in half 0's log, then half 1's. */
    private static final int[] END = {SharedFile.word(2), SharedFile.word(3)};

    /**
     * Slots ever taken in half 0's table, then half 1's (live or removed since): when three
     * quarters are, the live entries move to the other half. One less than it should be after a
     * writer died between its slot and this count, until the next move counts them again.
     */
    private static final int[] USED = {SharedFile.word(4), SharedFile.word(5)};

    private static final long EMPTY = 0;
    private static final long REMOVED = -1;
    private static final int ENTRY_HEADER = 2 * Integer.BYTES;

    private final transient int slots;
    private final transient long logBytes;

    private SharedMap(SharedFile file, List<Class<?>> classes) {
        super(file, classes);
        this.logBytes = file.length();
        this.slots = slotsFor(logBytes);
        if (file.dataBytes() != 2 * half(logBytes)) {
            throw new IllegalStateException(this + " is corrupt: " + file.dataBytes() + " bytes");
        }
    }

    /** Slots for a log of {@code bytes}: one per 32 bytes, a power of two, at least 64. */
    private static int slotsFor(long bytes) {
        return (int) Math.max(64, Long.highestOneBit(Math.max(1, bytes / 32) * 2 - 1));
    }

    private static long half(long bytes) {
        return (long) slotsFor(bytes) * Long.BYTES + bytes;
    }

    /**
     * A new, empty map with room for {@code bytes} of entries, whose keys and values are the
     * runtime's own value types (strings, boxes, {@code java.time} values, collections and maps of
     * them, enums).
     *
     * @throws IllegalArgumentException if {@code bytes} is not between 1 and {@link #MAX_BYTES}
     */
    public static <K, V> SharedMap<K, V> create(long bytes) {
        return create(bytes, new Class<?>[0]);
    }

    /**
     * A new, empty map with room for {@code bytes} of entries, whose keys and values may also be
     * instances of {@code valueClasses} (records or classes of yours), their subclasses and the
     * classes of their fields.
     *
     * @throws IllegalArgumentException if {@code bytes} is not between 1 and {@link #MAX_BYTES}
     */
    public static <K, V> SharedMap<K, V> create(long bytes, Class<?>... valueClasses) {
        if (bytes < 1 || bytes > MAX_BYTES) {
            throw new IllegalArgumentException(
                    "SharedMap.create: bytes must be between 1 and "
                            + MAX_BYTES
                            + ", was "
                            + bytes);
        }
        return new SharedMap<>(
                SharedFile.create(KIND, bytes, 2 * half(bytes), "SharedMap of " + bytes + " bytes"),
                List.of(valueClasses));
    }

    /** The map a handle names, mapped in this process. */
    static SharedMap<?, ?> opened(SharedFile file, List<String> classNames)
            throws InvalidObjectException {
        return new SharedMap<>(file, classesNamed(classNames, "the entries of a SharedMap"));
    }

    @Override
    int kind() {
        return KIND;
    }

    // ---- The map's methods ----

    @Override
    public V get(Object key) {
        byte[] k = keyOrNull(key);
        if (k == null) {
            return null;
        }
        Found found = locked(() -> find(k));
        return found == null ? null : decode(found.value);
    }

    @Override
    public boolean containsKey(Object key) {
        byte[] k = keyOrNull(key);
        return k != null && locked(() -> find(k)) != null;
    }

    @Override
    public boolean containsValue(Object value) {
        Objects.requireNonNull(value, "value");
        return snapshot().containsValue(value);
    }

    @Override
    public V put(K key, V value) {
        byte[] k = encode(key, "key");
        byte[] v = encode(value, "value");
        Found before = locked(() -> write(k, v, null, false));
        return before == null ? null : decode(before.value);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        byte[] k = encode(key, "key");
        byte[] v = encode(value, "value");
        Found present = locked(() -> write(k, v, null, true));
        return present == null ? null : decode(present.value);
    }

    @Override
    public V remove(Object key) {
        byte[] k = keyOrNull(key);
        if (k == null) {
            return null;
        }
        Found removed = locked(() -> delete(k, null));
        return removed == null ? null : decode(removed.value);
    }

    @Override
    public boolean remove(Object key, Object value) {
        byte[] k = keyOrNull(key);
        if (k == null || value == null) {
            return false;
        }
        while (true) {
            Found now = locked(() -> find(k));
            if (now == null || !value.equals(decode(now.value))) {
                return false;
            }
            if (locked(() -> delete(k, now)) != null) {
                return true;
            }
            // changed meanwhile: look again
        }
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        byte[] k = encode(key, "key");
        Objects.requireNonNull(oldValue, "oldValue");
        byte[] v = encode(newValue, "value");
        while (true) {
            Found now = locked(() -> find(k));
            if (now == null || !oldValue.equals(decode(now.value))) {
                return false;
            }
            if (locked(() -> write(k, v, now, false)) != null) {
                return true;
            }
        }
    }

    @Override
    public V replace(K key, V value) {
        byte[] k = encode(key, "key");
        byte[] v = encode(value, "value");
        while (true) {
            Found now = locked(() -> find(k));
            if (now == null) {
                return null;
            }
            if (locked(() -> write(k, v, now, false)) != null) {
                return decode(now.value);
            }
        }
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        m.forEach(this::put);
    }

    /** Removes every entry, with one store. */
    @Override
    public void clear() {
        locked(
                () -> {
                    int next = 1 - active();
                    zeroSlots(next);
                    LONGS.setVolatile(file.header(), END[next], 0L);
                    LONGS.setVolatile(file.header(), USED[next], 0L);
                    LONGS.setVolatile(file.header(), ACTIVE, (long) next);
                    return null;
                });
    }

    @Override
    public int size() {
        return locked(
                () -> {
                    ByteBuffer data = file.segment(0);
                    long at = base(active());
                    int n = 0;
                    for (int i = 0; i < slots; i++) {
                        n += (long) LONGS.getVolatile(data, (int) (at + 8L * i)) > 0 ? 1 : 0;
                    }
                    return n;
                });
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    /** A copy of the keys now; it does not change the map. */
    @Override
    public Set<K> keySet() {
        return Collections.unmodifiableSet(snapshot().keySet());
    }

    /** A copy of the values now; it does not change the map. */
    @Override
    public Collection<V> values() {
        return Collections.unmodifiableCollection(snapshot().values());
    }

    /** A copy of the entries now; it does not change the map. */
    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return Collections.unmodifiableSet(snapshot().entrySet());
    }

    /** Whether {@code o} is a map of the same entries, now. */
    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof Map<?, ?> m && snapshot().equals(m));
    }

    @Override
    public int hashCode() {
        return snapshot().hashCode();
    }

    /** The entries now, decoded, in the order of the map's table. */
    private Map<K, V> snapshot() {
        List<byte[][]> raw =
                locked(
                        () -> {
                            List<byte[][]> entries = new ArrayList<>();
                            int half = active();
                            ByteBuffer data = file.segment(0);
                            for (int i = 0; i < slots; i++) {
                                long slot = slot(data, half, i);
                                if (slot > 0) {
                                    entries.add(entry(half, slot - 1));
                                }
                            }
                            return entries;
                        });
        Map<K, V> map = new LinkedHashMap<>();
        for (byte[][] e : raw) {
            @SuppressWarnings("unchecked")
            K key = (K) decodeAny(e[0]);
            map.put(key, decode(e[1]));
        }
        return map;
    }

    // ---- Under the mutex ----

    /** A key's entry as found: where it is (its half and offset), and its value's bytes. */
    private record Found(int half, long offset, byte[] value) {}

    private <T> T locked(java.util.function.Supplier<T> section) {
        ensureOpen();
        return Mutex.holding(file, MUTEX, section);
    }

    private int active() {
        return (int) (long) LONGS.getVolatile(file.header(), ACTIVE);
    }

    /** Where half {@code h} begins in the data: its slots, then its log. */
    private long base(int h) {
        return h * half(logBytes);
    }

    private long slot(ByteBuffer data, int h, int i) {
        return (long) LONGS.getVolatile(data, (int) (base(h) + 8L * i));
    }

    private void setSlot(int h, int i, long value) {
        LONGS.setVolatile(file.segment(0), (int) (base(h) + 8L * i), value);
    }

    /** Whether the entry at {@code offset} of half {@code h}'s log is {@code key}'s; no copy. */
    private boolean hasKey(int h, long offset, byte[] key) {
        ByteBuffer data = file.segment(0);
        int at = (int) (base(h) + (long) slots * Long.BYTES + offset);
        return data.getInt(at) == key.length
                && offset + ENTRY_HEADER + (long) key.length <= logBytes
                && data.slice(at + ENTRY_HEADER, key.length).equals(ByteBuffer.wrap(key));
    }

    /** The key and value bytes of the entry at {@code offset} of half {@code h}'s log. */
    private byte[][] entry(int h, long offset) {
        ByteBuffer data = file.segment(0);
        long at = base(h) + (long) slots * Long.BYTES + offset;
        int k = data.getInt((int) at);
        int v = data.getInt((int) at + Integer.BYTES);
        if (k < 0 || v < 0 || offset + ENTRY_HEADER + (long) k + v > logBytes) {
            throw new IllegalStateException(
                    "the memory of "
                            + this
                            + " is corrupt: an entry of "
                            + k
                            + " + "
                            + v
                            + " bytes");
        }
        byte[] key = new byte[k];
        byte[] value = new byte[v];
        data.get((int) at + ENTRY_HEADER, key);
        data.get((int) at + ENTRY_HEADER + k, value);
        return new byte[][] {key, value};
    }

    private static int hash(byte[] key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return (int) (h ^ (h >>> 32));
    }

    /** The slot of {@code key} in the active half, or where it would go ({@code -1 - free}). */
    private int slotOf(byte[] key, int h) {
        ByteBuffer data = file.segment(0);
        int free = -1;
        for (int probe = 0, i = hash(key) & (slots - 1);
                probe < slots;
                probe++, i = (i + 1) & (slots - 1)) {
            long slot = slot(data, h, i);
            if (slot == EMPTY) {
                return -1 - (free >= 0 ? free : i);
            }
            if (slot == REMOVED) {
                free = free >= 0 ? free : i;
            } else if (hasKey(h, slot - 1, key)) {
                return i;
            }
        }
        return free >= 0 ? -1 - free : NO_SLOT;
    }

    /** What {@link #slotOf} returns for a key not there in a table with no free slot. */
    private static final int NO_SLOT = Integer.MIN_VALUE;

    private Found find(byte[] key) {
        int h = active();
        int i = slotOf(key, h);
        if (i < 0) {
            return null;
        }
        long offset = slot(file.segment(0), h, i) - 1;
        return new Found(h, offset, entry(h, offset)[1]);
    }

    /**
     * Writes {@code key}'s entry: only if it is absent ({@code ifAbsent}), or only if it is still
     * the entry {@code expected} found. Returns the entry it replaced, or, with {@code ifAbsent},
     * the one present; with {@code expected}, non-null when it wrote.
     */
    private Found write(byte[] key, byte[] value, Found expected, boolean ifAbsent) {
        long need = ENTRY_HEADER + (long) key.length + value.length;
        for (int attempt = 0; ; attempt++) {
            int h = active();
            int i = slotOf(key, h);
            Found present = i >= 0 ? new Found(h, slot(file.segment(0), h, i) - 1, null) : null;
            if (expected != null
                    && (present == null
                            || present.half != expected.half
                            || present.offset != expected.offset)) {
                return null; // changed since it was read
            }
            if (ifAbsent && present != null) {
                return new Found(h, present.offset, entry(h, present.offset)[1]);
            }
            long end = (long) LONGS.getVolatile(file.header(), END[h]);
            boolean roomInLog = end + need <= logBytes;
            long used = (long) LONGS.getVolatile(file.header(), USED[h]);
            boolean roomInTable = i >= 0 || (i != NO_SLOT && used < slots * 3L / 4);
            if (roomInLog && roomInTable) {
                byte[] old = present == null ? null : entry(h, present.offset)[1];
                append(h, end, key, value);
                LONGS.setVolatile(file.header(), END[h], end + need);
                int at = i >= 0 ? i : -1 - i;
                boolean fresh = slot(file.segment(0), h, at) == EMPTY;
                setSlot(h, at, end + 1); // the one store that makes the change
                if (fresh) {
                    LONGS.setVolatile(file.header(), USED[h], used + 1);
                }
                return present == null ? null : new Found(h, present.offset, old);
            }
            if (attempt > 0) {
                throw full(need);
            }
            compact();
        }
    }

    /** Removes {@code key}'s entry (only if it is still {@code expected}); the one removed. */
    private Found delete(byte[] key, Found expected) {
        int h = active();
        int i = slotOf(key, h);
        if (i < 0) {
            return null;
        }
        long offset = slot(file.segment(0), h, i) - 1;
        if (expected != null && (expected.half != h || expected.offset != offset)) {
            return null;
        }
        byte[] value = entry(h, offset)[1];
        setSlot(h, i, REMOVED);
        return new Found(h, offset, value);
    }

    private void append(int h, long end, byte[] key, byte[] value) {
        ByteBuffer data = file.segment(0);
        int at = (int) (base(h) + (long) slots * Long.BYTES + end);
        data.putInt(at, key.length).putInt(at + Integer.BYTES, value.length);
        data.put(at + ENTRY_HEADER, key).put(at + ENTRY_HEADER + key.length, value);
    }

    private void zeroSlots(int h) {
        for (int i = 0; i < slots; i++) {
            setSlot(h, i, EMPTY);
        }
    }

    /**
     * Copies the live entries to the other half, then switches to it with one store: a process that
     * dies before that store leaves the active half as it was.
     */
    private void compact() {
        int from = active();
        int to = 1 - from;
        zeroSlots(to);
        long end = 0;
        long used = 0;
        ByteBuffer data = file.segment(0);
        for (int i = 0; i < slots; i++) {
            long slot = slot(data, from, i);
            if (slot > 0) {
                byte[][] e = entry(from, slot - 1);
                append(to, end, e[0], e[1]);
                int j = -1 - slotOf(e[0], to);
                setSlot(to, j, end + 1);
                end += ENTRY_HEADER + (long) e[0].length + e[1].length;
                used++;
            }
        }
        LONGS.setVolatile(file.header(), END[to], end);
        LONGS.setVolatile(file.header(), USED[to], used);
        LONGS.setVolatile(file.header(), ACTIVE, (long) to);
    }

    private IllegalStateException full(long need) {
        int h = active();
        return new IllegalStateException(
                this
                        + " is full: an entry of "
                        + need
                        + " bytes does not fit beside the "
                        + (long) LONGS.getVolatile(file.header(), END[h])
                        + " of its "
                        + logBytes
                        + " bytes its live entries use, or its table of "
                        + slots
                        + " slots is three quarters full; make it with more bytes");
    }

    // ---- Encoding ----

    private byte[] encode(Object o, String what) {
        Objects.requireNonNull(
                o, () -> "a null " + what + " for " + this + ": a ConcurrentMap takes no nulls");
        ByteSink sink = new ByteSink(32);
        try {
            ValueCodec.write(sink, o);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot put a "
                            + o.getClass().getName()
                            + " "
                            + what
                            + " in "
                            + this
                            + ": "
                            + e,
                    e);
        }
        if (!sink.files().isEmpty()) {
            sink.files().forEach(dev.paralleltask.runtime.internal.shared.LargeArrays::discard);
            throw new IllegalArgumentException(
                    "a "
                            + what
                            + " of "
                            + this
                            + " holds an array of 1 MiB or more: put it in a SharedValue, and"
                            + " the SharedValue in the map");
        }
        return sink.toByteArray();
    }

    /** The key's bytes, or null for a key that no entry can have (null, or not encodable). */
    private byte[] keyOrNull(Object key) {
        if (key == null) {
            return null;
        }
        try {
            return encode(key, "key");
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private V decode(byte[] value) {
        return (V) decodeAny(value);
    }

    private Object decodeAny(byte[] bytes) {
        return rebuild(
                new ByteSource(bytes),
                "an entry of " + this,
                "which this map does not take: name it in SharedMap.create(bytes, valueClasses)");
    }
}
