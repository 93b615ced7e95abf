package dev.paralleltask.it;

import dev.paralleltask.ParallelTask;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A static task of an interface, and a task that takes a comparator. */
public interface Lookup {
    @ParallelTask
    static String upper(String s) {
        return s.toUpperCase(java.util.Locale.ROOT);
    }

    /** Callers pass serializable orders, such as String.CASE_INSENSITIVE_ORDER. */
    @SuppressWarnings("ParallelTaskFunctionalInterface")
    @ParallelTask
    static List<String> sorted(List<String> values, Comparator<? super String> order) {
        List<String> copy = new ArrayList<>(values);
        copy.sort(order);
        return copy;
    }
}
