package dev.paralleltask.it.docs;

import dev.paralleltask.ParallelTask;
import dev.paralleltask.shared.SharedLock;
import dev.paralleltask.shared.SharedLongArray;
import dev.paralleltask.shared.SharedMap;
import dev.paralleltask.shared.SharedQueue;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.Condition;

/** docs/sharing.md's condition, pipe and map: waiting for work, echoing, counting words. */
public class Board {
    @ParallelTask
    public static long awaitWork(SharedLock lock, SharedLongArray board)
            throws InterruptedException {
        Condition posted = lock.newCondition(); // the same condition as the caller's
        lock.lock();
        try {
            while (board.get(0) == 0) {
                posted.await(); // sleeps using no CPU; a signal wakes it in microseconds
            }
            return board.get(0);
        } finally {
            lock.unlock();
        }
    }

    @ParallelTask
    public static int echo(SharedQueue<String> in, SharedQueue<String> out, int n)
            throws InterruptedException {
        for (int i = 0; i < n; i++) {
            out.put(in.take().toUpperCase(Locale.ROOT));
        }
        return n;
    }

    @ParallelTask
    public static int countWords(SharedMap<String, Long> counts, List<String> lines) {
        for (String line : lines) {
            for (String word : line.split("\\s+")) {
                counts.merge(word, 1L, Long::sum); // atomic across processes
            }
        }
        return lines.size();
    }
}
