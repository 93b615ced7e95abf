package dev.paralleltask.cluster.internal;

import dev.paralleltask.runtime.ActorDiedException;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskTimeoutException;
import dev.paralleltask.runtime.WorkerCrashedException;
import dev.paralleltask.runtime.WorkerStartException;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.spi.Relay;
import dev.paralleltask.runtime.internal.wire.Frame;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.compute.ComputeJob;
import org.apache.ignite.compute.ComputeJobResult;
import org.apache.ignite.compute.ComputeJobResultPolicy;
import org.apache.ignite.compute.ComputeTaskAdapter;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * Runs one encoded call on the node the client chose: its argument is a {@link Wire.Request}, its
 * result a {@link Wire.Reply}. Public because thin clients start it by class name.
 *
 * <p>The job holds no Ignite thread while the call runs (a continuation: it resumes when the worker
 * answers), and reacts to a cancel at once by cancelling the call, which kills its worker. A job
 * whose node died is never sent elsewhere: the client decides whether the call runs again.
 */
public final class RunCallTask extends ComputeTaskAdapter<byte[], byte[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public Map<? extends ComputeJob, ClusterNode> map(List<ClusterNode> subgrid, byte[] request) {
        return Map.of(new RunCallJob(request), subgrid.get(0));
    }

    @Override
    public ComputeJobResultPolicy result(ComputeJobResult result, List<ComputeJobResult> received) {
        if (result.getException() != null) {
            throw result.getException();
        }
        return ComputeJobResultPolicy.REDUCE;
    }

    @Override
    public byte[] reduce(List<ComputeJobResult> results) {
        return results.get(0).getData();
    }

    /** The job on the chosen node. */
    static final class RunCallJob implements ComputeJob {
        private static final long serialVersionUID = 1L;

        private final byte[] request;

        @IgniteInstanceResource private transient Ignite ignite;

        /** The call on the node's pool, once started. */
        private transient volatile TaskFuture<Frame.Answer> call;

        private transient volatile boolean cancelled;

        RunCallJob(byte[] request) {
            this.request = request;
        }

        @Override
        public Object execute() {
            LocalNodes.LocalNode node = LocalNodes.get(ignite.name());
            if (node == null) {
                return new Wire.Refused("node " + ignite.name() + " is shutting down").toBytes();
            }
            Wire.Request r;
            TaskMethod method;
            try {
                r = Wire.Request.fromBytes(request);
                method = node.method(r);
            } catch (IOException e) {
                return new Wire.Unrunnable(e.getMessage()).toBytes();
            } catch (ReflectiveOperationException | LinkageError e) {
                return new Wire.Unrunnable(
                                "it cannot load the invoker of the call: "
                                        + e
                                        + "; start every node with the application's classes on"
                                        + " its classpath")
                        .toBytes();
            }
            TaskFuture<Frame.Answer> running;
            try {
                running = Relay.submit(node.pool, method, r.body());
            } catch (RejectedExecutionException e) {
                return new Wire.Refused(e.getMessage()).toBytes();
            }
            call = running;
            if (cancelled) {
                running.cancel(true);
            }
            return reply(running, node.name, cancelled).toBytes();
        }

        /**
         * The client cancelled the call, or the node is stopping: stop the call, kill its worker.
         */
        @Override
        public void cancel() {
            cancelled = true;
            TaskFuture<Frame.Answer> running = call;
            if (running != null) {
                running.cancel(true);
            }
        }
    }

    /**
     * What the node tells the client about a finished call; {@code cancelled} when the client asked
     * for the cancel. Waits for the call: a cancel ends the wait.
     */
    static Wire.Reply reply(TaskFuture<Frame.Answer> done, String nodeName, boolean cancelled) {
        try {
            return answer(done.join()); // cancel() ends the wait
        } catch (CancellationException e) {
            return new Wire.Crashed(
                    "the call was stopped on node "
                            + nodeName
                            + (cancelled ? ", as its caller asked" : ", which is shutting down"),
                    "",
                    -1,
                    -1,
                    List.of(),
                    List.of());
        } catch (CompletionException e) {
            Throwable failure = e.getCause();
            if (failure instanceof TaskTimeoutException t) {
                return new Wire.TimedOut(
                        t.timeout().toMillis(),
                        t.elapsed().toMillis(),
                        "on node " + nodeName + ", whose worker was killed and replaced",
                        t.taskStackTrace());
            }
            if (failure instanceof WorkerCrashedException c) {
                return new Wire.Crashed(
                        c.getMessage(),
                        c.workerName(),
                        c.pid(),
                        c.exitCode(),
                        c.stderrTail(),
                        c.stdoutTail());
            }
            if (failure instanceof WorkerStartException s) {
                return new Wire.Unrunnable(s.getMessage());
            }
            if (failure instanceof ActorDiedException d) {
                return new Wire.ActorDied(d.getMessage());
            }
            return new Wire.Unrunnable(String.valueOf(failure));
        }
    }

    private static Wire.Reply answer(Frame.Answer answer) {
        if (answer instanceof Frame.Result r) {
            return new Wire.Answer(Wire.Answer.RESULT, false, 0, "", r.body());
        }
        if (answer instanceof Frame.Failure f) {
            return new Wire.Answer(Wire.Answer.FAILURE, f.fatal(), 0, "", f.body());
        }
        Frame.Unsendable u = (Frame.Unsendable) answer;
        return new Wire.Answer(
                Wire.Answer.UNSENDABLE, false, u.position(), u.message(), new byte[0]);
    }
}
