package dev.paralleltask.runtime;

/**
 * An argument, the target object, or the result of a call could not cross between processes: it
 * could not be serialized, or not rebuilt on the other side. The message names which one. Only that
 * call fails; the worker goes on.
 */
public final class TaskSerializationException extends TaskException {
    private static final long serialVersionUID = 1L;

    TaskSerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
