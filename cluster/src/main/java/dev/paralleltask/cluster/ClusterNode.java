package dev.paralleltask.cluster;

import dev.paralleltask.cluster.internal.IgniteSetup;
import dev.paralleltask.cluster.internal.LocalNodes;
import dev.paralleltask.cluster.internal.TlsProbe;
import dev.paralleltask.runtime.ProcessPool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.events.DiscoveryEvent;
import org.apache.ignite.events.EventType;

/**
 * A cluster node: an Apache Ignite server node that clients ({@link ClusterExecutor}) send calls
 * to, and its own {@link ProcessPool} of worker JVMs that runs them. A crash, a timeout or an
 * out-of-memory error kills one worker JVM, never the node. The application's jar (its tasks and
 * their generated proxies) must be on every node's classpath: nodes load no code from clients.
 *
 * <p>Started from the command line ({@code --help} lists the options):
 *
 * <pre>
 * java -cp app.jar:libs/* dev.paralleltask.cluster.ClusterNode \
 *     --host 10.0.0.7 --join 10.0.0.7:47500,10.0.0.8:47500 --workers 4
 * </pre>
 *
 * or embedded:
 *
 * <pre>{@code
 * try (ClusterNode node = ClusterNode.builder().workers(4).start()) { ... }
 * }</pre>
 *
 * <p>Ignite needs {@link #JVM_OPTIONS} in a JVM that runs a node, {@link #CLIENT_JVM_OPTIONS} in
 * one that runs a client; {@code ClusterNode --jvm-options} prints the first, one per line, for an
 * {@code @argfile}. {@code main} started without them starts the node again in a JVM of its own
 * that has them, saying so on one line.
 */
public final class ClusterNode implements AutoCloseable {
    /**
     * What Ignite needs opened on JDK 17 and later, in any JVM that runs a node or a {@link
     * ClusterExecutor}: without them it fails with "Unable to make field long
     * java.nio.Buffer.address accessible".
     */
    public static final List<String> JVM_OPTIONS = IgniteSetup.JVM_OPTIONS;

    /** What a JVM that runs only a {@link ClusterExecutor} needs of {@link #JVM_OPTIONS}. */
    public static final List<String> CLIENT_JVM_OPTIONS = IgniteSetup.CLIENT_JVM_OPTIONS;

    /**
     * How long a leaving node waits for its clients to take the last answers: they poll at least
     * every second while they have calls there.
     */
    private static final long DRAIN_MILLIS = 5_000;

    private final String name;
    private final Ignite ignite;
    private final ProcessPool pool;
    private final String clientAddress;
    private final Path workDirectory;

