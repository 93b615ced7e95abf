package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.internal.TaskMethod;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The invoker classes of the calls a pool was given, for a spare worker to load as it warms up
 * ({@link dev.paralleltask.runtime.internal.worker.WarmUp}).
 */
final class InvokerNames {
    private final Set<String> names = ConcurrentHashMap.newKeySet();

    /**
     * The name last added: most calls repeat it, and so cost one comparison of a name the class
     * keeps, not a look into the set.
     */
    private volatile String last;

    void note(TaskMethod method) {
        String invoker = method.invokerClassName();
        if (invoker != last) {
            names.add(invoker);
            last = invoker;
        }
    }

    List<String> all() {
        return List.copyOf(names);
    }
}
