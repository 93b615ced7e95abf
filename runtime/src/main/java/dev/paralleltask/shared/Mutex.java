package dev.paralleltask.shared;

import dev.paralleltask.runtime.internal.shared.Owner;
import dev.paralleltask.runtime.internal.shared.SharedFile;
import dev.paralleltask.runtime.internal.shared.Waiter;
import java.util.function.Supplier;

/**
 * The short critical sections of a semaphore or queue: an {@link Owner} word held for a few
 * microseconds, taken over when its holder's process died inside one. Each section is written so
 * that dying at any point leaves the object consistent: its last store publishes the change.
 */
final class Mutex {
    private Mutex() {}

    /** Runs {@code section} holding the object's mutex, word {@code word} of its header. */
    static <T> T holding(SharedFile file, int word, Supplier<T> section) {
        long token = Owner.token();
        Waiter waiter = Waiter.forever();
        boolean interrupted = false;
        while (!Owner.tryTake(file.header(), word, token, waiter.isSleeping())) {
            try {
                waiter.pause();
            } catch (InterruptedException e) {
                interrupted = true; // held for microseconds: worth the wait
            }
        }
        try {
            return section.get();
        } finally {
            Owner.give(file.header(), word, token);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
