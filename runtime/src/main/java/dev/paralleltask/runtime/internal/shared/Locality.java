package dev.paralleltask.runtime.internal.shared;

import java.util.concurrent.Callable;

/**
 * Whether values being encoded now go to another machine, where a shared object's memory cannot
 * follow: an executor that sends calls off this machine encodes them inside {@link #offMachine},
 * and a shared object refuses to be written there, naming where it was going.
 */
public final class Locality {
    private static final ThreadLocal<String> DESTINATION = new ThreadLocal<>();

    private Locality() {}

    /** Runs {@code encoding} with values bound for {@code destination} ("node 10.0.0.7:47500"). */
    public static <T> T offMachine(String destination, Callable<T> encoding) throws Exception {
        String outer = DESTINATION.get();
        DESTINATION.set(destination);
        try {
            return encoding.call();
        } finally {
            DESTINATION.set(outer);
        }
    }

    /** Where values being encoded on this thread go, if off this machine; else null. */
    public static String destination() {
        return DESTINATION.get();
    }
}
