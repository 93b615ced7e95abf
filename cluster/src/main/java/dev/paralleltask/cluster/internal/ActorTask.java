package dev.paralleltask.cluster.internal;

import dev.paralleltask.runtime.Actor;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.internal.spi.Relay;
import dev.paralleltask.runtime.internal.wire.Frame;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.ignite.compute.ComputeJob;

/**
 * Starts, calls, describes and closes actors on the node the client chose: its argument is a {@link
 * Wire.ActorRequest}, its result a {@link Wire.Reply}. An actor lives in a JVM of the node's pool
 * ({@code ProcessPool.actor}) until its client closes it or the node stops. Public because thin
 * clients start it by class name.
 */
public final class ActorTask extends OneJobTask {
    private static final long serialVersionUID = 1L;

    @Override
    ComputeJob job(byte[] request) {
        return new ActorJob(request);
    }

    /** The job on the chosen node. */
    static final class ActorJob extends CallJob {
        private static final long serialVersionUID = 1L;

        ActorJob(byte[] request) {
            super(request);
        }

        @Override
        Wire.Reply reply(LocalNodes.LocalNode node, byte[] request) {
            Wire.ActorRequest r;
            try {
                r = Wire.ActorRequest.fromBytes(request);
            } catch (IOException e) {
                return new Wire.Unrunnable(e.getMessage());
            }
            if (r.kind() == Wire.ActorRequest.START) {
                return node.startActor(r);
            }
            Actor<?> actor = node.actor(r.actor());
            if (actor == null) {
                return new Wire.ActorDied(
                        "actor "
                                + r.actor()
                                + " is not on node "
                                + node.name
                                + ": it was closed, or the node restarted");
            }
            return switch (r.kind()) {
                case Wire.ActorRequest.CALL -> call(node, actor, r);
                case Wire.ActorRequest.DESCRIBE ->
                        new Wire.ActorState(actor.pid(), actor.restarts(), actor.isAlive());
                default -> node.closeActor(r.actor());
            };
        }

        private Wire.Reply call(LocalNodes.LocalNode node, Actor<?> actor, Wire.ActorRequest r) {
            Resolved call;
            try {
                call = resolve(node, r.payload());
            } catch (Unrunnable e) {
                return e.reply;
            }
            TaskFuture<Frame.Answer> running;
            try {
                running = Relay.submit(actor, call.method(), call.request().body());
            } catch (RejectedExecutionException e) {
                return new Wire.ActorDied(
                        "actor " + actor.name() + " on node " + node.name + " was closed");
            }
            return await(running, node.name);
        }
    }
}
