package dev.paralleltask.runtime.internal.worker;

import dev.paralleltask.runtime.internal.TaskInvoker;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.wire.CallCodec;
import java.util.List;

/**
 * Where an actor's object lives in its JVM. The actor's pool calls {@link #INSTALL} on each new JVM
 * before it takes other calls, with the initial state as the caller encoded it once. The actor's
 * calls then carry no target (a null costs one byte, where a marker would cost a class lookup per
 * call), and the worker runs them on that object: only the actor's own calls reach its JVM, so a
 * call without a target there is the actor's.
 */
public final class ActorHome implements TaskInvoker {
    /** Puts the actor's object in this JVM: its one argument is the encoded initial state. */
    public static final TaskMethod INSTALL =
            new TaskMethod(
                    new ActorHome(), 0, "TaskExecutor.actor(C)", List.of("initialState"), 0, 0);

    /** Set by the install call, before the worker takes any call that reads it. */
    private static volatile Object object;

    @Override
    public Object invoke(int method, Object target, Object[] args) throws Throwable {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        object =
                CallCodec.decodeValue(
                        (byte[]) args[0],
                        0,
                        context != null ? context : ActorHome.class.getClassLoader());
        return null;
    }

    /**
     * The object a call runs on: the one it carried, or, for a call that carried none, the actor's
     * when one lives here (a static method ignores it).
     */
    static Object target(Object decoded) {
        return decoded != null ? decoded : object;
    }
}
