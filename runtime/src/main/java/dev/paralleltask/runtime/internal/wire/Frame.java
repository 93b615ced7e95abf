package dev.paralleltask.runtime.internal.wire;

/**
 * A message on the channel between the parent and one worker.
 *
 * <p>The worker opens with {@link Hello}. The parent sends {@link Call}s, several ahead of the one
 * running; the worker runs them one at a time in the order sent, and answers each with a {@link
 * Result}, a {@link Failure} or an {@link Unsendable}, in that order. The parent may take back a
 * call it sent with {@link Revoke}: a call the worker has not started it drops and answers {@link
 * Dropped} at once, before it starts any later call. {@link Stop} asks the worker to leave, and it
 * answers {@link Bye} before it exits. A worker that goes away without {@code Bye} crashed.
 *
 * <p>The worker's answers travel through a {@link FrameRing}, memory both processes map, so an
 * answer is delivered even when the worker dies right after giving it; {@link AnswerChannel} says
 * how the ring and the socket take turns ({@link Doorbell}, {@link OnSocket}).
 */
public sealed interface Frame {
    /** What the parent sends a worker. */
    sealed interface ToWorker extends Frame {}

    /** What a worker sends the parent. */
    sealed interface FromWorker extends Frame {}

    /** A worker's answer to one call: it settles that call. */
    sealed interface Answer extends FromWorker {
        /** The call answered. */
        long id();
    }

    /** The worker's first frame: who it is, and the pool's secret to prove it was started by us. */
    record Hello(long pid, int workerId, byte[] secret) implements FromWorker {}

    /**
     * Run a call; the body is {@link CallCodec}'s. {@code timeoutMillis}, when above 0, is its
     * timeout: the worker says where the call is just before it runs out ({@link Stack}).
     */
    record Call(long id, byte[] body, int timeoutMillis) implements ToWorker {
        /** A call with no timeout. */
        public Call(long id, byte[] body) {
            this(id, body, 0);
        }
    }

    /** The call returned; the body is {@link CallCodec#encodeResult}'s. */
    record Result(long id, byte[] body) implements Answer {}

    /**
     * The task threw; the body is {@link ThrowableCodec}'s. {@code fatal} when what it threw leaves
     * the worker unfit for further tasks ({@link ThrowableCodec#isFatal}).
     */
    record Failure(long id, boolean fatal, byte[] body) implements Answer {}

    /**
     * A value of the call could not cross the channel: an argument or the target could not be
     * rebuilt in the worker, or the result could not be serialized. {@code position} is as in
     * {@link ValueCodingException#position()}; {@code cause} is why, as {@link
     * ThrowableCodec#encode} wrote it, or empty.
     */
    record Unsendable(long id, int position, String message, byte[] cause) implements Answer {
        public Unsendable(long id, int position, String message) {
            this(id, position, message, new byte[0]);
        }
    }

    /**
     * Take back a call: if the worker has not started it, it must never start it and is answered
     * with {@link Dropped}. If it is running and {@code interrupt} is set, the worker halts at
     * once, which stops the call for sure; otherwise the call's answer comes as usual.
     */
    record Revoke(long id, boolean interrupt) implements ToWorker {}

    /**
     * Send the stack of the thread running call {@code id}: the call ran past its timeout, and its
     * worker is about to be killed.
     */
    record StackRequest(long id) implements ToWorker {}

    /**
     * The stack of the thread running call {@code id}, as {@link ThrowableCodec} encodes a
     * throwable that holds it; empty when the worker no longer runs that call.
     */
    record Stack(long id, byte[] body) implements FromWorker {}

    /** The worker dropped a revoked call without starting it. */
    record Dropped(long id) implements FromWorker {}

    /**
     * On the socket: the worker put answers in the ring while the pool was waiting on the socket.
     */
    record Doorbell() implements FromWorker {}

    /** In the ring: the next answer, too large for the ring, went over the socket. */
    record OnSocket() implements FromWorker {}

    /** The parent asks the worker to finish. */
    record Stop() implements ToWorker {}

    /** The worker is leaving on purpose. */
    record Bye() implements FromWorker {}
}
