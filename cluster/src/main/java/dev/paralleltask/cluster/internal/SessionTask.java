package dev.paralleltask.cluster.internal;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteInterruptedException;
import org.apache.ignite.compute.ComputeJob;
import org.apache.ignite.compute.ComputeJobContext;
import org.apache.ignite.resources.IgniteInstanceResource;
import org.apache.ignite.resources.JobContextResource;

/**
 * Carries one {@link Exchange} message to the node's {@link CallSessions}: its argument is the
 * message's bytes, its result the {@link Exchange.Reply}'s. A poll with nothing to say yet holds no
 * thread while it waits: its job is suspended ({@link ComputeJobContext#holdcc}) and resumed once
 * there is something to say, or after {@link CallSessions#POLL_MILLIS}. So however many clients
 * wait on a node, its Ignite threads stay free for their batches. Public because thin clients start
 * it by class name.
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

        @JobContextResource private transient ComputeJobContext context;

        /** The poll this job waits to answer, once suspended; its resumption answers it. */
        private transient volatile Exchange.Poll waiting;

        SessionJob(byte[] message) {
            this.message = message;
        }

        @Override
        public Object execute() {
            LocalNodes.LocalNode node = LocalNodes.get(ignite.name());
            if (node == null) { // stopping: it knows no session and admits nothing
                return Exchange.Reply.unknown(0, 0, true).toBytes();
            }
            Exchange.Poll resumed = waiting;
            if (resumed != null) { // there is something to say, or the wait is up
                return node.sessions.take(resumed.session()).toBytes();
            }
            Exchange.Message m;
            try {
                m = Exchange.Message.fromBytes(message);
            } catch (IOException e) {
                throw new IllegalArgumentException("node " + node.name + ": " + e.getMessage(), e);
            }
            if (m instanceof Exchange.Poll poll) {
                CompletableFuture<Void> ready = node.sessions.poll(poll, System.nanoTime());
                if (!ready.isDone()) {
                    waiting = poll;
                    context.holdcc(CallSessions.POLL_MILLIS); // else Ignite resumes it then
                    // Resumed on a thread of the node's: callcc() runs the job on its caller.
                    ready.thenRunAsync(context::callcc, node.resumptions);
                    return null;
                }
                return node.sessions.take(poll.session()).toBytes();
            }
            try {
                return answer(node.sessions, m).toBytes();
            } catch (InterruptedException e) {
                throw new IgniteInterruptedException(e);
            }
        }

        /**
         * What the node answers a message but a poll; a batch sent alone waits up to its {@code
         * waitMillis} for its first answers, which its reply brings as a poll's would.
         */
        private static Exchange.Reply answer(CallSessions sessions, Exchange.Message m)
                throws InterruptedException {
            if (m instanceof Exchange.Send send) {
                Exchange.Reply admitted = sessions.send(send, System.nanoTime());
                if (send.waitMillis() <= 0) {
                    return admitted;
                }
                try {
                    sessions.awaitAnswers(send.session())
                            .get(send.waitMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    // no answer yet: the client polls for it
                }
                return admitted.with(sessions.take(send.session()));
            }
            if (m instanceof Exchange.Cancel cancel) {
                return sessions.cancel(cancel);
            }
            if (m instanceof Exchange.Withdraw withdraw) {
                return sessions.withdraw(withdraw);
            }
            if (m instanceof Exchange.Close) {
                return sessions.close(m.session());
            }
            throw new IllegalArgumentException("a poll is answered by poll() and take()");
        }

        /** A message is answered at once, or within a poll's wait: nothing to stop. */
        @Override
        public void cancel() {}
    }
}
