package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.spi.CallCoding;
import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.wire.CallCodec;
import dev.paralleltask.runtime.internal.wire.ClassAdmission;
import dev.paralleltask.runtime.internal.wire.ThrowableCodec;
import dev.paralleltask.runtime.internal.wire.ValueCodingException;
import dev.paralleltask.runtime.internal.worker.ActorHome;
import java.io.IOException;

/**
 * A {@link ThreadPool} call's values copied through the codec, as a {@link ProcessPool}'s trip to a
 * worker and back copies them: the target and arguments as they were when the call was made, and a
 * result or exception that is not the object the task holds.
 */
final class ValueCopies {
    private ValueCopies() {}

    /**
     * Runs the call on copies of its values, and returns a copy of its result; on {@code object}
     * itself, not the copy of a target, unless it is null.
     */
    static Object invoke(TaskMethod method, byte[] body, Object object) throws Throwable {
        ClassLoader loader = method.invoker().getClass().getClassLoader();
        CallCodec.DecodedCall call;
        try {
            call = CallCodec.decode(body, loader, false);
        } catch (ValueCodingException e) {
            throw Failures.unsendable(
                    method, e.position(), "could not be rebuilt: " + e.getMessage());
        }
        Object result;
        try {
            result =
                    method.invoker()
                            .invoke(
                                    method.index(),
                                    object != null ? object : call.target(),
                                    call.args());
        } catch (Throwable t) {
            throw copy(t, loader);
        }
        try {
            return CallCodec.decodeResult(
                    CallCodec.encodeResult(result), loader, ClassAdmission.ANY);
        } catch (ValueCodingException
                | RuntimeException
                | StackOverflowError
                | OutOfMemoryError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw Failures.unsendable(
                    method,
                    ValueCodingException.RESULT,
                    "could not be serialized: " + cause,
                    cause);
        }
    }

    /**
     * A copy of an actor's initial state, as a process pool's actor would get it.
     *
     * @throws TaskSerializationException if it cannot be copied
     */
    static Object copyState(Object state) {
        ClassLoader loader =
                state == null
                        ? ValueCopies.class.getClassLoader()
                        : state.getClass().getClassLoader();
        try {
            return CallCodec.decodeResult(
                    CallCoding.encodeActorState(state).body(),
                    loader != null ? loader : ClassLoader.getSystemClassLoader(),
                    ClassAdmission.ANY);
        } catch (ValueCodingException e) { // the copy could not be rebuilt
            throw Failures.unencodable(ActorHome.INSTALL, e);
        }
    }

    private static Throwable copy(Throwable thrown, ClassLoader loader) {
        try {
            ThrowableCodec.Decoded decoded =
                    ThrowableCodec.decode(
                            ThrowableCodec.encode(thrown), loader, ClassAdmission.ANY);
            return decoded.thrown() != null ? decoded.thrown() : Failures.remote(decoded.chain());
        } catch (IOException e) {
            return thrown;
        }
    }
}
