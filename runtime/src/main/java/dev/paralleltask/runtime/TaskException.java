package dev.paralleltask.runtime;

/**
 * Why a call failed other than by its task's own exception; arrives as the cause of the {@link
 * java.util.concurrent.ExecutionException} thrown by {@link TaskFuture#get()}.
 *
 * <ul>
 *   <li>{@link TaskTimeoutException}: the call ran past its timeout and its worker was killed;
 *   <li>{@link WorkerCrashedException}: the worker died under the call;
 *   <li>{@link WorkerStartException}: no worker could be started to run the call;
 *   <li>{@link TaskSerializationException}: an argument or the result could not cross the channel;
 *   <li>{@link RemoteTaskException}: the task threw an exception that could not be sent back as
 *       itself;
 *   <li>{@link ActorDiedException}: the call was made on an actor that died with no restart left.
 * </ul>
 */
public abstract sealed class TaskException extends RuntimeException
        permits TaskTimeoutException,
                WorkerCrashedException,
                WorkerStartException,
                TaskSerializationException,
                RemoteTaskException,
                ActorDiedException {
    private static final long serialVersionUID = 1L;

    TaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
