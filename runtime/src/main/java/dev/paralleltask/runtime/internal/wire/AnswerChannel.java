package dev.paralleltask.runtime.internal.wire;

import java.io.EOFException;
import java.io.IOException;

/**
 * A worker's answers to its pool, in the order the worker gives them. Each goes into the {@link
 * FrameRing}: no system call, and the answer is the pool's the moment it is published, even if the
 * worker dies right after. The socket carries only what the ring cannot:
 *
 * <ul>
 *   <li>a {@link Frame.Doorbell} when the pool has run out of answers and waits on the socket;
 *   <li>an answer too large for the ring. The worker writes it to the socket first, then puts
 *       {@link Frame.OnSocket} in the ring where it belongs. A pool that is waiting on the socket
 *       takes it from there at once (the ring was empty, so it is next) and later skips its marker;
 *       a pool that meets the marker first reads it from the socket.
 * </ul>
 *
 * A worker may {@link #send} from any thread; the pool reads from one thread. Runners send their
 * answers with {@link #send}, which waits for room outside the channel's lock; the thread that
 * reads the pool's frames sends with {@link #sendUrgent}, into room that {@link #send} leaves free,
 * and so never waits for a runner that waits for the pool.
 */
public final class AnswerChannel {
    private final FrameRing ring;
    private final FrameChannel channel;

    /** Pool side: answers taken from the socket before their marker came out of the ring. */
    private int aheadOfRing;

    public AnswerChannel(FrameRing ring, FrameChannel channel) {
        this.ring = ring;
        this.channel = channel;
    }

    /**
     * Ring space that {@link #send} leaves free for {@link #sendUrgent}: room for hundreds of the
     * small frames a worker's reader sends (a {@link Frame.Dropped} takes 24 bytes), so that a
     * steal of every waiting call finds room at once.
     */
    static final int URGENT_ROOM = 16 * 1024;

    private static final int WAIT_FOR = URGENT_ROOM + FrameRing.roomFor(FrameRing.MAX_FRAME_BYTES);

    /**
     * Worker side: gives the pool an answer, waiting for the pool to make room if it is behind.
     * Waits without the channel's lock, so it never holds up {@link #sendUrgent}.
     */
    public void send(Frame answer) throws IOException {
        assert !Thread.holdsLock(this) : "a runner waits for room without the channel's lock";
        while (!publish(answer, URGENT_ROOM)) {
            ring.awaitRoom(WAIT_FOR);
        }
    }

    /**
     * Worker side, for the thread that reads the pool's frames: gives the pool a frame at once,
     * into the room {@link #send} keeps free. It waits only if even that room is full, which means
     * the pool has not read its ring for hundreds of such frames; the pool's reader never waits on
     * this worker (runtime/CONCURRENCY.md).
     */
    public void sendUrgent(Frame frame) throws IOException {
        while (!publish(frame, 0)) {
            ring.awaitRoom(FrameRing.roomFor(FrameRing.MAX_FRAME_BYTES));
        }
    }

    /**
     * Publishes a frame if the ring has room for it and {@code keepFree} bytes more; a frame too
     * large for the ring goes on the socket, with its marker in the ring. False if there was no
     * room: nothing was sent.
     */
    private synchronized boolean publish(Frame frame, int keepFree) throws IOException {
        switch (ring.tryOffer(frame, keepFree)) {
            case NO_ROOM:
                return false;
            case TOO_LARGE:
                if (ring.tryOffer(new Frame.OnSocket(), keepFree) == FrameRing.Offer.NO_ROOM) {
                    return false; // the marker must follow the socket's frame: room first
                }
                // The marker is published; the pool that meets it reads the socket, and waits
                // there until the frame is written in full.
                channel.write(frame);
                break;
            default:
                break;
        }
        if (ring.takeWakeUp()) {
            channel.write(new Frame.Doorbell());
        }
        return true;
    }

    /**
     * Pool side: the next answer if one is at hand, else null. It may read the socket, but only for
     * an answer that the worker has already written there in full.
     */
    public Frame poll(int maxBody) throws IOException {
        for (Frame frame; (frame = ring.poll()) != null; ) {
            if (!(frame instanceof Frame.OnSocket)) {
                return frame;
            }
            if (aheadOfRing == 0) {
                return readSocket(maxBody);
            }
            aheadOfRing--;
        }
        return null;
    }

    /**
     * Pool side: waits for the next answer, or for a frame the worker sends on the socket only
     * ({@link Frame.Bye}).
     *
     * @throws EOFException when the worker has gone and every answer it gave has been taken
     */
    public Frame take(int maxBody) throws IOException {
        while (true) {
            Frame frame = poll(maxBody);
            if (frame != null) {
                return frame;
            }
            if (!ring.sleep()) {
                continue;
            }
            try {
                frame = channel.read(maxBody);
            } catch (EOFException e) {
                // The worker may have published after we looked and died before it rang.
                Frame last = poll(maxBody);
                if (last == null) {
                    throw e;
                }
                return last;
            }
            if (!(frame instanceof Frame.Doorbell)) {
                if (!(frame instanceof Frame.Bye)) {
                    aheadOfRing++;
                }
                return frame;
            }
        }
    }

    private Frame readSocket(int maxBody) throws IOException {
        while (true) {
            Frame frame = channel.read(maxBody);
            if (!(frame instanceof Frame.Doorbell)) {
                return frame;
            }
        }
    }
}
