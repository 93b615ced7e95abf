package dev.paralleltask.cluster.internal;

import dev.paralleltask.cluster.NodeInfo;
import dev.paralleltask.cluster.Tls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.ignite.Ignition;
import org.apache.ignite.client.ClientCompute;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.cluster.ClusterNode;

/**
 * The paralleltask nodes a {@code ClusterExecutor} knows: which of the cluster's servers are nodes
 * (they announce {@link IgniteSetup#CAPACITY} and {@link IgniteSetup#CLIENT_ADDRESS}), each with a
 * connection of its own, so that a call and its answer go through no other node (a call sent
 * through another would fail when that node dies, though its own lives). New nodes go to the
 * dispatcher, and so do the ones gone; calls queued with no node reachable for too long fail.
 */
public final class KnownNodes {
    /** A node as the executor knows it. */
    public record Node(
            UUID id,
            String name,
            List<String> addresses,
            int capacity,
            IgniteClient channel,
            ClientCompute compute) {

        @Override
        public String toString() {
            return "node " + name;
        }

        /** What the node says of its workers and the calls it holds; empty if it does not say. */
        public Wire.Workers describe() {
            try {
                byte[] bytes =
                        compute.<Object, byte[]>executeAsync2(DescribeTask.class.getName(), null)
                                .get(10, TimeUnit.SECONDS);
                return Wire.Workers.fromBytes(bytes);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // it did not answer in time: listed without them
            }
            return new Wire.Workers(List.of(), -1);
        }
    }

    /** A connection to the nodes the user named, to learn which nodes there are. */
    private final IgniteClient client;

    private final Tls tls;
    private final Executor answers;
    private final ClusterDispatcher dispatcher;
    private final String description;
    private final Duration noNodeTimeout;

    private final ReentrantLock lock = new ReentrantLock();

    /** By Ignite id; guarded by the lock. */
    private final Map<UUID, Node> nodes = new LinkedHashMap<>();

    /** When it last saw no node at all (System.nanoTime()), or 0; guarded by the lock. */
    private long noNodesSince;

    /** Whether the executor ended: it connects to no more nodes; guarded by the lock. */
    private boolean closed;

    /**
     * @param client connected to the nodes the user named
     * @param tls for the connections to each node, or null
     * @param answers where each node's connection completes its replies
     */
    public KnownNodes(
            IgniteClient client,
            Tls tls,
            Executor answers,
            ClusterDispatcher dispatcher,
            String description,
            Duration noNodeTimeout) {
        this.client = client;
        this.tls = tls;
        this.answers = answers;
        this.dispatcher = dispatcher;
        this.description = description;
        this.noNodeTimeout = noNodeTimeout;
    }

    /** The nodes it knows now. */
    public List<Node> list() {
        lock.lock();
        try {
            return List.copyOf(nodes.values());
        } finally {
            lock.unlock();
        }
    }

    /**
     * The nodes it knows, each with its worker processes and the calls it holds as it reports them
     * now, and this executor's calls it runs.
     */
    public List<NodeInfo> infos() {
        List<NodeInfo> infos = new ArrayList<>();
        for (Node n : list()) {
            int running = dispatcher.running(n.id());
            Wire.Workers described = n.describe();
            infos.add(
                    new NodeInfo(
                            n.name(),
                            n.id().toString(),
                            n.addresses(),
                            n.capacity(),
                            running,
                            described.held(),
                            Exchange.admits(n.capacity()),
                            described.workers()));
        }
        return infos;
    }

    /**
     * Learns which nodes there are, connects to new ones and hands them to the dispatcher, and
     * takes those gone off it (their calls go elsewhere or fail, as its loss rule says). Once no
     * node was reachable for the no-node timeout, the queued calls fail.
     */
    public void refresh() {
        Set<UUID> known;
        lock.lock();
        try {
            known = Set.copyOf(nodes.keySet());
        } finally {
            lock.unlock();
        }
        Set<UUID> present = new HashSet<>();
        List<Node> fresh = new ArrayList<>();
        for (ClusterNode n : servers()) {
            Integer capacity = n.attribute(IgniteSetup.CAPACITY);
            String clientAddress = n.attribute(IgniteSetup.CLIENT_ADDRESS);
            if (capacity == null || clientAddress == null) {
                continue; // an Ignite server that is not a paralleltask node
            }
            present.add(n.id());
            if (!known.contains(n.id())) {
                try {
                    IgniteClient channel =
                            Ignition.startClient(
                                    IgniteSetup.nodeClient(clientAddress, tls, answers));
                    fresh.add(
                            new Node(
                                    n.id(),
                                    n.attribute(IgniteSetup.NAME),
                                    List.copyOf(n.addresses()),
                                    capacity,
                                    channel,
                                    channel.compute(channel.cluster().forNodeId(n.id()))));
                } catch (RuntimeException e) {
                    present.remove(n.id()); // not reachable now; the next refresh tries again
                }
            }
        }
        boolean stranded = false;
        List<Node> gone = new ArrayList<>();
        List<Node> added = new ArrayList<>();
        List<Node> extra = new ArrayList<>();
        lock.lock();
        try {
            for (var it = nodes.values().iterator(); it.hasNext(); ) {
                Node n = it.next();
                if (!present.contains(n.id())) {
                    gone.add(n);
                    it.remove();
                }
            }
            for (Node n : fresh) {
                (closed || nodes.putIfAbsent(n.id(), n) != null ? extra : added).add(n);
            }
            if (nodes.isEmpty()) {
                long t = System.nanoTime();
                if (noNodesSince == 0) {
                    noNodesSince = t;
                } else if (t - noNodesSince > noNodeTimeout.toNanos()) {
                    stranded = true;
                }
            } else {
                noNodesSince = 0;
            }
        } finally {
            lock.unlock();
        }
        gone.forEach(n -> dispatcher.gone(n.id())); // the dispatcher closes its connection
        extra.forEach(n -> n.channel().close());
        added.forEach(
                n ->
                        dispatcher.added(
                                n.id(),
                                n.name(),
                                n.capacity(),
                                new IgniteLink(n.channel(), n.compute())));
        if (stranded) {
            dispatcher.failQueued(
                    description,
                    "no cluster node was reachable for "
                            + noNodeTimeout.toSeconds()
                            + " s; start nodes, or check the addresses it connects to");
        }
    }

    /** Connects to no more nodes: the executor ended (the dispatcher closes their connections). */
    public void close() {
        lock.lock();
        try {
            closed = true;
            nodes.clear();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The servers of the cluster: as the nodes the executor was told to connect to say, else as any
     * node it knows says, else none.
     */
    private Collection<ClusterNode> servers() {
        try {
            return client.cluster().forServers().nodes();
        } catch (RuntimeException e) {
            for (Node n : list()) {
                try {
                    return n.channel().cluster().forServers().nodes();
                } catch (RuntimeException other) {
                    // that node is gone too; ask the next
                }
            }
            return List.of();
        }
    }
}
