package dev.paralleltask.runtime.internal.wire;

import java.io.StreamCorruptedException;

/**
 * A peer's bytes claimed more than they hold or than a limit allows: an array longer than the bytes
 * that follow, values nested deeper than the compact codec ever writes, a frame longer than its
 * ring. Nothing was allocated for the claim. An honest peer never sends such bytes, so the peer
 * that did is not trusted again: a pool replaces the worker that sent them.
 */
public final class WireLimitException extends StreamCorruptedException {
    private static final long serialVersionUID = 1L;

    public WireLimitException(String message) {
        super(message);
    }
}
