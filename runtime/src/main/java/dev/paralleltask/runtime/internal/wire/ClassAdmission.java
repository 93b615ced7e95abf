package dev.paralleltask.runtime.internal.wire;

import java.io.InvalidClassException;
import java.io.ObjectInputFilter;

/**
 * Which classes a value being read may instantiate. The parent reads what workers send through one,
 * so a compromised worker cannot make it build objects of any class on its classpath (the gadget
 * chains that JEP 290 filters exist for); a worker reads its calls with {@link #ANY}, since its
 * parent is trusted.
 */
@FunctionalInterface
public interface ClassAdmission {
    /** Admits every class: for what the parent sends a worker. */
    ClassAdmission ANY = type -> true;

    /**
     * Whether a value of {@code type} may be built. Called with the class loaded but not
     * initialized, before any of its code runs; array types are asked as their element type.
     */
    boolean admits(Class<?> type);

    /** A class a value needed was refused; its message names the class. */
    final class RefusedClassException extends InvalidClassException {
        private static final long serialVersionUID = 1L;

        public RefusedClassException(String className) {
            super(className, "refused: not a class the caller accepts from a worker");
        }
    }

    /**
     * The same admission for JDK serialization, with limits on depth, references and array length
     * (an array cannot have more elements than the bytes that hold it).
     */
    static ObjectInputFilter asFilter(
            ClassAdmission admission, long streamLength, String[] refused) {
        return info -> {
            Class<?> type = info.serialClass();
            if (info.depth() > MAX_DEPTH
                    || info.references() > MAX_REFERENCES
                    || (info.arrayLength() > 0
                            && info.arrayLength() * elementBytes(type) > streamLength)) {
                return ObjectInputFilter.Status.REJECTED; // before the array is allocated
            }
            if (type == null) {
                return ObjectInputFilter.Status.UNDECIDED;
            }
            while (type.isArray()) {
                type = type.getComponentType();
            }
            if (type.isPrimitive() || admission.admits(type)) {
                return ObjectInputFilter.Status.ALLOWED;
            }
            refused[0] = type.getName();
            return ObjectInputFilter.Status.REJECTED;
        };
    }

    /**
     * The fewest bytes an element of an array of {@code type} takes in a stream: a primitive's
     * width, one byte for a reference (a null).
     */
    private static long elementBytes(Class<?> type) {
        Class<?> element = type == null ? null : type.getComponentType();
        if (element == null || !element.isPrimitive()) {
            return 1;
        }
        return element == long.class || element == double.class
                ? 8
                : element == int.class || element == float.class
                        ? 4
                        : element == short.class || element == char.class ? 2 : 1;
    }

    /**
     * Serialized nesting deeper than this is refused before it is read. Reading 600-700 nested
     * lists overflows a thread's default stack of 1 MiB; 500 leaves room on any thread, and a
     * pool's answer readers have 8 MiB.
     */
    int MAX_DEPTH = 500;

    int MAX_REFERENCES = 10_000_000;
}
