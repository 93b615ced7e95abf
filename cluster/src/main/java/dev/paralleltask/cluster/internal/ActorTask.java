package dev.paralleltask.cluster.internal;

import dev.paralleltask.runtime.Actor;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.spi.Relay;
import dev.paralleltask.runtime.internal.wire.Frame;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.compute.ComputeJob;
import org.apache.ignite.compute.ComputeJobResult;
import org.apache.ignite.compute.ComputeJobResultPolicy;
import org.apache.ignite.compute.ComputeTaskAdapter;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * Starts, calls, describes and closes actors on the node the client chose: its argument is a {@link
 * Wire.ActorRequest}, its result a {@link Wire.Reply}. An actor lives in a JVM of the node's pool
 * ({@code ProcessPool.actor}) until its client closes it or the node stops. Public because thin
 * clients start it by class name.
 */
public final class ActorTask extends ComputeTaskAdapter<byte[], byte[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public Map<? extends ComputeJob, ClusterNode> map(List<ClusterNode> subgrid, byte[] request) {
        return Map.of(new ActorJob(request), subgrid.get(0));
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
    static final class ActorJob implements ComputeJob {
        private static final long serialVersionUID = 1L;

        private final byte[] request;

        @IgniteInstanceResource private transient Ignite ignite;

        /** The call on the actor, once started. */
        private transient volatile TaskFuture<Frame.Answer> call;

        private transient volatile boolean cancelled;

        ActorJob(byte[] request) {
            this.request = request;
        }

        @Override
        public Object execute() {
            LocalNodes.LocalNode node = LocalNodes.get(ignite.name());
            if (node == null) {
                return new Wire.Refused("node " + ignite.name() + " is shutting down").toBytes();
            }
            Wire.ActorRequest r;
            try {
                r = Wire.ActorRequest.fromBytes(request);
            } catch (IOException e) {
                return new Wire.Unrunnable(e.getMessage()).toBytes();
            }
            if (r.kind() == Wire.ActorRequest.START) {
                return node.startActor(r).toBytes();
            }
            Actor<?> actor = node.actor(r.actor());
            if (actor == null) {
                return new Wire.ActorDied(
                                "actor "
                                        + r.actor()
                                        + " is not on node "
                                        + node.name
                                        + ": it was closed, or the node restarted")
                        .toBytes();
            }
            return switch (r.kind()) {
                case Wire.ActorRequest.CALL -> call(node, actor, r).toBytes();
                case Wire.ActorRequest.DESCRIBE ->
                        new Wire.ActorState(actor.pid(), actor.restarts(), actor.isAlive())
                                .toBytes();
                default -> node.closeActor(r.actor()).toBytes();
            };
        }

        private Wire.Reply call(LocalNodes.LocalNode node, Actor<?> actor, Wire.ActorRequest r) {
            Wire.Request request;
            TaskMethod method;
            try {
                request = Wire.Request.fromBytes(r.payload());
                method = node.method(request);
            } catch (IOException e) {
                return new Wire.Unrunnable(e.getMessage());
            } catch (ReflectiveOperationException | LinkageError e) {
                return new Wire.Unrunnable(
                        "it cannot load the invoker of the call: "
                                + e
                                + "; start every node with the application's classes on its"
                                + " classpath");
            }
            TaskFuture<Frame.Answer> running;
            try {
                running = Relay.submit(actor, method, request.body());
            } catch (RejectedExecutionException e) {
                return new Wire.ActorDied(
                        "actor " + actor.name() + " on node " + node.name + " was closed");
            }
            call = running;
            if (cancelled) {
                running.cancel(true);
            }
            return RunCallTask.reply(running, node.name, cancelled);
        }

        /** The client cancelled the call, or the node is stopping: its actor's JVM is killed. */
        @Override
        public void cancel() {
            cancelled = true;
            TaskFuture<Frame.Answer> running = call;
            if (running != null) {
                running.cancel(true);
            }
        }
    }
}
