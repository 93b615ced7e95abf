package dev.paralleltask.cluster.internal;

import java.io.IOException;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteInterruptedException;
import org.apache.ignite.compute.ComputeJob;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * Carries one {@link Exchange} message to the node's {@link CallSessions}: its argument is the
 * message's bytes, its result the {@link Exchange.Reply}'s. A poll holds its Ignite thread for at
 * most {@link CallSessions#POLL_MILLIS}. Public because thin clients start it by class name.
 */
public final class SessionTask extends OneJobTask {
    private static final long serialVersionUID = 1L;

    @Override
    ComputeJob job(byte[] message) {
        return new SessionJob(message);
    }

    /** The job on the chosen node. */
    static final class SessionJob implements ComputeJob {
        private static final long serialVersionUID = 1L;

        private final byte[] message;

        @IgniteInstanceResource private transient Ignite ignite;

        SessionJob(byte[] message) {
            this.message = message;
        }

        @Override
        public Object execute() {
            LocalNodes.LocalNode node = LocalNodes.get(ignite.name());
            if (node == null) { // stopping: it knows no session and admits nothing
                return Exchange.Reply.unknown(0, 0, true).toBytes();
            }
            Exchange.Message m;
            try {
                m = Exchange.Message.fromBytes(message);
            } catch (IOException e) {
                throw new IllegalArgumentException("node " + node.name + ": " + e.getMessage(), e);
            }
            try {
                return node.sessions.handle(m).toBytes();
            } catch (InterruptedException e) {
                throw new IgniteInterruptedException(e);
            }
        }

        /** A message is answered at once, or within a poll's wait: nothing to stop. */
        @Override
        public void cancel() {}
    }
}
