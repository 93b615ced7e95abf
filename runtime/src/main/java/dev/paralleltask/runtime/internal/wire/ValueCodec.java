package dev.paralleltask.runtime.internal.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.StreamCorruptedException;
import java.nio.charset.StandardCharsets;

/**
 * Encodes one value: the common types compactly, anything else with JDK serialization.
 *
 * <p>Compact encodings keep the exact class: an {@code Integer} comes back as an {@code Integer}, an
 * {@code int[]} as an {@code int[]}. Subclasses and everything else go through {@link
 * ObjectOutputStream}, one stream per value, so a failure names one value and a value never
 * shares back-references with another.
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

    private ValueCodec() {}

    /**
     * Appends {@code value} to {@code out}.
     *
     * @throws IOException if the value, or something it holds, cannot be serialized
     */
    public static void write(ByteSink out, Object value) throws IOException {
        if (value == null) {
            out.writeByte(NULL);
            return;
        }
        Class<?> type = value.getClass();
        if (type == Integer.class) {
            out.writeByte(INT);
            out.writeInt((Integer) value);
        } else if (type == Long.class) {
            out.writeByte(LONG);
            out.writeLong((Long) value);
        } else if (type == String.class) {
            byte[] utf8 = ((String) value).getBytes(StandardCharsets.UTF_8);
            out.writeByte(STRING);
            out.writeInt(utf8.length);
            out.write(utf8, 0, utf8.length);
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
        } else {
            writeSerialized(out, value);
        }
    }

    /**
     * Reads the next value from {@code in}, resolving serialized classes through {@code loader}.
     *
     * @throws IOException if the bytes are malformed or a serialized object cannot be rebuilt
     * @throws ClassNotFoundException if a serialized object's class is missing here
     */
    public static Object read(ByteSource in, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        byte tag = (byte) in.readByte();
        switch (tag) {
            case NULL:
                return null;
            case INT:
                return in.readInt();
            case LONG:
                return in.readLong();
            case STRING:
                return in.readString(in.readLength());
            case DOUBLE:
                return Double.longBitsToDouble(in.readLong());
            case BOOLEAN:
                return in.readByte() != 0;
            case BYTE_ARRAY:
                return in.readBytes(in.readLength());
            case INT_ARRAY:
                {
                    int[] a = new int[in.readInt()];
                    in.take(Math.multiplyExact(a.length, Integer.BYTES)).asIntBuffer().get(a);
                    return a;
                }
            case LONG_ARRAY:
                {
                    long[] a = new long[in.readInt()];
                    in.take(Math.multiplyExact(a.length, Long.BYTES)).asLongBuffer().get(a);
                    return a;
                }
            case DOUBLE_ARRAY:
                {
                    double[] a = new double[in.readInt()];
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
            case SERIALIZED:
                try (ObjectInputStream ois = new LoaderObjectInputStream(in.slice(in.readLength()), loader)) {
                    return ois.readObject();
                }
            default:
                throw new StreamCorruptedException("unknown value tag " + tag);
        }
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

    /** Resolves classes through a given loader rather than the caller's. */
    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc)
                throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc); // primitives and the platform's own classes
            }
        }
    }
}