    private ClusterNode(
            String name, Ignite ignite, ProcessPool pool, String clientAddress, Path workDir) {
        this.name = name;
        this.ignite = ignite;
        this.pool = pool;
        this.clientAddress = clientAddress;
        this.workDirectory = workDir;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The worker JVMs of its pool now. */
    int workerCount() {
        return pool.workers().size();
    }

    /** The node's name, which failures and {@link NodeInfo} name it by. */
    public String name() {
        return name;
    }

    /** Where clients connect: {@code host:port}, for {@link ClusterExecutor.Builder#connect}. */
    public String clientAddress() {
        return clientAddress;
    }

    /** The node's own pool of worker JVMs. */
    public ProcessPool pool() {
        return pool;
    }

    /**
     * Leaves the cluster: takes no new calls (clients send them elsewhere), lets the calls it has
     * finish and answers them, then stops its workers and its Ignite node.
     */
    @Override
    public void close() {
        try {
            LocalNodes.leave(ignite.name(), DRAIN_MILLIS);
        } finally {
            ignite.close();
            deleteQuietly(workDirectory);
        }
    }

    @Override
    public String toString() {
        return "ClusterNode[" + name + ", clients at " + clientAddress + ", " + pool + "]";
    }

    /** Settings of a node; each has a default. */
    public static final class Builder {
        private String name;
        private String host = "127.0.0.1";
        private int port = 47500;
        private int communicationPort = 47100;
        private int clientPort = 10800;
        private final List<String> join = new ArrayList<>();
        private Duration joinTimeout = Duration.ofSeconds(60);
        private int workers = Runtime.getRuntime().availableProcessors();
        private int threadsPerWorker = 1;
        private final List<String> jvmOptions = new ArrayList<>();
        private Duration defaultTimeout;
        private Tls tls;
        private boolean verbose;

        private Builder() {}

        /** The node's name; default {@code <host>:<port>}. Unique in the cluster. */
        public Builder name(String name) {
            this.name = requireText("name", name);
            return this;
        }

        /**
         * The address the node binds to and other nodes and clients reach it at; default {@code
         * 127.0.0.1}, so a node is reachable from other machines only when told so.
         */
        public Builder host(String host) {
            this.host = requireText("host", host);
            return this;
        }

        /** The port other nodes find this one at (Ignite discovery); default 47500. */
        public Builder port(int port) {
            this.port = requirePort("port", port);
            return this;
        }

        /**
         * The first port nodes exchange jobs on (Ignite communication); default 47100, the next
         * free one of the hundred from it is taken.
         */
        public Builder communicationPort(int port) {
            this.communicationPort = requirePort("communicationPort", port);
            return this;
        }

        /** The port clients connect to; default 10800. */
        public Builder clientPort(int port) {
            this.clientPort = requirePort("clientPort", port);
            return this;
        }

        /**
         * Nodes of the cluster to join, as {@code host:port} (their {@link #port}); the node fails
         * to start if it cannot join one of them within {@link #joinTimeout}. None, the default,
         * starts a new cluster, which others join.
         */
        public Builder join(String... addresses) {
            for (String a : addresses) {
                join.add(IgniteSetup.checkAddress(a));
            }
            return this;
        }

        /** How long a node given {@link #join} addresses tries to join; default 60 s. */
        public Builder joinTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("joinTimeout must be > 0, was " + timeout);
            }
            this.joinTimeout = timeout;
            return this;
        }

        /** Worker JVMs of the node's pool; default the number of cores. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be >= 1, was " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** Calls each worker runs at once ({@link ProcessPool.Builder#threadsPerWorker}). */
        public Builder threadsPerWorker(int threads) {
            if (threads < 1 || threads > 1024) {
                throw new IllegalArgumentException(
                        "threadsPerWorker must be in 1..1024, was " + threads);
            }
            this.threadsPerWorker = threads;
            return this;
        }

        /** Options of the worker JVMs ({@link ProcessPool.Builder#jvmOptions}). */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /**
         * The timeout of calls whose method sets none ({@link ProcessPool.Builder#defaultTimeout}).
         */
        public Builder defaultTimeout(Duration timeout) {
            this.defaultTimeout = Objects.requireNonNull(timeout, "defaultTimeout");
            return this;
        }

        /**
         * Whether Ignite's information, debugging and tracing are logged too; default false: only
         * its warnings and errors, through {@link System.Logger} in either case.
         */
        public Builder verbose(boolean verbose) {
            this.verbose = verbose;
            return this;
        }

