package dev.paralleltask.runtime.internal.wire;

import java.io.IOException;
import java.net.ProtocolException;

/**
 * How a {@link Frame} is laid out in bytes, shared by {@link FrameChannel} and {@link FrameRing}:
 * {@code [int length][byte type][long id][int aux][body]}, little-endian, where {@code length}
 * counts everything after itself. {@code aux} carries a frame's small field (the worker id of a
 * {@code Hello}, the fatal flag of a {@code Failure}, the position of an {@code Unsendable}, the
 * timeout of a {@code Call}).
 */
final class FrameFormat {
    static final int HEADER_AFTER_LENGTH = 1 + 8 + 4;

    private static final byte HELLO = 1;
    private static final byte CALL = 2;
    private static final byte RESULT = 3;
    private static final byte FAILURE = 4;
    private static final byte UNSENDABLE = 5;
    private static final byte STOP = 6;
    private static final byte BYE = 7;
    private static final byte REVOKE = 8;
    private static final byte DROPPED = 9;
    private static final byte DOORBELL = 10;
    private static final byte ON_SOCKET = 11;
    private static final byte STACK_REQUEST = 12;
    private static final byte STACK = 13;
    private static final byte[] NO_BODY = new byte[0];

    /** Takes a frame's parts, to put them in bytes. */
    interface Sink {
        void put(byte type, long id, int aux, byte[] body) throws IOException;
    }

    private FrameFormat() {}

    static void encode(Frame frame, Sink sink) throws IOException {
        if (frame instanceof Frame.Call call) {
            sink.put(CALL, call.id(), call.timeoutMillis(), call.body());
        } else if (frame instanceof Frame.Result result) {
            sink.put(RESULT, result.id(), 0, result.body());
        } else if (frame instanceof Frame.Failure failure) {
            sink.put(FAILURE, failure.id(), failure.fatal() ? 1 : 0, failure.body());
        } else if (frame instanceof Frame.Unsendable u) {
            ByteSink message = new ByteSink(16 + u.message().length() + u.cause().length);
            message.writeString(u.message());
            message.write(u.cause(), 0, u.cause().length);
            sink.put(UNSENDABLE, u.id(), u.position(), message.toByteArray());
        } else if (frame instanceof Frame.Hello hello) {
            sink.put(HELLO, hello.pid(), hello.workerId(), hello.secret());
        } else if (frame instanceof Frame.Stop) {
            sink.put(STOP, 0, 0, NO_BODY);
        } else if (frame instanceof Frame.Bye) {
            sink.put(BYE, 0, 0, NO_BODY);
        } else if (frame instanceof Frame.Revoke revoke) {
            sink.put(REVOKE, revoke.id(), revoke.interrupt() ? 1 : 0, NO_BODY);
        } else if (frame instanceof Frame.StackRequest request) {
            sink.put(STACK_REQUEST, request.id(), 0, NO_BODY);
        } else if (frame instanceof Frame.Stack stack) {
            sink.put(STACK, stack.id(), 0, stack.body());
        } else if (frame instanceof Frame.Dropped dropped) {
            sink.put(DROPPED, dropped.id(), 0, NO_BODY);
        } else if (frame instanceof Frame.Doorbell) {
            sink.put(DOORBELL, 0, 0, NO_BODY);
        } else if (frame instanceof Frame.OnSocket) {
            sink.put(ON_SOCKET, 0, 0, NO_BODY);
        } else {
            throw new AssertionError(frame);
        }
    }

    static Frame decode(byte type, long id, int aux, byte[] body) throws ProtocolException {
        switch (type) {
            case CALL:
                return new Frame.Call(id, body, aux);
            case RESULT:
                return new Frame.Result(id, body);
            case FAILURE:
                return new Frame.Failure(id, aux != 0, body);
            case UNSENDABLE:
                try {
                    ByteSource in = new ByteSource(body);
                    String message = in.readString();
                    return new Frame.Unsendable(id, aux, message, in.readBytes(in.remaining()));
                } catch (IOException e) {
                    throw new ProtocolException("malformed message of Unsendable: " + e);
                }
            case HELLO:
                return new Frame.Hello(id, aux, body);
            case STOP:
                return new Frame.Stop();
            case BYE:
                return new Frame.Bye();
            case REVOKE:
                return new Frame.Revoke(id, aux != 0);
            case STACK_REQUEST:
                return new Frame.StackRequest(id);
            case STACK:
                return new Frame.Stack(id, body);
            case DROPPED:
                return new Frame.Dropped(id);
            case DOORBELL:
                return new Frame.Doorbell();
            case ON_SOCKET:
                return new Frame.OnSocket();
            default:
                throw new ProtocolException("unknown frame type " + type);
        }
    }
}
