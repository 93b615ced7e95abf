package dev.paralleltask.cluster.internal;

import dev.paralleltask.cluster.Tls;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.ignite.client.ClientRetryNonePolicy;
import org.apache.ignite.client.SslMode;
import org.apache.ignite.configuration.ClientConfiguration;
import org.apache.ignite.configuration.ClientConnectorConfiguration;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.configuration.ThinClientConfiguration;
import org.apache.ignite.events.EventType;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;
import org.apache.ignite.ssl.SslContextFactory;

/** How paralleltask configures Ignite, for nodes and for clients. */
public final class IgniteSetup {
    private IgniteSetup() {}

    /**
     * On JDK 23 and later, where JDK 24 on warns on the console when {@code sun.misc.Unsafe}'s
     * memory access is first used, as Ignite uses it: allowed, without the warning. Not an option
     * JDK 17 knows.
     */
    private static final List<String> UNSAFE_ALLOWED =
            Runtime.version().feature() >= 23
                    ? List.of("--sun-misc-unsafe-memory-access=allow")
                    : List.of();

    /**
     * Ignite's own list for JDK 17 and later ({@code bin/include/jvmdefaults.sh} of Apache Ignite):
     * the packages it reaches into; on JDK 23 and later, {@link #UNSAFE_ALLOWED} too.
     */
    public static final List<String> JVM_OPTIONS =
            withUnsafeAllowed(
                    "--add-opens=java.base/jdk.internal.access=ALL-UNNAMED",
                    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
                    "--add-opens=java.management/com.sun.jmx.mbeanserver=ALL-UNNAMED",
                    "--add-opens=jdk.internal.jvmstat/sun.jvmstat.monitor=ALL-UNNAMED",
                    "--add-opens=java.base/sun.reflect.generics.reflectiveObjects=ALL-UNNAMED",
                    "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                    "--add-opens=java.base/java.math=ALL-UNNAMED",
                    "--add-opens=java.sql/java.sql=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.management/sun.management=ALL-UNNAMED");

    private static List<String> withUnsafeAllowed(String... opens) {
        List<String> all = new ArrayList<>(List.of(opens));
        all.addAll(UNSAFE_ALLOWED);
        return List.copyOf(all);
    }

