package dev.paralleltask.cluster.internal;

import java.util.List;

/** Runs the calls {@link CallSessions} decided to start: the node's pool, or a test's stand-in. */
public interface CallStarter {
    /**
     * Starts the calls {@link CallRequest}s' bytes describe, in order, and tells {@code ended} of
     * each one's end, once, on the thread that ended it: on a node, the pool's reader; for a call
     * that cannot start, this thread, before it returns.
     *
     * @return how to stop each call (killing its worker), in the same order
     */
    List<Runnable> start(List<byte[]> requests, Ended ended);

    /** What a started call's end is told to. */
    interface Ended {
        /** The call at {@code position} of the started ones ended, and the node says this. */
        void ended(int position, Wire.Reply reply);
    }
}
