package dev.paralleltask.cluster.internal;

import dev.paralleltask.runtime.ActorDiedException;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskTimeoutException;
import dev.paralleltask.runtime.WorkerCrashedException;
import dev.paralleltask.runtime.WorkerStartException;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.wire.Frame;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.compute.ComputeJob;
import org.apache.ignite.compute.ComputeJobResult;
import org.apache.ignite.compute.ComputeJobResultPolicy;
import org.apache.ignite.compute.ComputeTaskAdapter;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * A task of one job, run on the node the client chose: a request's bytes in, a {@link Wire.Reply}'s
 * bytes out. A job that throws fails the task, and so the client's future.
 */
abstract class OneJobTask extends ComputeTaskAdapter<byte[], byte[]> {
    private static final long serialVersionUID = 1L;

    /** The job that answers {@code request}. */
    abstract ComputeJob job(byte[] request);

    @Override
    public final Map<? extends ComputeJob, ClusterNode> map(
            List<ClusterNode> subgrid, byte[] request) {
        return Map.of(job(request), subgrid.get(0));
    }

    @Override
    public final ComputeJobResultPolicy result(
            ComputeJobResult result, List<ComputeJobResult> received) {
        if (result.getException() != null) {
            throw result.getException();
        }
        return ComputeJobResultPolicy.REDUCE;
    }

    @Override
    public final byte[] reduce(List<ComputeJobResult> results) {
        return results.get(0).getData();
    }

    /**
     * A job that runs one call on the node, and stops it (killing the worker that runs it) as soon
     * as the client cancels, or the node stops.
     */
    abstract static class CallJob implements ComputeJob {
        private static final long serialVersionUID = 1L;

        private final byte[] request;

        @IgniteInstanceResource private transient Ignite ignite;

        /** The call, once started. */
        private transient volatile TaskFuture<Frame.Answer> call;

        private transient volatile boolean cancelled;

        CallJob(byte[] request) {
            this.request = request;
        }

        /** What the node that runs this job replies to {@code request}. */
        abstract Wire.Reply reply(LocalNodes.LocalNode node, byte[] request);

        @Override
        public final Object execute() {
            LocalNodes.LocalNode node = LocalNodes.get(ignite.name());
            if (node == null) {
                return new Wire.Refused("node " + ignite.name() + " is shutting down").toBytes();
            }
            return reply(node, request).toBytes();
        }

        /** What a request names: its call, and the method as the node runs it. */
        record Resolved(CallRequest request, TaskMethod method) {}

        /** Why a request cannot run here, as the reply that says so. */
        static final class Unrunnable extends Exception {
            private static final long serialVersionUID = 1L;

            final transient Wire.Reply reply;

            Unrunnable(Wire.Reply reply) {
                super(null, null, false, false);
                this.reply = reply;
            }
        }

        /** Reads a call's request and loads its invoker here, as a worker would. */
        static Resolved resolve(LocalNodes.LocalNode node, byte[] bytes) throws Unrunnable {
            try {
                CallRequest request = CallRequest.fromBytes(bytes);
                return new Resolved(request, node.method(request));
            } catch (IOException e) {
                throw new Unrunnable(new Wire.Unrunnable(e.getMessage()));
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new Unrunnable(
                        new Wire.Unrunnable(
                                "it cannot load the invoker of the call: "
                                        + e
                                        + "; start every node with the application's classes on"
                                        + " its classpath"));
            }
        }

        /** Waits for the started call, and says how it ended. */
        Wire.Reply await(TaskFuture<Frame.Answer> running, String nodeName) {
            call = running;
            if (cancelled) {
                running.cancel(true);
            }
            return OneJobTask.reply(running, nodeName, cancelled);
        }

        /** The client cancelled the call, or the node is stopping: stop it, kill its worker. */
        @Override
        public final void cancel() {
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
