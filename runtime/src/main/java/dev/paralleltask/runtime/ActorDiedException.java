package dev.paralleltask.runtime;

/**
 * A call on an {@link Actor} that died and had no restart left ({@link ActorOptions#restarts}): its
 * JVM died, and the failure that ended it is the cause. Every call made or queued after that fails
 * with this exception; the call that was running when the JVM died failed with {@link
 * WorkerCrashedException} (or its timeout, or its cancellation).
 */
public final class ActorDiedException extends TaskException {
    private static final long serialVersionUID = 1L;

    private final String actorName;

    ActorDiedException(String message, String actorName, Throwable cause) {
        super(message, cause);
        this.actorName = actorName;
    }

    /** The name of the actor that died. */
    public String actorName() {
        return actorName;
    }
}
