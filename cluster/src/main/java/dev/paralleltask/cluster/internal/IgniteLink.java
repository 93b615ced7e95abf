package dev.paralleltask.cluster.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.ignite.client.ClientCompute;
import org.apache.ignite.client.IgniteClient;

/**
 * A {@link NodeLink} over Ignite: each message is a {@link SessionTask} run on that node alone,
 * through a connection to that node alone (a message relayed by another node would fail when that
 * node dies, though its own node lives).
 */
public final class IgniteLink implements NodeLink {
    private final IgniteClient channel;
    private final ClientCompute compute;

    /**
     * @param channel a connection to the node, closed with this link
     * @param compute the node's compute, through {@code channel}
     */
    public IgniteLink(IgniteClient channel, ClientCompute compute) {
        this.channel = channel;
        this.compute = compute;
    }

    @Override
    public CompletionStage<Exchange.Reply> exchange(Exchange.Message message) {
        try {
            return compute.<byte[], byte[]>executeAsync2(
                            SessionTask.class.getName(), message.toBytes())
                    .thenApply(IgniteLink::reply);
        } catch (RuntimeException e) { // the connection is closed
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Exchange.Reply reply(byte[] bytes) {
        try {
            return Exchange.Reply.fromBytes(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        channel.close();
    }
}
