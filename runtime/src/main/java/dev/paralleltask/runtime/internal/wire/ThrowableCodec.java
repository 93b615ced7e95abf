package dev.paralleltask.runtime.internal.wire;

import java.io.IOException;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Encodes what a task threw into the body of a {@link Frame.Failure}.
 *
 * <p>The body holds the throwable itself, serialized, when that works, and always a plain
 * description of it (class names, messages and stack traces down the cause chain). The parent
 * rebuilds the throwable when it can, and otherwise builds an exception from the description; so a
 * task's failure is never lost because its exception cannot cross the channel.
 */
public final class ThrowableCodec {
    private static final int MAX_CAUSES = 32;

    private ThrowableCodec() {}

    /** One level of a cause chain, as plain data. */
    public record Level(String className, String message, StackTraceElement[] stackTrace) {}

    /**
     * What the parent decoded.
     *
     * @param thrown the throwable itself, or null when it could not be sent or rebuilt
     * @param chain the description: the throwable first, then its causes
     */
    public record Decoded(Throwable thrown, List<Level> chain) {}

    /** Whether {@code t} leaves the worker's JVM in a state no further task should run in. */
    public static boolean isFatal(Throwable t) {
        return t instanceof VirtualMachineError;
    }

    public static byte[] encode(Throwable thrown) {
        ByteSink out = new ByteSink(1024);
        try {
            ValueCodec.write(out, withMessageComputed(thrown));
        } catch (IOException | RuntimeException | StackOverflowError e) {
            out = new ByteSink(1024); // drop the partial value
            out.writeByte(0); // ValueCodec's null
        }
        List<Throwable> chain = chainOf(thrown);
        out.writeInt(chain.size());
        for (Throwable t : chain) {
            writeLevel(out, t.getClass().getName(), t.getMessage(), t.getStackTrace());
        }
        return out.toByteArray();
    }

    /**
     * Encodes where a thread is, as {@link #decode} reads a throwable's description: no
     * serialization, which in a worker just started costs tens of milliseconds, and a stack sent at
     * a call's deadline must not wait for that.
     */
    public static byte[] encodeStack(String what, StackTraceElement[] trace) {
        ByteSink out = new ByteSink(1024);
        out.writeByte(0); // ValueCodec's null: the description alone
        out.writeInt(1);
        writeLevel(out, Throwable.class.getName(), what, trace);
        return out.toByteArray();
    }

    private static void writeLevel(
            ByteSink out, String className, String message, StackTraceElement[] trace) {
        out.writeNullableString(className);
        out.writeNullableString(message);
        out.writeInt(trace.length);
        for (StackTraceElement e : trace) {
            out.writeNullableString(e.getClassLoaderName());
            out.writeNullableString(e.getModuleName());
            out.writeNullableString(e.getModuleVersion());
            out.writeNullableString(e.getClassName());
            out.writeNullableString(e.getMethodName());
            out.writeNullableString(e.getFileName());
            out.writeInt(e.getLineNumber());
        }
    }

    /**
     * Decodes a failure; the throwable itself is rebuilt only from classes {@code admission}
     * admits, else it is left to the description.
     */
    public static Decoded decode(byte[] body, ClassLoader loader, ClassAdmission admission)
            throws IOException {
        ByteSource in = new ByteSource(body);
        Throwable thrown;
        try {
            thrown = (Throwable) ValueCodec.read(in, loader, admission);
        } catch (Exception | Error e) {
            // The throwable's class is missing here, or it does not rebuild (its readObject or its
            // class's initializer fails, even with an Error): use the description.
            thrown = null;
            in = skipValue(body);
        }
        int levels = in.readInt();
        if (levels < 0 || levels > MAX_CAUSES) {
            throw new IOException("malformed failure: " + levels + " causes");
        }
        List<Level> chain = new ArrayList<>(levels);
        for (int i = 0; i < levels; i++) {
            String className = in.readNullableString();
            String message = in.readNullableString();
            // A frame is six strings (4 bytes each at least) and a line number.
            int depth = in.readCount(7 * Integer.BYTES, "stack frames");
            StackTraceElement[] trace = new StackTraceElement[depth];
            for (int j = 0; j < depth; j++) {
                String loaderName = in.readNullableString();
                String module = in.readNullableString();
                String moduleVersion = in.readNullableString();
                String declaringClass = in.readNullableString();
                String method = in.readNullableString();
                String file = in.readNullableString();
                if (declaringClass == null || method == null) {
                    throw new StreamCorruptedException(
                            "malformed failure: a stack frame with no class or method");
                }
                trace[j] =
                        new StackTraceElement(
                                loaderName,
                                module,
                                moduleVersion,
                                declaringClass,
                                method,
                                file,
                                in.readInt());
            }
            chain.add(new Level(className, message, trace));
        }
        return new Decoded(thrown, chain);
    }

    private static ByteSource skipValue(byte[] body) throws IOException {
        ByteSource in = new ByteSource(body);
        if (in.readByte() != 0) { // a serialized throwable the parent could not rebuild
            in.readBytes(in.readLength());
        }
        return in;
    }

    /**
     * A helpful {@link NullPointerException} computes its message only when asked, and JDK
     * serialization does not ask, so it would arrive as {@code NullPointerException: null}: send a
     * copy that holds the message, with the same stack trace, cause and suppressed exceptions.
     */
    private static Throwable withMessageComputed(Throwable thrown) {
        if (thrown.getClass() != NullPointerException.class || thrown.getMessage() == null) {
            return thrown;
        }
        NullPointerException copy = new NullPointerException(thrown.getMessage());
        copy.setStackTrace(thrown.getStackTrace());
        if (thrown.getCause() != null) {
            copy.initCause(thrown.getCause());
        }
        for (Throwable suppressed : thrown.getSuppressed()) {
            copy.addSuppressed(suppressed);
        }
        return copy;
    }

    private static List<Throwable> chainOf(Throwable thrown) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = thrown;
                t != null && chain.size() < MAX_CAUSES && seen.add(t);
                t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }
}
