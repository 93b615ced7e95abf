package dev.paralleltask.cluster.internal;

import java.util.concurrent.CompletionStage;

/**
 * A client's way to one node: carries {@link Exchange} messages there and their replies back. Over
 * Ignite in a cluster ({@code IgniteLink}); straight to a {@link CallSessions} in tests, so the
 * dispatcher's rules are tested without Ignite.
 */
public interface NodeLink {
    /**
     * Sends a message; the stage completes with the node's reply, or fails when none came (the
     * message may or may not have arrived).
     */
    CompletionStage<Exchange.Reply> exchange(Exchange.Message message);

    /** Closes the way to the node; what is under way fails. */
    void close();
}
