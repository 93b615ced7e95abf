/**
 * Not API: the frames and codecs that the parent and its workers share.
 *
 * <p>Everything here is used on both sides of the channel, so it depends on nothing but the JDK and
 * never on the executor classes in {@code dev.paralleltask.runtime}. All multi-byte numbers are
 * little-endian: both ends run on the same machine, and it makes array copies plain copies.
 */
package dev.paralleltask.runtime.internal.wire;
