package dev.paralleltask.shared;

import dev.paralleltask.runtime.internal.shared.Owner;
import dev.paralleltask.runtime.internal.shared.SharedFile;
import dev.paralleltask.runtime.internal.shared.Waiter;
import java.util.function.Supplier;

/**
 * The short critical sections of a semaphore or queue: an {@link Owner} word held for a few
 * microseconds, taken over when its holder's process died inside one. A semaphore's change is one
 * store. A queue's is two (a put: the tail, then the count; a take: the count, then the head), so a
 * process that dies between them, a few nanoseconds, leaves a put's element to be seen with the
 * next put, or a take's element to be taken again by the next take; never a torn element.
 */
final class Mutex {
    private Mutex() {}

    /** Runs {@code section} holding the object's mutex, word {@code word} of its header. */
    static <T> T holding(SharedFile file, int word, Supplier<T> section) {
        long token = Owner.token();
        Waiter waiter = Waiter.polling();
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
