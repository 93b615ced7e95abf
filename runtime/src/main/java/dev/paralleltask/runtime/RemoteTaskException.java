package dev.paralleltask.runtime;

/**
 * What a task threw, when that exception could not be sent back as itself (it, or its cause, is not
 * serializable, or its class is missing in the caller's JVM). It carries the remote class name,
 * message and stack trace; the remote cause chain follows as further {@code RemoteTaskException}s.
 */
public final class RemoteTaskException extends TaskException {
    private static final long serialVersionUID = 1L;

    private final String remoteClassName;
    private final String remoteMessage;

    RemoteTaskException(
            String remoteClassName,
            String remoteMessage,
            StackTraceElement[] remoteStackTrace,
            RemoteTaskException cause) {
        super(
                remoteMessage == null ? remoteClassName : remoteClassName + ": " + remoteMessage,
                cause);
        this.remoteClassName = remoteClassName;
        this.remoteMessage = remoteMessage;
        setStackTrace(remoteStackTrace);
    }

    /** The binary name of the exception's class in the worker. */
    public String remoteClassName() {
        return remoteClassName;
    }

    /** The exception's message in the worker; may be null. */
    public String remoteMessage() {
        return remoteMessage;
    }
}
