/**
 * Not API: the worker's side of the pool, run in each child JVM.
 *
 * <p>It depends only on {@code internal} and {@code internal.wire}, never on the parent's executor
 * classes. {@link dev.paralleltask.runtime.internal.worker.WorkerMain} documents the command line
 * and the exit codes.
 */
package dev.paralleltask.runtime.internal.worker;
