/**
 * Not API: what an executor in another module or package needs to implement {@link
 * dev.paralleltask.runtime.TaskExecutor} as {@link dev.paralleltask.runtime.ProcessPool} does.
 *
 * <p>Nothing here is meant for applications, and it changes without notice. An executor:
 *
 * <ol>
 *   <li>encodes each call on the caller's thread with {@link
 *       dev.paralleltask.runtime.internal.spi.CallCoding#encode}, which words an argument that
 *       cannot be sent as a {@link dev.paralleltask.runtime.TaskSerializationException};
 *   <li>makes the call's future with {@link
 *       dev.paralleltask.runtime.internal.spi.CallFutures#create}, marks it running when the call
 *       starts and queued again when it is retried;
 *   <li>settles it once with the answer a worker sent ({@link
 *       dev.paralleltask.runtime.internal.spi.CallCoding#decode}) or with a failure built by {@link
 *       dev.paralleltask.runtime.internal.spi.Failures}, the one place that words them.
 * </ol>
 *
 * <p>{@code ProcessPool} is built on exactly this: see {@code internal.pool}.
 */
package dev.paralleltask.runtime.internal.spi;
