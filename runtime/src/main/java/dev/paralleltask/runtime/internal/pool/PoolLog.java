package dev.paralleltask.runtime.internal.pool;

import java.lang.System.Logger;

/**
 * The pool's diagnostics, through {@link System.Logger}: by default {@code java.util.logging}, or
 * whatever logging the application routes it to.
 *
 * <ul>
 *   <li>{@value #POOL}: workers started, retired, exited, crashed, killed and replaced at {@code
 *       DEBUG}; a worker that breaks the protocol or does not connect, and a connection that does
 *       not prove itself with the pool's secret, at {@code WARNING}.
 *   <li>{@value #ARCHIVE}: the workers' class archive made ({@code DEBUG}) or not made ({@code
 *       WARNING}, with why).
 * </ul>
 */
final class PoolLog {
    static final String POOL = "dev.paralleltask.runtime.ProcessPool";
    static final String ARCHIVE = "dev.paralleltask.runtime.ClassArchive";

    static final Logger pool = System.getLogger(POOL);
    static final Logger archive = System.getLogger(ARCHIVE);

    private PoolLog() {}
}
