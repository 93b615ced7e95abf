package dev.paralleltask.it.docs;

import dev.paralleltask.ParallelTask;

/** What the README's pool loads into each worker with its initializer. */
public class Model {
    static volatile String loaded;

    @ParallelTask
    public static String load(String path) {
        loaded = path;
        return path;
    }
}
