package dev.paralleltask.cluster.internal;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The session protocol between a client and a node, as bytes: calls go to a node in numbered
 * batches, answers come back in batches as they are ready.
 *
 * <p>A client numbers the calls it sends a node in one session 1, 2, 3, ...; the node starts them
 * in that order, and only up to the number the client last granted ({@link Send#grant}, {@link
 * Poll#grant}). The client grants what the node can start now: as many calls as its last reply said
 * it had free workers and had just answered. So when a node is lost with calls unanswered, the
 * client knows which may have run, whatever failed and however Ignite worded it: those numbered up
 * to its grant. The rest never started, and go elsewhere. See {@code CallSessions} (the node's
 * side) and {@code ClusterDispatcher} (the client's).
 */
public final class Exchange {
    private Exchange() {}

    private static final int MAGIC = 0x50545332; // "PTS2"

    /**
     * How many calls a node of {@code capacity} workers holds at once, all its clients together:
     * what its workers run and a bounded queue. Beyond it, a node admits no more and clients send
     * elsewhere. The queue is deep enough for a client's batch of {@link NodeTraffic#MAX_BATCH}
     * short calls to find room while the node's workers run the last one: with 256, each message
     * carried about a hundred calls and the workers waited between messages (a map of no-op calls
     * through one node, in one harness: 140,000 calls/s with 256, 260,000-275,000 with 1,024, the
     * client, the node and its workers each spending about half the CPU per call).
     */
    public static int admits(int capacity) {
        return capacity + Math.max(1_024, 128 * capacity);
    }

    /**
     * The most bytes of calls waiting to start that a node holds, all its clients together, so that
     * calls with large arguments do not fill its heap: a node admits a call that would go beyond it
     * only when none waits.
     */
    public static final long ADMIT_BYTES = 64L << 20;

    /** What a client asks of a node. */
    public sealed interface Message {
        UUID session();

        byte[] toBytes();

        /**
         * @throws IOException if the bytes are not a message of this version
         */
        static Message fromBytes(byte[] bytes) throws IOException {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            try {
                if (in.getInt() != MAGIC) {
                    throw new IOException(
                            "not a message of this version of paralleltask: the client and the"
                                    + " node run different versions of paralleltask-cluster");
                }
                int kind = in.get();
                UUID session = new UUID(in.getLong(), in.getLong());
                return switch (kind) {
                    case Send.KIND -> Send.read(session, in);
                    case Poll.KIND -> new Poll(session, in.getLong());
                    case Cancel.KIND -> new Cancel(session, in.getLong(), in.get() != 0);
                    case Withdraw.KIND -> new Withdraw(session, in.getInt());
                    case Close.KIND -> new Close(session);
                    default -> throw new IOException("unknown message kind " + kind);
                };
            } catch (BufferUnderflowException e) {
                throw new IOException("malformed: the message ends early", e);
            }
        }
    }

    /**
     * Calls numbered from {@code first}, each a {@link CallRequest}'s bytes; the node may start
     * those numbered up to {@code grant}, and may hold its reply up to {@code waitMillis} for the
     * session's first answers, which the reply then brings as a poll's would.
     */
    public record Send(UUID session, long first, long grant, long waitMillis, List<byte[]> requests)
            implements Message {
        static final int KIND = 1;

        @Override
        public byte[] toBytes() {
            int size = 28;
            for (byte[] r : requests) {
                size += 4 + r.length;
            }
            ByteBuffer out =
                    message(size, KIND, session)
                            .putLong(first)
                            .putLong(grant)
                            .putLong(waitMillis)
                            .putInt(requests.size());
            for (byte[] r : requests) {
                out.putInt(r.length).put(r);
            }
            return out.array();
        }

        static Send read(UUID session, ByteBuffer in) throws IOException {
            long first = in.getLong();
            long grant = in.getLong();
            long waitMillis = in.getLong();
            int n = in.getInt();
            if (n < 0 || n > in.remaining()) {
                throw new IOException("malformed: " + n + " calls announced");
            }
            List<byte[]> requests = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                requests.add(Wire.readBytes(in));
            }
            return new Send(session, first, grant, waitMillis, requests);
        }
    }

    /**
     * Asks for what is ready (the node waits a little for something); the node may start the calls
     * numbered up to {@code grant}.
     */
    public record Poll(UUID session, long grant) implements Message {
        static final int KIND = 2;

        @Override
        public byte[] toBytes() {
            return message(8, KIND, session).putLong(grant).array();
        }
    }

    /** Cancels a call: one not started never starts; a running one is stopped if asked. */
    public record Cancel(UUID session, long index, boolean interrupt) implements Message {
        static final int KIND = 3;

        @Override
        public byte[] toBytes() {
            return message(9, KIND, session).putLong(index).put((byte) (interrupt ? 1 : 0)).array();
        }
    }

    /** Takes back up to {@code count} calls the node has not started, the last sent first. */
    public record Withdraw(UUID session, int count) implements Message {
        static final int KIND = 4;

        @Override
        public byte[] toBytes() {
            return message(4, KIND, session).putInt(count).array();
        }
    }

    /** Ends the session: what it has not started never starts, what runs is stopped. */
    public record Close(UUID session) implements Message {
        static final int KIND = 5;

        @Override
        public byte[] toBytes() {
            return message(0, KIND, session).array();
        }
    }

    /**
     * What a node says to a message: the number of the session's last start (-1: it knows no such
     * session), its workers free now, the calls it admits beyond what it holds, whether it is
     * leaving, how many calls of a {@link Send} it admitted (the first ones; it gives the rest
     * back, as it is full or leaving), the answers ready for the session, and the calls it gives
     * back unstarted (withdrawn, or the node is leaving).
     */
    public record Reply(
            long frontier,
            int free,
            int room,
            boolean leaving,
            int admitted,
            List<Answered> answers,
            List<Long> returned) {

        /** A node's reply when it knows no such session. */
        public static Reply unknown(int free, int room, boolean leaving) {
            return new Reply(-1, free, room, leaving, 0, List.of(), List.of());
        }

        /** This reply to a batch with what a poll then took: one reply of both. */
        Reply with(Reply took) {
            return new Reply(
                    Math.max(frontier, took.frontier),
                    took.free,
                    took.room,
                    took.leaving,
                    admitted,
                    took.answers,
                    took.returned);
        }

        /** Its answers, read; for the client's thread that takes the reply, not under a lock. */
        List<Wire.Reply> replies() throws IOException {
            List<Wire.Reply> read = new ArrayList<>(answers.size());
            for (Answered a : answers) {
                read.add(Wire.Reply.fromBytes(a.reply()));
            }
            return read;
        }

        public byte[] toBytes() {
            int size = 33 + 8 * returned.size();
            for (Answered a : answers) {
                size += 12 + a.reply().length;
            }
            ByteBuffer out =
                    ByteBuffer.allocate(size)
                            .putInt(MAGIC)
                            .putLong(frontier)
                            .putInt(free)
                            .putInt(room)
                            .put((byte) (leaving ? 1 : 0))
                            .putInt(admitted)
                            .putInt(answers.size());
            for (Answered a : answers) {
                out.putLong(a.index()).putInt(a.reply().length).put(a.reply());
            }
            out.putInt(returned.size());
            for (long index : returned) {
                out.putLong(index);
            }
            assert !out.hasRemaining() : "a reply fills its bytes";
            return out.array();
        }

        /**
         * @throws IOException if the bytes are not a reply of this version
         */
        public static Reply fromBytes(byte[] bytes) throws IOException {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            try {
                if (in.getInt() != MAGIC) {
                    throw new IOException("not a reply of this version of paralleltask-cluster");
                }
                long frontier = in.getLong();
                int free = in.getInt();
                int room = in.getInt();
                boolean leaving = in.get() != 0;
                int admitted = in.getInt();
                int n = in.getInt();
                if (n < 0 || n > in.remaining()) {
                    throw new IOException("malformed: " + n + " answers announced");
                }
                List<Answered> answers = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    answers.add(new Answered(in.getLong(), Wire.readBytes(in)));
                }
                int r = in.getInt();
                if (r < 0 || r > in.remaining()) {
                    throw new IOException("malformed: " + r + " returned calls announced");
                }
                List<Long> returned = new ArrayList<>(r);
                for (int i = 0; i < r; i++) {
                    returned.add(in.getLong());
                }
                return new Reply(frontier, free, room, leaving, admitted, answers, returned);
            } catch (BufferUnderflowException e) {
                throw new IOException("malformed: the reply ends early", e);
            }
        }
    }

    /** A call's answer: a {@link Wire.Reply}'s bytes. */
    public record Answered(long index, byte[] reply) {}

    /** A message's bytes with its header written, room for a body of {@code bodySize} after it. */
    private static ByteBuffer message(int bodySize, int kind, UUID session) {
        return ByteBuffer.allocate(21 + bodySize)
                .putInt(MAGIC)
                .put((byte) kind)
                .putLong(session.getMostSignificantBits())
                .putLong(session.getLeastSignificantBits());
    }
}
