package dev.paralleltask.it;

import dev.paralleltask.ParallelTask;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;

/**
 * Results that serialize in the worker but cannot be rebuilt in the caller, each failing there with
 * an {@link Error}. Workers run with {@code -D}{@value #IN_WORKER}{@code =true}.
 */
public final class Unreadable {
    static final String IN_WORKER = "unreadable.in.worker";

    private Unreadable() {}

    static boolean inCaller() {
        return !Boolean.getBoolean(IN_WORKER);
    }

    /** Its readObject overflows the caller's stack. */
    public static final class Deep implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            if (inCaller()) {
                descend(0);
            }
        }

        private static int descend(int depth) {
            return descend(depth + 1) + 1;
        }
    }

    /** Its readObject asks the caller's JVM for more memory than an array can have. */
    public static final class Huge implements Serializable {
        private static final long serialVersionUID = 1L;
        transient long[] data;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            if (inCaller()) {
                data = new long[Integer.MAX_VALUE];
            }
        }
    }

    /** Its class cannot be initialized in the caller. */
    public static final class Unloadable implements Serializable {
        private static final long serialVersionUID = 1L;

        static {
            if (inCaller()) {
                throw new IllegalStateException("Unloadable is only for workers");
            }
        }
    }

    @ParallelTask
    public static Deep deep() {
        return new Deep();
    }

    @ParallelTask
    public static Huge huge() {
        return new Huge();
    }

    @ParallelTask
    public static Unloadable unloadable() {
        return new Unloadable();
    }

    @ParallelTask
    public static int answer() {
        return 42;
    }
}
