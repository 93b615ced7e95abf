/**
 * Public only for generated code: nothing here is API, and it changes without notice.
 *
 * <p>A generated proxy describes each annotated method once as a {@link
 * dev.paralleltask.runtime.internal.TaskMethod} and hands calls to a {@link
 * dev.paralleltask.runtime.TaskExecutor}; the generated {@link
 * dev.paralleltask.runtime.internal.TaskInvoker} runs a method by its index in a worker.
 */
package dev.paralleltask.runtime.internal;