    /** What a client (a thin client of Ignite's) needs of {@link #JVM_OPTIONS}. */
    public static final List<String> CLIENT_JVM_OPTIONS =
            withUnsafeAllowed(
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED");

    /**
     * Those of {@code options} this JVM was not started with: an {@code
     * --add-opens=module/package=ALL-UNNAMED} by whether the package is open to this code (none is
     * when this code is in a named module, which such options do not open to), any other by the
     * JVM's arguments.
     */
    public static List<String> missing(List<String> options) {
        Module here = IgniteSetup.class.getModule();
        List<String> given = ManagementFactory.getRuntimeMXBean().getInputArguments();
        List<String> missing = new ArrayList<>();
        for (String option : options) {
            if (!option.startsWith("--add-opens=")) {
                if (!given.contains(option)) {
                    missing.add(option);
                }
                continue;
            }
            if (here.isNamed()) {
                continue;
            }
            String opened = option.substring(option.indexOf('=') + 1, option.lastIndexOf('='));
            String module = opened.substring(0, opened.indexOf('/'));
            String pkg = opened.substring(opened.indexOf('/') + 1);
            ModuleLayer.boot()
                    .findModule(module)
                    .filter(m -> !m.isOpen(pkg, here))
                    .ifPresent(m -> missing.add(option));
        }
        return missing;
    }

    /** Whether any of {@code missing} is an {@code --add-opens}, without which Ignite fails. */
    public static boolean opensAmong(List<String> missing) {
        return missing.stream().anyMatch(o -> o.startsWith("--add-opens="));
    }

    /** The user attribute a node publishes its capacity in: workers times threads per worker. */
    public static final String CAPACITY = "paralleltask.capacity";

    /** The user attribute a node publishes its name in. */
    public static final String NAME = "paralleltask.node";

    /** The user attribute a node publishes where clients reach it in: {@code host:port}. */
    public static final String CLIENT_ADDRESS = "paralleltask.clients";

    /**
     * Calls a client may have running through one connection: the executor keeps the number to what
     * the nodes run at once, so this only has to be out of its way (Ignite's default, 0, turns
     * compute off for thin clients).
     */
    private static final int COMPUTE_TASKS_PER_CONNECTION = 1 << 20;

    /** The smallest memory region Ignite accepts. */
    private static final long MIN_REGION_BYTES = 10L << 20;

    /** A node's settings, as its builder checked them. */
    public record Server(
            String igniteName,
            String nodeName,
            String host,
            int port,
            int communicationPort,
            int clientPort,
            List<String> join,
            Duration joinTimeout,
            int capacity,
            Path workDirectory,
            Tls tls,
            boolean verbose) {}

    public static IgniteConfiguration server(Server s) {
        // A node told whom to join joins them or fails to start: were its own address listed too,
        // a node the cluster refuses (an untrusted certificate, a wrong address) would quietly
        // start a cluster of its own, and clients reaching it would see a cluster of one.
        TcpDiscoveryVmIpFinder finder = new TcpDiscoveryVmIpFinder();
        finder.setAddresses(s.join().isEmpty() ? List.of(s.host() + ":" + s.port()) : s.join());
        TcpDiscoverySpi discovery = new TcpDiscoverySpi();
        if (!s.join().isEmpty()) {
            discovery.setJoinTimeout(s.joinTimeout().toMillis());
        }
        discovery.setIpFinder(finder);
        discovery.setLocalAddress(s.host());
        discovery.setLocalPort(s.port());
        discovery.setLocalPortRange(0);
        TcpCommunicationSpi communication = new TcpCommunicationSpi();
        communication.setLocalAddress(s.host());
        communication.setLocalPort(s.communicationPort());
        // Bounded, as Ignite advises (its default, none, draws a warning at every start); jobs
        // are few and small here, so the bound is never what holds a call back.
        communication.setMessageQueueLimit(1024);
        ClientConnectorConfiguration clients =
                new ClientConnectorConfiguration()
                        .setHost(s.host())
                        .setPort(s.clientPort())
                        .setPortRange(0)
                        .setThinClientConfiguration(
                                new ThinClientConfiguration()
                                        .setMaxActiveComputeTasksPerConnection(
                                                COMPUTE_TASKS_PER_CONNECTION));
        IgniteConfiguration config =
                new IgniteConfiguration()
                        .setIgniteInstanceName(s.igniteName())
                        .setConsistentId(s.nodeName())
                        .setLocalHost(s.host())
                        .setDiscoverySpi(discovery)
                        .setCommunicationSpi(communication)
                        .setClientConnectorConfiguration(clients)
                        // The application's classes are on every node: none come from clients.
                        .setPeerClassLoadingEnabled(false)
                        .setGridLogger(IgniteLog.of(s.verbose()))
                        .setMetricsLogFrequency(0)
                        // Nodes store no data: the smallest regions Ignite takes, allocated
                        // when used (its default claims a fifth of the machine's memory, and
                        // warns when two nodes share a machine).
                        .setDataStorageConfiguration(
                                new DataStorageConfiguration()
                                        .setSystemRegionInitialSize(MIN_REGION_BYTES)
                                        .setSystemRegionMaxSize(MIN_REGION_BYTES)
                                        .setDefaultDataRegionConfiguration(
                                                new DataRegionConfiguration()
                                                        .setName("default")
                                                        .setInitialSize(MIN_REGION_BYTES)
                                                        .setMaxSize(MIN_REGION_BYTES)
                                                        .setLazyMemoryAllocation(true)))
                        // What ClusterNode tells of other nodes: its one line when one goes.
                        .setIncludeEventTypes(EventType.EVT_NODE_LEFT, EventType.EVT_NODE_FAILED)
                        // An actor's call waits on a thread of this pool while it runs
                        // (ActorTask); a client's poll waits without one (SessionTask).
                        .setPublicThreadPoolSize(
                                Math.max(
                                        IgniteConfiguration.DFLT_PUBLIC_THREAD_CNT,
                                        2 * s.capacity()))
                        .setWorkDirectory(s.workDirectory().toString())
                        .setUserAttributes(
                                Map.of(
                                        CAPACITY,
                                        s.capacity(),
                                        NAME,
                                        s.nodeName(),
                                        CLIENT_ADDRESS,
                                        s.host() + ":" + s.clientPort()));
        if (s.tls() != null) {
            config.setSslContextFactory(sslContextFactory(s.tls()));
            clients.setSslEnabled(true).setUseIgniteSslContextFactory(true).setSslClientAuth(true);
        }
        return config;
    }

    private static SslContextFactory sslContextFactory(Tls tls) {
        SslContextFactory ssl = new SslContextFactory();
        ssl.setKeyStoreType("PKCS12");
        ssl.setKeyStoreFilePath(tls.keyStore().toString());
        ssl.setKeyStorePassword(tls.password());
        ssl.setTrustStoreType("PKCS12");
        ssl.setTrustStoreFilePath(tls.trustStore().toString());
        ssl.setTrustStorePassword(tls.password());
        return ssl;
    }

    /**
     * A thin client of the nodes at {@code addresses}, for what the executor asks them (which nodes
     * there are, their workers): each question waits at most {@link #REQUEST_TIMEOUT_MILLIS}.
     */
    public static ClientConfiguration client(List<String> addresses, Tls tls) {
        return tls(new ClientConfiguration(), tls)
                .setAddresses(addresses.toArray(String[]::new))
                .setHandshakeTimeout(REQUEST_TIMEOUT_MILLIS)
                .setRequestTimeout(REQUEST_TIMEOUT_MILLIS);
    }

    /** How long a question to a node may take; a call's own wait has no such limit. */
    static final int REQUEST_TIMEOUT_MILLIS = 10_000;

    private static ClientConfiguration tls(ClientConfiguration config, Tls tls) {
        if (tls != null) {
            config.setSslMode(SslMode.REQUIRED)
                    .setSslClientCertificateKeyStoreType("PKCS12")
                    .setSslClientCertificateKeyStorePath(tls.keyStore().toString())
                    .setSslClientCertificateKeyStorePassword(new String(tls.password()))
                    .setSslTrustCertificateKeyStoreType("PKCS12")
                    .setSslTrustCertificateKeyStorePath(tls.trustStore().toString())
                    .setSslTrustCertificateKeyStorePassword(new String(tls.password()));
        }
        return config;
    }

    /**
     * A thin client of one node alone, which never goes to another on its own nor repeats a
     * request: the executor decides where a call goes, and whether it runs again. What it hears
     * back is handled on {@code answers}.
     */
    public static ClientConfiguration nodeClient(String address, Tls tls, Executor answers) {
        return tls(new ClientConfiguration(), tls)
                .setAddresses(address)
                .setPartitionAwarenessEnabled(false)
                .setClusterDiscoveryEnabled(false)
                .setRetryPolicy(new ClientRetryNonePolicy())
                .setAsyncContinuationExecutor(answers);
    }

    /** Checks a {@code host:port} address. */
    public static String checkAddress(String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(
                    "'" + address + "' is not an address: expected host:port");
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "'" + address + "' is not an address: its port is not in 1..65535");
        }
        return address;
    }

    /** Whether Ignite failed for want of JVM options. */
    public static boolean lacksOptions(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getName().equals("java.lang.reflect.InaccessibleObjectException")
                    || (t instanceof NoClassDefFoundError
                            && String.valueOf(t.getMessage()).contains("GridUnsafe"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a node's start may have failed joining the others, so that a probe of whom it joins
     * may say why: not for want of JVM options, nor for a port of its own it could not bind.
     */
    public static boolean mayHaveFailedToJoin(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return false;
            }
        }
        return !lacksOptions(e);
    }

    /**
     * What an Ignite start failure tells the user: those of {@code needed} ({@link #JVM_OPTIONS}
     * for a node, {@link #CLIENT_JVM_OPTIONS} for a client) this JVM lacks, when that is why; else
     * the deepest reason Ignite gave.
     */
    public static IllegalStateException startFailure(
            String what, Throwable e, List<String> needed) {
        if (lacksOptions(e)) {
            List<String> missing = missing(needed);
            return new IllegalStateException(
                    "cannot start "
                            + what
                            + ": Apache Ignite needs JVM options this JVM was started without;"
                            + " start it with "
                            + String.join(" ", missing.isEmpty() ? needed : missing)
                            + (needed.equals(JVM_OPTIONS)
                                    ? " (`java -cp ... dev.paralleltask.cluster.ClusterNode"
                                            + " --jvm-options` prints them, one per line, for an"
                                            + " @argfile)"
                                    : ""),
                    e);
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new IllegalStateException(
                "cannot start "
                        + what
                        + ": "
                        + e.getMessage()
                        + (root == e ? "" : " (" + root + ")"),
                e);
    }
}
