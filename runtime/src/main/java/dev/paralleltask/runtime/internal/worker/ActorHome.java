package dev.paralleltask.runtime.internal.worker;

import dev.paralleltask.runtime.internal.TaskInvoker;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.wire.CallCodec;
import java.util.List;

/**
 * Where an actor's object lives in its JVM. The actor's pool calls {@link #INSTALL} on each new JVM
 * before it takes other calls, with the initial state as the caller encoded it once; every call of
 * the actor then names {@link #HERE} as its target, and the worker runs it on that object.
 */
public final class ActorHome implements TaskInvoker {
    /** The target of an actor's calls: the object that lives in the worker. */
    public record Here() implements java.io.Serializable {}

    public static final Here HERE = new Here();

    /** Puts the actor's object in this JVM: its one argument is the encoded initial state. */
    public static final TaskMethod INSTALL =
            new TaskMethod(
                    new ActorHome(), 0, "the actor's initial state", List.of("initialState"), 0, 0);

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

    /** The object a call runs on: the actor's for {@link #HERE}, else the one it carried. */
    static Object target(Object decoded) {
        if (!(decoded instanceof Here)) {
            return decoded;
        }
        Object here = object;
        if (here == null) {
            throw new IllegalStateException("no actor lives in this worker");
        }
        return here;
    }
}
