package dev.paralleltask.runtime.internal.spi;

import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.wire.ClassAdmission;
import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * Which classes a worker's answer may instantiate in the caller: the caller's defence against a
 * worker that was compromised by what its task parsed, and now sends bytes of its choosing.
 *
 * <ul>
 *   <li>the runtime's own values: strings, boxes, {@code BigInteger} and {@code BigDecimal}, enums,
 *       {@code java.time} values, the JDK's common collections and comparators;
 *   <li>the classes the method's signature names for its result (its type arguments included),
 *       their subclasses unless the type is too broad to mean anything ({@code Object}, {@code
 *       Serializable}, {@code List}...), and, recursively, the classes their fields are declared
 *       with;
 *   <li>for a failure, any {@code Throwable}, with the classes its fields are declared with;
 *   <li>what the user allows, as {@link ObjectInputFilter} patterns ({@code com.acme.**}).
 * </ul>
 *
 * Anything else is refused before any of its code runs, so a gadget chain (a {@code PriorityQueue}
 * with a hostile comparator, a {@code HashMap} keyed by a {@code URL}) never starts. Depth,
 * references and array lengths are limited too.
 */
public final class AnswerAdmission {
    private static final Set<String> RUNTIME_VALUES =
            Set.of(
                    "java.lang.Object", // as Object[], which collections check before filling one
                    "java.lang.String",
                    "dev.paralleltask.shared.SharedHandle", // checked before it maps anything
                    "java.lang.Boolean",
                    "java.lang.Character",
                    "java.lang.Byte",
                    "java.lang.Short",
                    "java.lang.Integer",
                    "java.lang.Long",
                    "java.lang.Float",
                    "java.lang.Double",
                    "java.lang.Number",
                    "java.lang.StackTraceElement",
                    "java.lang.String$CaseInsensitiveComparator",
                    "java.math.BigInteger",
                    "java.math.BigDecimal",
                    "java.util.ArrayList",
                    "java.util.LinkedList",
                    "java.util.ArrayDeque",
                    "java.util.HashMap",
                    "java.util.LinkedHashMap",
                    "java.util.TreeMap",
                    "java.util.IdentityHashMap",
                    "java.util.EnumMap",
                    "java.util.HashSet",
                    "java.util.LinkedHashSet",
                    "java.util.TreeSet",
                    "java.util.EnumSet$SerializationProxy",
                    "java.util.BitSet",
                    "java.util.UUID",
                    "java.util.Date",
                    "java.util.Locale",
                    "java.util.CollSer",
                    "java.util.Arrays$ArrayList",
                    "java.util.concurrent.ConcurrentHashMap",
                    "java.util.concurrent.ConcurrentHashMap$Segment",
                    "java.util.concurrent.CopyOnWriteArrayList",
                    "java.net.URI",
                    "java.io.File");

    /** Nested classes of the JDK that only ever hold other values: views, immutables, orders. */
    private static final List<String> RUNTIME_VALUE_PREFIXES =
            List.of(
                    "java.util.ImmutableCollections$",
                    "java.util.Collections$",
                    "java.util.Comparators$",
                    "java.time.");

    /**
     * Declared types that say nothing about what a value may be: no subclass is let in for them.
     */
    private static final Set<Class<?>> TOO_BROAD =
            Set.of(
                    Object.class,
                    Serializable.class,
                    Cloneable.class,
                    Comparable.class,
                    CharSequence.class,
                    Iterable.class,
                    Collection.class,
                    List.class,
                    Set.class,
                    SortedSet.class,
                    NavigableSet.class,
                    Queue.class,
                    Deque.class,
                    Map.class,
                    SortedMap.class,
                    NavigableMap.class,
                    Number.class,
                    Record.class,
                    Enum.class);

    /** For each class, the classes its instance fields are declared with, transitively. */
    private static final ClassValue<Set<Class<?>>> FIELD_CLASSES =
            new ClassValue<>() {
                @Override
                protected Set<Class<?>> computeValue(Class<?> type) {
                    return fieldClosure(type);
                }
            };

    private final ObjectInputFilter allowed;

    /**
     * @param allowedPatterns what the user allows beyond the signatures, as {@link
     *     ObjectInputFilter.Config#createFilter} patterns: {@code com.acme.Model}, {@code
     *     com.acme.*}, {@code com.acme.**}
     * @throws IllegalArgumentException naming a pattern that is not one
     */
    public AnswerAdmission(List<String> allowedPatterns) {
        for (String pattern : allowedPatterns) {
            Objects.requireNonNull(pattern, "allowClasses element");
            if (pattern.isBlank()
                    || pattern.contains(";")
                    || pattern.startsWith("!")
                    || pattern.contains("=")) {
                throw new IllegalArgumentException(
                        "allowClasses takes class names and patterns such as com.acme.Model, com.acme.*"
                                + " or com.acme.**, was '"
                                + pattern
                                + "'");
            }
        }
        this.allowed =
                allowedPatterns.isEmpty()
                        ? null
                        : ObjectInputFilter.Config.createFilter(String.join(";", allowedPatterns));
    }

