package dev.paralleltask.runtime.internal.spi;

import dev.paralleltask.runtime.TaskSerializationException;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.wire.CallCodec;
import dev.paralleltask.runtime.internal.wire.ClassAdmission;
import dev.paralleltask.runtime.internal.wire.Frame;
import dev.paralleltask.runtime.internal.wire.ThrowableCodec;
import dev.paralleltask.runtime.internal.wire.ValueCodingException;
import dev.paralleltask.runtime.internal.wire.WireLimitException;
import dev.paralleltask.runtime.internal.worker.ActorHome;

/**
 * Calls into bytes on the caller's thread, and a worker's answer back into a value or a failure,
 * the same way for every executor.
 */
public final class CallCoding {
    private CallCoding() {}

    /**
     * What an answer says: a value, or a failure to complete the future with. {@code unfit} when
     * the worker that sent it should not go on: its task hit a JVM error, or the answer's bytes
     * broke a limit no honest worker breaks ({@link WireLimitException}), so it may be compromised.
     */
    public record Outcome(Object value, Throwable failure, boolean unfit) {}

    /**
     * Encodes a call: a snapshot of the target and arguments as they are now.
     *
     * @throws TaskSerializationException naming the argument or target that cannot be sent
     */
    public static CallCodec.Encoded encode(TaskMethod method, Object target, Object[] args) {
        try {
            return CallCodec.encode(method.invokerClassName(), method.index(), target, args);
        } catch (ValueCodingException e) {
            throw Failures.unencodable(method, e);
        }
    }

    /**
     * Encodes an actor's initial state on its own, as an argument is encoded (large arrays go to
     * files, which the caller removes once the actor has ended).
     *
     * @throws TaskSerializationException naming {@code initialState} if it cannot be sent
     */
    public static CallCodec.Encoded encodeActorState(Object state) {
        try {
            return CallCodec.encodeValue(0, state);
        } catch (ValueCodingException e) {
            throw Failures.unencodable(ActorHome.INSTALL, e);
        }
    }

    /**
     * Decodes a worker's answer to a call of {@code method}, building only classes that {@code
     * admission} admits. Never throws: whatever goes wrong while rebuilding the value here, an
     * {@link Error} included (a {@code readObject} that overflows the stack or runs out of memory,
     * a class whose initializer fails in this JVM), is the call's {@link
     * TaskSerializationException}, and only that call's.
     */
    public static Outcome decode(
            TaskMethod method, Frame.Answer answer, ClassLoader loader, AnswerAdmission admission) {
        if (answer instanceof Frame.Result r) {
            try {
                return new Outcome(
                        CallCodec.decodeResult(r.body(), loader, admission.forResult(method)),
                        null,
                        false);
            } catch (ValueCodingException e) {
                if (e.getCause() instanceof WireLimitException forged) {
                    return new Outcome(null, Failures.forgedResult(method, forged), true);
                }
                return new Outcome(
                        null,
                        e.getCause() instanceof ClassAdmission.RefusedClassException refused
                                ? Failures.refusedResult(method, refused.classname)
                                : Failures.unreadableResult(method, e),
                        false);
            } catch (RuntimeException | Error e) {
                return new Outcome(null, Failures.unreadableResult(method, e), false);
            }
        }
        if (answer instanceof Frame.Failure f) {
            return new Outcome(null, decodeFailure(f, loader, admission), f.fatal());
        }
        Frame.Unsendable u = (Frame.Unsendable) answer;
        Throwable cause =
                u.cause().length == 0
                        ? null
                        : decodeFailure(
                                new Frame.Failure(u.id(), false, u.cause()), loader, admission);
        return new Outcome(
                null, Failures.unsendable(method, u.position(), u.message(), cause), false);
    }

    /**
     * What the task threw: itself when it can be rebuilt here from admitted classes, else its
     * description.
     */
    public static Throwable decodeFailure(
            Frame.Failure failure, ClassLoader loader, AnswerAdmission admission) {
        ThrowableCodec.Decoded decoded;
        try {
            decoded = ThrowableCodec.decode(failure.body(), loader, admission.forFailure());
        } catch (Exception | Error e) {
            return Failures.unreadableFailure(e);
        }
        return decoded.thrown() != null ? decoded.thrown() : Failures.remote(decoded.chain());
    }
}
