package dev.paralleltask.cluster.internal;

import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import dev.paralleltask.runtime.internal.spi.CallCoding;
import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.wire.Frame;
import java.time.Duration;

/**
 * What comes back for a call sent to a node means for the call: a node's {@link Wire.Reply}, or
 * Ignite's failure when no reply came. The executor decides what to do; this only reads.
 */
public final class Replies {
    private Replies() {}

    /**
     * The value or the failure a reply settles its call with: what the task returned or threw,
     * decoded here, or the node's timeout, crash or refusal worded as on a pool, naming the node.
     * Not for {@link Wire.Refused}, which settles nothing.
     *
     * @param attempt how the failure says which attempt it was, e.g. " (attempt 2 of 2)", or ""
     */
    public static CallCoding.Outcome outcome(
            TaskMethod method,
            Wire.Reply reply,
            String node,
            String attempt,
            ClassLoader loader,
            AnswerAdmission admission) {
        if (reply instanceof Wire.Answer a) {
            Frame.Answer frame =
                    switch (a.kind()) {
                        case Wire.Answer.RESULT -> new Frame.Result(0, a.body());
                        case Wire.Answer.FAILURE -> new Frame.Failure(0, a.fatal(), a.body());
                        default -> new Frame.Unsendable(0, a.position(), a.message());
                    };
            return CallCoding.decode(method, frame, loader, admission);
        }
        if (reply instanceof Wire.TimedOut t) {
            return failure(
                    Failures.timeout(
                            method,
                            Duration.ofMillis(t.timeoutMillis()),
                            Duration.ofMillis(t.elapsedMillis()),
                            t.where(),
                            t.stack()));
        }
        if (reply instanceof Wire.Crashed c) {
            return failure(
                    Failures.crashedElsewhere(
                            "on " + node + ": " + c.message() + attempt,
                            c.workerName(),
                            c.pid(),
                            c.exitCode(),
                            c.stderrTail(),
                            c.stdoutTail(),
                            null));
        }
        if (reply instanceof Wire.Unrunnable u) {
            return failure(Failures.cannotRunOn(method, node, u.why()));
        }
        throw new IllegalArgumentException("a refusal settles no call: " + reply);
    }

    private static CallCoding.Outcome failure(Throwable failure) {
        return new CallCoding.Outcome(null, failure, false);
    }

    /** The gist of what Ignite said: its messages describe its internals at length. */
    public static String brief(Throwable error) {
        String said = String.valueOf(error.getMessage());
        int internals = said.indexOf(": GridTaskWorker [");
        if (internals > 0) {
            said = said.substring(0, internals);
        }
        return said.length() <= 300 ? said : said.substring(0, 300) + "...";
    }
}
