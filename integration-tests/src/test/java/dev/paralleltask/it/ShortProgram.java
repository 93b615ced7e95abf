package dev.paralleltask.it;

import dev.paralleltask.runtime.ProcessPool;

/**
 * A program that uses a pool for one call and exits at once, long before a class archive could be
 * made: for {@link ClassArchiveTest}.
 */
public final class ShortProgram {
    private ShortProgram() {}

    public static void main(String[] args) throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            System.out.println("pid " + new FaultsTasks(pool).pid().get());
        }
    }
}