    /** What the result of a call of {@code method} may instantiate; one per answer read. */
    public ClassAdmission forResult(TaskMethod method) {
        return forTypes(method.answerTypes());
    }

    /**
     * What a value declared as one of {@code types} may instantiate, as for a result: the runtime's
     * values, those types, their subclasses and their fields' classes. One per value.
     */
    public ClassAdmission forTypes(List<Class<?>> types) {
        return new Admission(types, false);
    }

    /**
     * What a task's failure may instantiate; one per answer read. Any throwable, whatever the
     * method declares: a task may throw any unchecked exception.
     */
    public ClassAdmission forFailure() {
        return new Admission(List.of(), true);
    }

    /** One answer's admission: it learns the classes the fields of what it admitted may hold. */
    private final class Admission implements ClassAdmission {
        private final boolean failure;

        /** The signature's classes, anchored at the first class that is not a runtime value. */
        private List<Class<?>> roots;

        /** Classes values may be instances of, or of a subclass of. */
        private final List<Class<?>> anchors = new ArrayList<>();

        private final Set<Class<?>> anchored = new HashSet<>();

        Admission(List<Class<?>> roots, boolean failure) {
            this.failure = failure;
            this.roots = roots;
        }

        @Override
        public boolean admits(Class<?> type) {
            if (type.isPrimitive()
                    || Enum.class.isAssignableFrom(type)
                    || isRuntimeValue(type.getName())) {
                return true;
            }
            if (roots != null) { // most answers are runtime values only: they never get here
                roots.forEach(this::anchor);
                roots = null;
            }
            boolean admitted =
                    anchored.contains(type)
                            || anchors.stream().anyMatch(a -> a.isAssignableFrom(type))
                            || (failure && Throwable.class.isAssignableFrom(type))
                            || (allowed != null
                                    && allowed.checkInput(new ClassInfo(type))
                                            == ObjectInputFilter.Status.ALLOWED);
            if (admitted) {
                anchor(type);
            }
            return admitted;
        }

        private void anchor(Class<?> type) {
            if (!anchored.add(type)) {
                return;
            }
            if (!TOO_BROAD.contains(type)) {
                anchors.add(type);
            }
            for (Class<?> held : FIELD_CLASSES.get(type)) {
                if (anchored.add(held) && !TOO_BROAD.contains(held)) {
                    anchors.add(held);
                }
            }
        }
    }

    private static boolean isRuntimeValue(String name) {
        return RUNTIME_VALUES.contains(name)
                || RUNTIME_VALUE_PREFIXES.stream().anyMatch(name::startsWith);
    }

    private static Set<Class<?>> fieldClosure(Class<?> root) {
        Set<Class<?>> seen = new HashSet<>();
        Deque<Class<?>> work = new ArrayDeque<>(List.of(root));
        while (!work.isEmpty()) {
            Class<?> type = work.pop();
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                Field[] fields;
                try {
                    fields = c.getDeclaredFields();
                } catch (LinkageError e) {
                    continue; // a field's type is missing here: no value of it can arrive either
                }
                for (Field f : fields) {
                    int modifiers = f.getModifiers();
                    if (Modifier.isStatic(modifiers) || Modifier.isTransient(modifiers)) {
                        continue;
                    }
                    List<Class<?>> held = new ArrayList<>();
                    classesOf(f.getGenericType(), held, new HashSet<>());
                    for (Class<?> h : held) {
                        if (seen.add(h)) {
                            work.push(h);
                        }
                    }
                }
            }
        }
        seen.remove(root);
        return Set.copyOf(seen);
    }

    /** The classes a generic type names: itself erased, its arguments, bounds and components. */
    private static void classesOf(Type type, List<Class<?>> into, Set<Type> visiting) {
        if (!visiting.add(type)) {
            return;
        }
        if (type instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (!c.isPrimitive()) {
                into.add(c);
            }
        } else if (type instanceof ParameterizedType p) {
            classesOf(p.getRawType(), into, visiting);
            for (Type argument : p.getActualTypeArguments()) {
                classesOf(argument, into, visiting);
            }
        } else if (type instanceof GenericArrayType a) {
            classesOf(a.getGenericComponentType(), into, visiting);
        } else if (type instanceof WildcardType w) {
            for (Type bound : w.getUpperBounds()) {
                classesOf(bound, into, visiting);
            }
        } else if (type instanceof TypeVariable<?> v) {
            for (Type bound : v.getBounds()) {
                classesOf(bound, into, visiting);
            }
        }
    }

    /** A class put to the user's patterns as ObjectInputStream would put it. */
    private record ClassInfo(Class<?> serialClass) implements ObjectInputFilter.FilterInfo {
        @Override
        public long arrayLength() {
            return -1;
        }

        @Override
        public long depth() {
            return 1;
        }

        @Override
        public long references() {
            return 1;
        }

        @Override
        public long streamBytes() {
            return 0;
        }
    }
}
