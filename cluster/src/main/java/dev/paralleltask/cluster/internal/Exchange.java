package dev.paralleltask.cluster.internal;

import java.io.DataInputStream;
import java.io.IOException;
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
            DataInputStream in = Wire.reader(bytes);
            if (in.readInt() != MAGIC) {
                throw new IOException(
                        "not a message of this version of paralleltask: the client and the node"
                                + " run different versions of paralleltask-cluster");
            }
            int kind = in.readByte();
            UUID session = new UUID(in.readLong(), in.readLong());
            return switch (kind) {
                case Send.KIND -> Send.read(session, in);
                case Poll.KIND -> new Poll(session, in.readLong());
                case Cancel.KIND -> new Cancel(session, in.readLong(), in.readBoolean());
                case Withdraw.KIND -> new Withdraw(session, in.readInt());
                case Close.KIND -> new Close(session);
                default -> throw new IOException("unknown message kind " + kind);
            };
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
            int size = 64;
            for (byte[] r : requests) {
                size += 4 + r.length;
            }
            return message(
                    size,
                    KIND,
                    session,
                    out -> {
                        out.writeLong(first);
                        out.writeLong(grant);
                        out.writeLong(waitMillis);
                        out.writeInt(requests.size());
                        for (byte[] r : requests) {
                            Wire.writeBytes(out, r);
                        }
                    });
        }

        static Send read(UUID session, DataInputStream in) throws IOException {
            long first = in.readLong();
            long grant = in.readLong();
            long waitMillis = in.readLong();
            int n = in.readInt();
            if (n < 0 || n > in.available()) {
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
            return message(KIND, session, out -> out.writeLong(grant));
        }
    }

    /** Cancels a call: one not started never starts; a running one is stopped if asked. */
    public record Cancel(UUID session, long index, boolean interrupt) implements Message {
        static final int KIND = 3;

        @Override
        public byte[] toBytes() {
            return message(
                    KIND,
                    session,
                    out -> {
                        out.writeLong(index);
                        out.writeBoolean(interrupt);
                    });
        }
    }

    /** Takes back up to {@code count} calls the node has not started, the last sent first. */
    public record Withdraw(UUID session, int count) implements Message {
        static final int KIND = 4;

        @Override
        public byte[] toBytes() {
            return message(KIND, session, out -> out.writeInt(count));
        }
    }

    /** Ends the session: what it has not started never starts, what runs is stopped. */
    public record Close(UUID session) implements Message {
        static final int KIND = 5;

        @Override
        public byte[] toBytes() {
            return message(KIND, session, out -> {});
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
            int size = 40 + 8 * returned.size();
            for (Answered a : answers) {
                size += 12 + a.reply().length;
            }
            return Wire.write(
                    size,
                    out -> {
                        out.writeInt(MAGIC);
                        out.writeLong(frontier);
                        out.writeInt(free);
                        out.writeInt(room);
                        out.writeBoolean(leaving);
                        out.writeInt(admitted);
                        out.writeInt(answers.size());
                        for (Answered a : answers) {
                            out.writeLong(a.index());
                            Wire.writeBytes(out, a.reply());
                        }
                        out.writeInt(returned.size());
                        for (long index : returned) {
                            out.writeLong(index);
                        }
                    });
        }

        /**
         * @throws IOException if the bytes are not a reply of this version
         */
        public static Reply fromBytes(byte[] bytes) throws IOException {
            DataInputStream in = Wire.reader(bytes);
            if (in.readInt() != MAGIC) {
                throw new IOException("not a reply of this version of paralleltask-cluster");
            }
            long frontier = in.readLong();
            int free = in.readInt();
            int room = in.readInt();
            boolean leaving = in.readBoolean();
            int admitted = in.readInt();
            int n = in.readInt();
            if (n < 0 || n > in.available()) {
                throw new IOException("malformed: " + n + " answers announced");
            }
            List<Answered> answers = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                answers.add(new Answered(in.readLong(), Wire.readBytes(in)));
            }
            int r = in.readInt();
            if (r < 0 || r > in.available()) {
                throw new IOException("malformed: " + r + " returned calls announced");
            }
            List<Long> returned = new ArrayList<>(r);
            for (int i = 0; i < r; i++) {
                returned.add(in.readLong());
            }
            return new Reply(frontier, free, room, leaving, admitted, answers, returned);
        }
    }

    /** A call's answer: a {@link Wire.Reply}'s bytes. */
    public record Answered(long index, byte[] reply) {}

    private static byte[] message(int kind, UUID session, Wire.Writing body) {
        return message(64, kind, session, body);
    }

    private static byte[] message(int size, int kind, UUID session, Wire.Writing body) {
        return Wire.write(
                size,
                out -> {
                    out.writeInt(MAGIC);
                    out.writeByte(kind);
                    out.writeLong(session.getMostSignificantBits());
                    out.writeLong(session.getLeastSignificantBits());
                    body.to(out);
                });
    }
}
