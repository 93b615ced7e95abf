package dev.paralleltask.cluster.internal;

import dev.paralleltask.runtime.ActorDiedException;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskTimeoutException;
import dev.paralleltask.runtime.WorkerCrashedException;
import dev.paralleltask.runtime.WorkerStartException;
import dev.paralleltask.runtime.internal.spi.Relay;
import dev.paralleltask.runtime.internal.wire.Frame;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.ignite.compute.ComputeJob;

/**
 * Runs one encoded call on the node the client chose: its argument is a {@link Wire.Request}, its
 * result a {@link Wire.Reply}. Public because thin clients start it by class name.
 *
 * <p>The job holds no Ignite thread while the call runs (a continuation: it resumes when the worker
 * answers), and reacts to a cancel at once by cancelling the call, which kills its worker. A job
 * whose node died is never sent elsewhere: the client decides whether the call runs again.
 */
public final class RunCallTask extends OneJobTask {
    private static final long serialVersionUID = 1L;

    @Override
    ComputeJob job(byte[] request) {
        return new RunCallJob(request);
    }

    /** The job on the chosen node. */
    static final class RunCallJob extends CallJob {
        private static final long serialVersionUID = 1L;

        RunCallJob(byte[] request) {
            super(request);
        }

        @Override
        Wire.Reply reply(LocalNodes.LocalNode node, byte[] request) {
            Resolved call;
            try {
                call = resolve(node, request);
            } catch (Unrunnable e) {
                return e.reply;
            }
            TaskFuture<Frame.Answer> running;
            try {
                running = Relay.submit(node.pool, call.method(), call.request().body());
            } catch (RejectedExecutionException e) {
                return new Wire.Refused(e.getMessage());
            }
            return await(running, node.name);
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
