/**
 * Public only for the runtime's other packages: the memory behind {@code dev.paralleltask.shared},
 * mapped files in a per-family directory, and the waits and ownership words built on it.
 */
package dev.paralleltask.runtime.internal.shared;
