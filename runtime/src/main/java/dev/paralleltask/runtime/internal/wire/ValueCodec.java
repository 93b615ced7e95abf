package dev.paralleltask.runtime.internal.wire;

import dev.paralleltask.runtime.internal.shared.LargeArrays;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.StreamCorruptedException;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Encodes one value: the common types compactly, anything else with JDK serialization.
 *
 * <p>Compact: null, primitive boxes, {@code String}, {@code byte[]}, {@code int[]}, {@code long[]},
 * {@code double[]}, enum constants, {@code Serializable} records, {@code ArrayList}, {@code
 * HashMap}, {@code LinkedHashMap}, {@code HashSet}, {@code LinkedHashSet}, and the immutable {@code
 * List.of}, {@code Set.of} and {@code Map.of}, each holding compact values. They come back as JDK
 * serialization would bring them back: the same class (an immutable collection as an immutable
 * one), records through their canonical constructor, enum constants by name.
 *
 * <p>A {@code byte[]}, {@code int[]}, {@code long[]} or {@code double[]} of at least {@value
 * LargeArrays#THRESHOLD} bytes goes through a file in shared memory, which its reader removes
 * ({@link LargeArrays}).
 *
 * <p>A value that holds anything else, holds the same array or mutable collection twice (aliasing,
 * or a cycle, which JDK serialization keeps), or nests deeper than {@value #MAX_DEPTH} levels goes
 * whole through {@link ObjectOutputStream}, one stream per value, so a failure names one value and
 * a value never shares back-references with another.
 */
public final class ValueCodec {
    private static final byte NULL = 0;
    private static final byte BOOLEAN = 1;
    private static final byte BYTE = 2;
    private static final byte SHORT = 3;
    private static final byte CHAR = 4;
    private static final byte INT = 5;
    private static final byte LONG = 6;
    private static final byte FLOAT = 7;
    private static final byte DOUBLE = 8;
    private static final byte STRING = 9;
    private static final byte BYTE_ARRAY = 10;
    private static final byte INT_ARRAY = 11;
    private static final byte LONG_ARRAY = 12;
    private static final byte DOUBLE_ARRAY = 13;
    private static final byte SERIALIZED = 14;
    private static final byte ENUM = 15;
    private static final byte RECORD = 16;
    private static final byte ARRAY_LIST = 17;
    private static final byte LIST_OF = 18;
    private static final byte HASH_SET = 19;
    private static final byte LINKED_HASH_SET = 20;
    private static final byte SET_OF = 21;
    private static final byte HASH_MAP = 22;
    private static final byte LINKED_HASH_MAP = 23;
    private static final byte MAP_OF = 24;
    private static final byte ARRAY_IN_FILE = 25;

    private static final int MAX_DEPTH = 32;

    /** The collection classes encoded compactly, by exact class. */
    private static final Map<Class<?>, Byte> COLLECTIONS =
            Map.ofEntries(
                    Map.entry(ArrayList.class, ARRAY_LIST),
                    Map.entry(List.of().getClass(), LIST_OF),
                    Map.entry(List.of(1).getClass(), LIST_OF),
                    Map.entry(HashSet.class, HASH_SET),
                    Map.entry(LinkedHashSet.class, LINKED_HASH_SET),
                    Map.entry(Set.of().getClass(), SET_OF),
                    Map.entry(Set.of(1).getClass(), SET_OF),
                    Map.entry(HashMap.class, HASH_MAP),
                    Map.entry(LinkedHashMap.class, LINKED_HASH_MAP),
                    Map.entry(Map.of().getClass(), MAP_OF),
                    Map.entry(Map.of(1, 1).getClass(), MAP_OF));

    /**
     * How to take a record apart and build it again; null for records that are not Serializable or
     * not accessible.
     */
    private static final ClassValue<RecordShape> RECORDS =
            new ClassValue<>() {
                @Override
                protected RecordShape computeValue(Class<?> type) {
                    return RecordShape.of(type);
                }
            };

    private ValueCodec() {}

    /**
     * Appends {@code value} to {@code out}.
     *
     * @throws IOException if the value, or something it holds, cannot be serialized
     */
    public static void write(ByteSink out, Object value) throws IOException {
        int start = out.size();
        int filesBefore = out.fileCount();
        boolean compact;
        try {
            compact = writeCompact(out, value, null, 0);
        } catch (IOException | RuntimeException | Error e) {
            out.discardFiles(filesBefore);
            throw e;
        }
        if (!compact) {
            out.discardFiles(filesBefore);
            out.truncate(start);
            writeSerialized(out, value);
        }
    }

    /**
     * Writes {@code value} compactly, or returns false, having written part of it, if it cannot be.
     * {@code seen} holds the arrays and mutable collections met so far inside one container; null
     * outside any. Large arrays go to files, which {@code out} keeps a list of.
     */
    private static boolean writeCompact(ByteSink out, Object value, Set<Object> seen, int depth)
            throws IOException {
        if (value == null) {
            out.writeByte(NULL);
            return true;
        }
        Class<?> type = value.getClass();
        if (type.isArray() && seen != null && !seen.add(value)) {
            return false; // the same array twice in one value: only serialization keeps that
        }
        int width = LargeArrays.width(type);
        if (width > 0 && LargeArrays.fits((long) Array.getLength(value) * width)) {
            Path file = LargeArrays.write(value);
            out.addFile(file);
            out.writeByte(ARRAY_IN_FILE);
            out.writeByte(
                    type == byte[].class
                            ? BYTE_ARRAY
                            : type == int[].class
                                    ? INT_ARRAY
                                    : type == long[].class ? LONG_ARRAY : DOUBLE_ARRAY);
            out.writeInt(Array.getLength(value));
            out.writeString(file.toString());
            return true;
        }
        if (type == Integer.class) {
            out.writeByte(INT);
            out.writeInt((Integer) value);
        } else if (type == Long.class) {
            out.writeByte(LONG);
            out.writeLong((Long) value);
        } else if (type == String.class) {
            out.writeByte(STRING);
            out.writeString((String) value);
        } else if (type == Double.class) {
            out.writeByte(DOUBLE);
            out.writeLong(Double.doubleToRawLongBits((Double) value));
        } else if (type == Boolean.class) {
            out.writeByte(BOOLEAN);
            out.writeByte((Boolean) value ? 1 : 0);
        } else if (type == byte[].class) {
            byte[] b = (byte[]) value;
            out.writeByte(BYTE_ARRAY);
            out.writeInt(b.length);
            out.write(b, 0, b.length);
        } else if (type == int[].class) {
            int[] a = (int[]) value;
            out.writeByte(INT_ARRAY);
            out.writeInt(a.length);
            out.reserve(Math.multiplyExact(a.length, Integer.BYTES)).asIntBuffer().put(a);
        } else if (type == long[].class) {
            long[] a = (long[]) value;
            out.writeByte(LONG_ARRAY);
            out.writeInt(a.length);
            out.reserve(Math.multiplyExact(a.length, Long.BYTES)).asLongBuffer().put(a);
        } else if (type == double[].class) {
            double[] a = (double[]) value;
            out.writeByte(DOUBLE_ARRAY);
            out.writeInt(a.length);
            out.reserve(Math.multiplyExact(a.length, Double.BYTES)).asDoubleBuffer().put(a);
        } else if (type == Float.class) {
            out.writeByte(FLOAT);
            out.writeInt(Float.floatToRawIntBits((Float) value));
        } else if (type == Short.class) {
            out.writeByte(SHORT);
            out.writeInt((Short) value);
        } else if (type == Byte.class) {
            out.writeByte(BYTE);
            out.writeByte((Byte) value);
        } else if (type == Character.class) {
            out.writeByte(CHAR);
            out.writeInt((Character) value);
        } else if (value instanceof Enum<?> e) {
            out.writeByte(ENUM);
            out.writeString(e.getDeclaringClass().getName());
            out.writeString(e.name());
        } else if (type.isRecord()) {
            return writeRecord(out, value, type, seen, depth);
        } else if (COLLECTIONS.containsKey(type)) {
            return writeCollection(out, value, COLLECTIONS.get(type), seen, depth);
        } else {
            return false;
        }
        return true;
    }

    private static boolean writeRecord(
            ByteSink out, Object record, Class<?> type, Set<Object> seen, int depth)
            throws IOException {
        RecordShape shape = RECORDS.get(type);
        if (shape == null || depth >= MAX_DEPTH) {
            return false;
        }
        Object[] components;
        try {
            components = shape.components(record);
        } catch (ReflectiveOperationException e) {
            return false; // an accessor threw: let serialization say so in its own words
        }
        out.writeByte(RECORD);
        out.writeString(type.getName());
        Set<Object> inside =
                seen != null ? seen : Collections.newSetFromMap(new IdentityHashMap<>());
        for (Object c : components) {
            if (!writeCompact(out, c, inside, depth + 1)) {
                return false;
            }
        }
        return true;
    }

    private static boolean writeCollection(
            ByteSink out, Object collection, byte tag, Set<Object> seen, int depth)
            throws IOException {
        Set<Object> inside =
                seen != null ? seen : Collections.newSetFromMap(new IdentityHashMap<>());
        boolean immutable = tag == LIST_OF || tag == SET_OF || tag == MAP_OF;
        if (depth >= MAX_DEPTH || (!immutable && !inside.add(collection))) {
            return false;
        }
        out.writeByte(tag);
        if (collection instanceof Map<?, ?> map) {
            out.writeInt(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!writeCompact(out, e.getKey(), inside, depth + 1)
                        || !writeCompact(out, e.getValue(), inside, depth + 1)) {
                    return false;
                }
            }
        } else {
            Collection<?> elements = (Collection<?>) collection;
            out.writeInt(elements.size());
            for (Object e : elements) {
                // A List.of never holds null, but Stream.toList() makes the same class with nulls.
                if ((immutable && e == null) || !writeCompact(out, e, inside, depth + 1)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Reads the next value from {@code in}, resolving classes through {@code loader}; every class
     * it would instantiate is first put to {@code admission}.
     *
     * @throws IOException if the bytes are malformed or a serialized object cannot be rebuilt, a
     *     {@link ClassAdmission.RefusedClassException} if a class was refused
     * @throws ClassNotFoundException if a serialized object's class is missing here
     */
    public static Object read(ByteSource in, ClassLoader loader, ClassAdmission admission)
            throws IOException, ClassNotFoundException {
        return read(in, loader, admission, 0);
    }

    /**
     * Reads a value nested {@code depth} levels deep. A container deeper than {@link #MAX_DEPTH},
     * which {@link #write} sends whole through serialization, is refused before it is read: the
     * stack a decoder of deep nesting needs is the caller's.
     */
    private static Object read(
            ByteSource in, ClassLoader loader, ClassAdmission admission, int depth)
            throws IOException, ClassNotFoundException {
        byte tag = (byte) in.readByte();
        if (tag >= RECORD && tag <= MAP_OF && depth >= MAX_DEPTH) {
            throw new WireLimitException(
                    "values nested more than " + MAX_DEPTH + " deep, which are never sent so");
        }
        switch (tag) {
            case NULL:
                return null;
            case INT:
                return in.readInt();
            case LONG:
                return in.readLong();
            case STRING:
                return in.readString();
            case DOUBLE:
                return Double.longBitsToDouble(in.readLong());
            case BOOLEAN:
                return in.readByte() != 0;
            case BYTE_ARRAY:
                return in.readBytes(in.readLength());
            case INT_ARRAY:
                {
                    int[] a = new int[in.readCount(Integer.BYTES, "int elements")];
                    in.take(Math.multiplyExact(a.length, Integer.BYTES)).asIntBuffer().get(a);
                    return a;
                }
            case LONG_ARRAY:
                {
                    long[] a = new long[in.readCount(Long.BYTES, "long elements")];
                    in.take(Math.multiplyExact(a.length, Long.BYTES)).asLongBuffer().get(a);
                    return a;
                }
            case DOUBLE_ARRAY:
                {
                    double[] a = new double[in.readCount(Double.BYTES, "double elements")];
                    in.take(Math.multiplyExact(a.length, Double.BYTES)).asDoubleBuffer().get(a);
                    return a;
                }
            case FLOAT:
                return Float.intBitsToFloat(in.readInt());
            case SHORT:
                return (short) in.readInt();
            case BYTE:
                return (byte) in.readByte();
            case CHAR:
                return (char) in.readInt();
            case ENUM:
                return enumConstant(load(in.readString(), loader, admission), in.readString());
            case RECORD:
                return readRecord(in, loader, admission, depth + 1);
            case ARRAY_LIST:
                return readElements(in, loader, admission, depth + 1, new ArrayList<>());
            case LIST_OF:
                return immutable(
                        readElements(in, loader, admission, depth + 1, new ArrayList<>()),
                        read -> List.of(read.toArray()));
            case HASH_SET:
                return readElements(in, loader, admission, depth + 1, new HashSet<>());
            case LINKED_HASH_SET:
                return readElements(in, loader, admission, depth + 1, new LinkedHashSet<>());
            case SET_OF:
                return immutable(
                        readElements(in, loader, admission, depth + 1, new ArrayList<>()),
                        read -> Set.of(read.toArray()));
            case HASH_MAP:
                return readEntries(in, loader, admission, depth + 1, new HashMap<>());
            case LINKED_HASH_MAP:
                return readEntries(in, loader, admission, depth + 1, new LinkedHashMap<>());
            case MAP_OF:
                return immutable(
                        readEntries(in, loader, admission, depth + 1, new HashMap<>()),
                        Map::copyOf);
            case ARRAY_IN_FILE:
                {
                    byte element = (byte) in.readByte();
                    Class<?> type =
                            element == BYTE_ARRAY
                                    ? byte[].class
                                    : element == INT_ARRAY
                                            ? int[].class
                                            : element == LONG_ARRAY
                                                    ? long[].class
                                                    : element == DOUBLE_ARRAY
                                                            ? double[].class
                                                            : null;
                    int length = in.readInt();
                    String file = in.readString();
                    if (type == null || length < 0) {
                        throw new StreamCorruptedException(
                                "an array in a file of element tag "
                                        + element
                                        + ", length "
                                        + length);
                    }
                    return LargeArrays.read(file, type, length, !in.keepsFiles());
                }
            case SERIALIZED:
                {
                    int length = in.readLength();
                    String[] refused = new String[1];
                    try (ObjectInputStream ois =
                            new LoaderObjectInputStream(in.slice(length), loader)) {
                        ois.setObjectInputFilter(
                                ClassAdmission.asFilter(admission, length, refused));
                        return ois.readObject();
                    } catch (InvalidClassException e) {
                        if (refused[0] != null) {
                            throw new ClassAdmission.RefusedClassException(refused[0]);
                        }
                        throw e;
                    } catch (RuntimeException e) {
                        // A readObject that threw, or a malformed stream the JDK's reader trips on
                        // (a ClassCastException): the value cannot be rebuilt either way.
                        StreamCorruptedException failure =
                                new StreamCorruptedException("cannot rebuild the value: " + e);
                        failure.initCause(e);
                        throw failure;
                    }
                }
            default:
                throw new StreamCorruptedException("unknown value tag " + tag);
        }
    }

    /**
     * An immutable collection of what was read: {@code List.of} and its kin refuse nulls and
     * duplicates, which an honest writer never sends in one.
     */
    private static <T> Object immutable(T read, Function<T, Object> copy)
            throws StreamCorruptedException {
        try {
            return copy.apply(read);
        } catch (NullPointerException | IllegalArgumentException e) {
            StreamCorruptedException malformed =
                    new StreamCorruptedException("an immutable collection that holds " + e);
            malformed.initCause(e);
            throw malformed;
        }
    }

    private static <C extends Collection<Object>> C readElements(
            ByteSource in, ClassLoader loader, ClassAdmission admission, int depth, C into)
            throws IOException, ClassNotFoundException {
        int n = in.readCount(1, "values"); // a value is at least its tag
        for (int i = 0; i < n; i++) {
            into.add(read(in, loader, admission, depth));
        }
        return into;
    }

    private static Map<Object, Object> readEntries(
            ByteSource in,
            ClassLoader loader,
            ClassAdmission admission,
            int depth,
            Map<Object, Object> into)
            throws IOException, ClassNotFoundException {
        int n = in.readCount(2, "entries"); // a key and a value
        for (int i = 0; i < n; i++) {
            into.put(read(in, loader, admission, depth), read(in, loader, admission, depth));
        }
        return into;
    }

    private static Object readRecord(
            ByteSource in, ClassLoader loader, ClassAdmission admission, int depth)
            throws IOException, ClassNotFoundException {
        Class<?> type = load(in.readString(), loader, admission);
        RecordShape shape = type.isRecord() ? RECORDS.get(type) : null;
        if (shape == null) {
            Module module = type.getModule();
            String pkg = type.getPackageName();
            Module runtime = ValueCodec.class.getModule();
            if (module.isNamed() && !module.isOpen(pkg, runtime)) {
                throw new InvalidClassException(
                        type.getName(),
                        "module "
                                + module.getName()
                                + " does not open "
                                + pkg
                                + " to "
                                + (runtime.isNamed() ? runtime.getName() : "paralleltask's runtime")
                                + ", which rebuilds its records: add 'opens "
                                + pkg
                                + " to dev.paralleltask.runtime;' to its module-info.java, or run"
                                + " with --add-opens "
                                + module.getName()
                                + "/"
                                + pkg
                                + "=dev.paralleltask.runtime");
            }
            throw new InvalidClassException(
                    type.getName(), "not a Serializable record that can be rebuilt here");
        }
        Object[] components = new Object[shape.size()];
        for (int i = 0; i < components.length; i++) {
            components[i] = read(in, loader, admission, depth);
        }
        try {
            return shape.build(components);
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
            InvalidObjectException failure =
                    new InvalidObjectException("cannot rebuild " + type.getName() + ": " + cause);
            failure.initCause(cause);
            throw failure;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumConstant(Class<?> type, String name) throws InvalidObjectException {
        if (!type.isEnum()) {
            throw new InvalidObjectException(type.getName() + " is not an enum");
        }
        try {
            return Enum.valueOf((Class) type, name);
        } catch (IllegalArgumentException e) {
            throw new InvalidObjectException(type.getName() + " has no constant " + name);
        }
    }

    /** The class, loaded but not initialized, once admitted. */
    private static Class<?> load(String name, ClassLoader loader, ClassAdmission admission)
            throws ClassNotFoundException, ClassAdmission.RefusedClassException {
        Class<?> type = Class.forName(name, false, loader);
        if (!admission.admits(type)) {
            throw new ClassAdmission.RefusedClassException(name);
        }
        return type;
    }

    private static void writeSerialized(ByteSink out, Object value) throws IOException {
        out.writeByte(SERIALIZED);
        int lengthAt = out.size();
        out.writeInt(0);
        try (ObjectOutputStream oos = new ObjectOutputStream(out.asOutputStream())) {
            oos.writeObject(value);
        }
        out.setInt(lengthAt, out.size() - lengthAt - Integer.BYTES);
    }
}
