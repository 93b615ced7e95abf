package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.internal.shared.LargeArrays;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files of the large arrays that a pool's calls carry: kept while a call may still run (a retry
 * reads them again), let go as it is done, however it is done, and whatever is left when the pool
 * terminates, before it says it has.
 */
final class CallFiles {
    private final Set<Path> kept = ConcurrentHashMap.newKeySet();
    private volatile boolean ended;

    /** Keeps a call's files until its future is done. */
    void keep(List<Path> files, TaskFuture<?> call) {
        kept.addAll(files);
        CallFutures.whenDone(call, () -> discard(files));
        if (ended) {
            discard(files); // the pool ended as the call was made: its sweep came before these
        }
    }

    /** The pool has terminated: lets go of every file still kept. */
    void discardAll() {
        ended = true;
        discard(List.copyOf(kept));
    }

    private void discard(List<Path> files) {
        for (Path file : files) {
            if (kept.remove(file)) {
                LargeArrays.discard(file);
            }
        }
    }
}
