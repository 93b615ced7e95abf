package dev.paralleltask.runtime.internal.shared;

import java.nio.ByteBuffer;

/**
 * A word of shared memory that one thread of one process holds at a time: 0 when free, else its
 * holder's token, the process id in the high half and the thread id in the low half. A word whose
 * holder's process has died can be taken over.
 */
public final class Owner {
    private static final long PID = ProcessHandle.current().pid();

    private Owner() {}

    /** The calling thread's token. */
    public static long token() {
        return (PID << 32) | (Thread.currentThread().getId() & 0xFFFF_FFFFL);
    }

    public static long pid(long token) {
        return token >>> 32;
    }

    public static String describe(long token) {
        return "pid " + pid(token) + " thread " + (token & 0xFFFF_FFFFL);
    }

    /** Whether the process of {@code token} has died (never for this process). */
    public static boolean isDead(long token) {
        return processIsDead(pid(token));
    }

    /** Whether process {@code pid} has died (never for this process). */
    public static boolean processIsDead(long pid) {
        return pid != PID && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Takes the word if it is free, or, when {@code recover} is set, if its holder's process has
     * died (which costs a look at the process table: callers do it now and then).
     */
    public static boolean tryTake(ByteBuffer buffer, int at, long token, boolean recover) {
        long found = (long) SharedFile.LONGS.compareAndExchange(buffer, at, 0L, token);
        if (found == 0) {
            return true;
        }
        return recover
                && found != token
                && isDead(found)
                && SharedFile.LONGS.compareAndSet(buffer, at, found, token);
    }

    /** Gives the word back; false, changing nothing, if {@code token} does not hold it. */
    public static boolean give(ByteBuffer buffer, int at, long token) {
        return SharedFile.LONGS.compareAndSet(buffer, at, token, 0L);
    }

    public static long holder(ByteBuffer buffer, int at) {
        return (long) SharedFile.LONGS.getVolatile(buffer, at);
    }
}
