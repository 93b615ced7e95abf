package dev.paralleltask.runtime.internal.wire;

import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;

/** A Serializable record's accessors and canonical constructor. */
final class RecordShape {
    private final Method[] accessors;
    private final Constructor<?> constructor;

    private RecordShape(Method[] accessors, Constructor<?> constructor) {
        this.accessors = accessors;
        this.constructor = constructor;
    }

    /** The shape, or null if the record is not Serializable or its parts are out of reach. */
    static RecordShape of(Class<?> type) {
        if (!type.isRecord() || !Serializable.class.isAssignableFrom(type)) {
            return null;
        }
        RecordComponent[] parts = type.getRecordComponents();
        Method[] accessors = new Method[parts.length];
        Class<?>[] types = new Class<?>[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                accessors[i] = parts[i].getAccessor();
                accessors[i].setAccessible(true);
                types[i] = parts[i].getType();
            }
            Constructor<?> constructor = type.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return new RecordShape(accessors, constructor);
        } catch (NoSuchMethodException | RuntimeException e) {
            return null; // in a module that does not open it, say: serialization may still
            // reach it
        }
    }

    int size() {
        return accessors.length;
    }

    Object[] components(Object record) throws ReflectiveOperationException {
        Object[] values = new Object[accessors.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = accessors[i].invoke(record);
        }
        return values;
    }

    Object build(Object[] components) throws ReflectiveOperationException {
        return constructor.newInstance(components);
    }
}
