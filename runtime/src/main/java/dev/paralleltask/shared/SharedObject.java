package dev.paralleltask.shared;

import dev.paralleltask.runtime.internal.shared.Doorbell;
import dev.paralleltask.runtime.internal.shared.Locality;
import dev.paralleltask.runtime.internal.shared.SharedFile;
import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import dev.paralleltask.runtime.internal.wire.ByteSource;
import dev.paralleltask.runtime.internal.wire.ClassAdmission;
import dev.paralleltask.runtime.internal.wire.ValueCodec;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every shared object is: memory in a {@link SharedFile} that each process using the object
 * maps, and a handle (its file's path) that travels in its place, so passing one to a task sends
 * neither its contents nor a copy.
 */
abstract sealed class SharedObject implements AutoCloseable, Serializable
        permits SharedArray,
                SharedLock,
                SharedSemaphore,
                SharedEvent,
                SharedQueue,
                SharedCountDownLatch,
                SharedCyclicBarrier,
                SharedValue,
                SharedMap {
    private static final long serialVersionUID = 1L;

    /**
     * The objects this process has made or mapped, by path: a handle that arrives again resolves to
     * the same object and mapping. Objects closed anywhere leave when the next handle arrives.
     */
    private static final Map<Path, SharedObject> OPEN = new ConcurrentHashMap<>();

    final transient SharedFile file;

    /**
     * The classes its values may be instances of beyond the runtime's own (a queue's element
     * classes, a map's value classes, a value's class), which its handle names; none by default.
     */
    private final transient List<Class<?>> classes;

    SharedObject(SharedFile file) {
        this(file, List.of());
    }

    SharedObject(SharedFile file, List<Class<?>> classes) {
        this.file = file;
        this.classes = List.copyOf(classes);
        OPEN.put(file.path(), this);
    }

    /** This object's kind, as its file and handle record it. */
    abstract int kind();

    /** The classes a handle names beside the path. */
    final List<String> classNames() {
        return classes.stream().map(Class::getName).toList();
    }

    /**
     * Frees the object for every process that uses it: its file is removed at once and its memory
     * goes once no process maps it; any use of it after that, here or in a worker, throws {@link
     * IllegalStateException}. Close it where you made it, once no task needs it. Idempotent.
     */
    @Override
    public void close() {
        file.close();
        Doorbell.ring(file); // its waiters find it closed
        OPEN.remove(file.path());
    }

    /** Whether it has been closed, by this process or another. */
    public boolean isClosed() {
        return file.isClosed();
    }

    final void ensureOpen() {
        if (file.isClosed()) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + file.path() + "]";
    }

    /** In a stream the object is its handle: its kind and its file's path, never its contents. */
    final Object writeReplace() throws ObjectStreamException {
        String destination = Locality.destination();
        if (destination != null) {
            throw new NotSerializableException(
                    getClass().getSimpleName()
                            + " cannot go to "
                            + destination
                            + ": a shared object lives in the memory of one machine; pass what"
                            + " it holds instead, or run the call on a ProcessPool or ThreadPool");
        }
        if (file.isClosed()) {
            throw new NotSerializableException(this + " is closed and cannot be passed on");
        }
        return new SharedHandle(kind(), file.path().toString(), classNames());
    }

    /** What the values in shared objects may be: the runtime's, and the classes each names. */
    private static final AnswerAdmission ADMISSION = new AnswerAdmission(List.of());

    /**
     * The classes a handle names, loaded in this process.
     *
     * @param whose what they are the classes of, for the message: "the elements of a SharedQueue"
     */
    static List<Class<?>> classesNamed(List<String> names, String whose)
            throws InvalidObjectException {
        List<Class<?>> classes = new ArrayList<>();
        for (String name : names) {
            try {
                classes.add(Class.forName(name, false, loader()));
            } catch (ClassNotFoundException e) {
                throw new InvalidObjectException(whose + " may be " + name + ", which is not here");
            }
        }
        return classes;
    }

    /**
     * Rebuilds a value another process encoded, maybe a compromised worker, as a call's result is
     * rebuilt: the runtime's values, and this object's classes with their subclasses and their
     * fields' classes.
     *
     * @param what the value, for messages: "an element of SharedQueue[...]"
     * @param refused what a message about a refused class goes on to say
     * @throws IllegalStateException if it holds a class not admitted, or cannot be rebuilt here
     */
    final Object rebuild(ByteSource in, String what, String refused) {
        try {
            return ValueCodec.read(in, loader(), ADMISSION.forTypes(classes));
        } catch (ClassAdmission.RefusedClassException e) {
            throw new IllegalStateException(what + " is a " + e.classname + ", " + refused, e);
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException(what + " cannot be rebuilt here: " + e, e);
        }
    }

    /** Where the classes of rebuilt values come from: the thread's context, else the runtime's. */
    static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : SharedObject.class.getClassLoader();
    }

    /** The object a handle names: the one this process has, else its file mapped now. */
    static SharedObject resolve(SharedHandle handle) throws InvalidObjectException {
        OPEN.values().removeIf(SharedObject::isClosed);
        Path path = Path.of(handle.path());
        SharedObject known = OPEN.get(path);
        if (known != null && known.kind() == handle.kind()) {
            return known;
        }
        return switch (handle.kind()) {
            case SharedLongArray.KIND ->
                    new SharedLongArray(SharedFile.open(path, handle.kind(), "SharedLongArray"));
            case SharedDoubleArray.KIND ->
                    new SharedDoubleArray(
                            SharedFile.open(path, handle.kind(), "SharedDoubleArray"));
            case SharedByteArray.KIND ->
                    new SharedByteArray(SharedFile.open(path, handle.kind(), "SharedByteArray"));
            case SharedLock.KIND ->
                    new SharedLock(SharedFile.open(path, handle.kind(), "SharedLock"));
            case SharedSemaphore.KIND ->
                    new SharedSemaphore(SharedFile.open(path, handle.kind(), "SharedSemaphore"));
            case SharedEvent.KIND ->
                    new SharedEvent(SharedFile.open(path, handle.kind(), "SharedEvent"));
            case SharedCountDownLatch.KIND ->
                    new SharedCountDownLatch(
                            SharedFile.open(path, handle.kind(), "SharedCountDownLatch"));
            case SharedCyclicBarrier.KIND ->
                    new SharedCyclicBarrier(
                            SharedFile.open(path, handle.kind(), "SharedCyclicBarrier"));
            case SharedMap.KIND ->
                    SharedMap.opened(
                            SharedFile.open(path, handle.kind(), "SharedMap"), handle.classNames());
            case SharedValue.KIND ->
                    SharedValue.opened(
                            SharedFile.open(path, handle.kind(), "SharedValue"),
                            handle.classNames());
            case SharedQueue.KIND ->
                    SharedQueue.opened(
                            SharedFile.open(path, handle.kind(), "SharedQueue"),
                            handle.classNames());
            default ->
                    throw new InvalidObjectException("no shared object of kind " + handle.kind());
        };
    }
}
