package dev.paralleltask.cluster;

import dev.paralleltask.cluster.internal.ActorLine;
import dev.paralleltask.cluster.internal.Wire;
import dev.paralleltask.runtime.Actor;
import dev.paralleltask.runtime.ActorOptions;
import dev.paralleltask.runtime.TaskExecutor;
import dev.paralleltask.runtime.internal.ActorCalls;
import dev.paralleltask.runtime.internal.shared.Locality;
import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import dev.paralleltask.runtime.internal.spi.CallCoding;
import dev.paralleltask.runtime.internal.spi.Failures;
import java.util.List;
import java.util.function.Consumer;
import org.apache.ignite.client.ClientCompute;

/**
 * An actor on a cluster node: its object lives in a JVM of that node's pool, as a {@code
 * ProcessPool}'s actor does, restarted there as its options allow. Calls are sent from here one at
 * a time (or {@link ActorOptions#concurrency} at once), so they run in the order made. If the node
 * leaves, the call running there fails with {@link dev.paralleltask.runtime.WorkerCrashedException}
 * naming the node, and every later call with {@link dev.paralleltask.runtime.ActorDiedException}.
 */
final class ClusterActor<C> implements Actor<C>, ActorCalls.Endpoint {
    private final String name;

    /** Its calls, which end it when shut down. */
    final ActorLine line;

    private ClusterActor(String name, ActorLine line) {
        this.name = name;
        this.line = line;
    }

    /**
     * An actor's initial state, encoded here for a node's machine.
     *
     * @throws dev.paralleltask.runtime.TaskSerializationException if it cannot be sent, naming it
     */
    static byte[] encode(Object initialState) {
        try {
            return Locality.offMachine(
                            "a cluster node", () -> CallCoding.encodeActorState(initialState))
                    .body();
        } catch (RuntimeException e) { // TaskSerializationException naming initialState
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("encoding the actor's state failed", e);
        }
    }

    /**
     * Starts an actor on {@code node} from {@code state}, encoded here for that machine.
     *
     * @throws dev.paralleltask.runtime.WorkerStartException if the node cannot start it
     */
    static <C> ClusterActor<C> start(
            String node,
            ClientCompute compute,
            byte[] state,
            ActorOptions options,
            ClassLoader loader,
            AnswerAdmission admission,
            Consumer<ActorLine> ended) {
        String where = "node " + node;
        Wire.Reply reply =
                ActorLine.request(
                        compute,
                        new Wire.ActorRequest(
                                Wire.ActorRequest.START,
                                0,
                                options.maxRestarts(),
                                options.maxConcurrency(),
                                state),
                        where);
        if (reply instanceof Wire.ActorStarted started) {
            String name = node + "/" + started.name();
            return new ClusterActor<>(
                    name,
                    new ActorLine(
                            name,
                            node,
                            compute,
                            started.actor(),
                            options.maxConcurrency(),
                            loader,
                            admission,
                            ended));
        }
        throw Failures.startFailure(
                where + " cannot start the actor: " + describe(reply), List.of(), null);
    }

    private static String describe(Wire.Reply reply) {
        if (reply instanceof Wire.Unrunnable u) {
            return u.why();
        }
        if (reply instanceof Wire.Refused r) {
            return r.why();
        }
        if (reply instanceof Wire.ActorDied d) {
            return d.why();
        }
        return String.valueOf(reply);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long pid() {
        return line.state().pid();
    }

    @Override
    public boolean isAlive() {
        return line.isOpen() && line.state().alive();
    }

    @Override
    public int restarts() {
        return line.state().restarts();
    }

    @Override
    public TaskExecutor calls() {
        return line;
    }

    @Override
    public int outstanding() {
        return line.outstanding();
    }

    @Override
    public void close() {
        line.close();
    }

    @Override
    public String toString() {
        return line.toString();
    }
}
