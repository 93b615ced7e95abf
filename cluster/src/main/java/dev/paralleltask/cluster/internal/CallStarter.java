package dev.paralleltask.cluster.internal;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** Runs the calls {@link CallSessions} decided to start: the node's pool, or a test's stand-in. */
public interface CallStarter {
    /**
     * Starts the calls {@link CallRequest}s' bytes describe, in order.
     *
     * @return the calls, in the same order: each one's reply completes when it ends
     */
    List<Running> start(List<byte[]> requests);

    /** A started call: its reply, and how to stop it (killing its worker). */
    record Running(CompletionStage<Wire.Reply> reply, Runnable stop) {}
}
