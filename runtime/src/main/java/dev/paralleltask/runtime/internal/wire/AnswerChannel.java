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
 * A worker may {@link #send} from any thread; the pool reads from one thread.
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

    /** Worker side: gives the pool an answer. */
    public synchronized void send(Frame answer) throws IOException {
        if (!ring.offer(answer)) {
            channel.write(answer);
            ring.offer(new Frame.OnSocket());
        }
        if (ring.takeWakeUp()) {
            channel.write(new Frame.Doorbell());
        }
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