        /** Mutual TLS towards other nodes and clients; default none (see the README). */
        public Builder tls(Tls tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /**
         * Starts the pool, then the Ignite node, and returns once both are up.
         *
         * @throws IllegalStateException if Ignite cannot start (a port in use, an untrusted
         *     certificate, missing {@link #JVM_OPTIONS}), with its reason; nothing is left running
         */
        public ClusterNode start() {
            String nodeName = name != null ? name : host + ":" + port;
            requireFree(host, port, "port", "--port");
            requireFree(host, clientPort, "clientPort", "--client-port");
            ProcessPool.Builder poolBuilder =
                    ProcessPool.builder()
                            .workers(workers)
                            .threadsPerWorker(threadsPerWorker)
                            .namePrefix(nodeName + "-worker-")
                            .jvmOptions(jvmOptions.toArray(String[]::new));
            if (defaultTimeout != null) {
                poolBuilder.defaultTimeout(defaultTimeout);
            }
            ProcessPool pool = poolBuilder.build();
            Path workDir;
            try {
                workDir = Files.createTempDirectory("paralleltask-node-");
            } catch (IOException e) {
                pool.shutdownNow();
                throw new UncheckedIOException("cannot make the node's work directory", e);
            }
            // Ignite names its JMX beans after the instance: no ':' or the like there.
            String igniteName =
                    nodeName.replaceAll("[^A-Za-z0-9._-]", "_")
                            + "-"
                            + ProcessHandle.current().pid();
            LocalNodes.register(igniteName, nodeName, pool, workers * threadsPerWorker);
            try {
                Ignite ignite =
                        Ignition.start(
                                IgniteSetup.server(
                                        new IgniteSetup.Server(
                                                igniteName,
                                                nodeName,
                                                host,
                                                port,
                                                communicationPort,
                                                clientPort,
                                                join,
                                                joinTimeout,
                                                workers * threadsPerWorker,
                                                workDir,
                                                tls,
                                                verbose)));
                ignite.events()
                        .localListen(
                                event -> {
                                    peerGone(nodeName, (DiscoveryEvent) event);
                                    return true;
                                },
                                EventType.EVT_NODE_LEFT,
                                EventType.EVT_NODE_FAILED);
                return new ClusterNode(nodeName, ignite, pool, host + ":" + clientPort, workDir);
            } catch (RuntimeException | Error e) {
                LocalNodes.unregister(igniteName);
                pool.shutdownNow();
                deleteQuietly(workDir);
                String refused =
                        IgniteSetup.mayHaveFailedToJoin(e)
                                ? TlsProbe.joinRefusal(
                                        join.stream()
                                                .filter(a -> !a.equals(host + ":" + port))
                                                .toList(),
                                        tls)
                                : null;
                throw refused != null
                        ? new IllegalStateException(
                                "cannot start node " + nodeName + ": " + refused, e)
                        : IgniteSetup.startFailure("node " + nodeName, e, JVM_OPTIONS);
            }
        }
    }

    private static final System.Logger LOG = System.getLogger(ClusterNode.class.getName());

    /** One line for another node gone, where Ignite logs a trace and three warnings. */
    private static void peerGone(String self, DiscoveryEvent event) {
        Object gone = event.eventNode().attribute(IgniteSetup.NAME);
        LOG.log(
                System.Logger.Level.INFO,
                "node "
                        + self
                        + ": node "
                        + (gone != null ? gone : event.eventNode().consistentId())
                        + (event.type() == EventType.EVT_NODE_FAILED
                                ? " failed (gone without leaving: killed, crashed or cut off);"
                                        + " its clients retry what it ran as their calls allow"
                                : " left the cluster"));
    }

    /**
     * Refuses, before anything starts, a port another program listens on: Ignite would say only
     * "Failed to start processor ... Address already in use", naming neither the port nor how to
     * choose another. The probe binds as Ignite does (reusing an address a closed socket waits on),
     * so a port a node just left is not refused.
     */
    private static void requireFree(String host, int port, String setting, String flag) {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            return; // Ignite says what it cannot resolve
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(address);
        } catch (BindException e) {
            if (String.valueOf(e.getMessage()).contains("in use")) {
                throw new IllegalStateException(
                        "cannot start node on "
                                + host
                                + ": port "
                                + port
                                + " is in use, by another node or program; give this node"
                                + " another with "
                                + setting
                                + "(...) or "
                                + flag,
                        e);
            }
        } catch (IOException e) {
            // not this check's to say: Ignite's start reports it
        }
    }

    /**
     * Runs a node until the JVM is told to stop (SIGTERM, Ctrl-C), then closes it. {@code --help}
     * lists the options.
     */
    public static void main(String[] args) throws InterruptedException {
        NodeCommand.run(args);
    }

    /** Where {@code main} reads the password of the TLS stores: never on the command line. */
    public static final String PASSWORD_VARIABLE = "PARALLELTASK_TLS_PASSWORD";

    private static String requireText(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }

    private static int requirePort(String what, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " must be in 1..65535, was " + port);
        }
        return port;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // A leftover work directory in the temporary directory harms nobody.
        }
    }
}
