package dev.paralleltask.cluster.internal;

import java.util.ArrayList;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a {@link ClusterDispatcher} decided under its lock and does once it is let go: messages to
 * nodes, futures settled; then it tells its executor that calls may have ended.
 */
final class Actions {
    /** What a node's reply to a message means, taken in under the dispatcher's lock. */
    @FunctionalInterface
    interface Reaction {
        void to(NodeLine line, Exchange.Message sent, Exchange.Reply reply, Throwable error);
    }

    /** For messages whose reply says nothing new: a cancel's. */
    static final Reaction IGNORED = (line, sent, reply, error) -> {};

    private final ReentrantLock lock;
    private final Runnable after;
    private final ArrayList<Runnable> list = new ArrayList<>();

    Actions(ReentrantLock lock, Runnable after) {
        this.lock = lock;
        this.after = after;
    }

    /** Sends {@code message} to the node, and reacts to its reply. */
    void exchange(NodeLine line, Exchange.Message message, Reaction reaction) {
        list.add(
                () ->
                        line.link
                                .exchange(message)
                                .whenComplete(
                                        (reply, error) ->
                                                reaction.to(line, message, reply, error)));
    }

    void add(Runnable action) {
        list.add(action);
    }

    /** Makes room for {@code more} actions at once: a reply's answers each settle a call. */
    void expect(int more) {
        list.ensureCapacity(list.size() + more);
    }

    void run() {
        assert !lock.isHeldByCurrentThread() : "messages go out after the lock is let go";
        list.forEach(Runnable::run);
        after.run();
    }
}
