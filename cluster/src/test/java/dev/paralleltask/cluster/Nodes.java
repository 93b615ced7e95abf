package dev.paralleltask.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Cluster nodes as separate JVMs on 127.0.0.1, each started with {@code ClusterNode.main} on this
 * test's classpath (so they know {@link Work}), on free ports. Close ends every one still running.
 */
final class Nodes implements AutoCloseable {
    /** One node process, and what it printed. */
    static final class Node {
        final String name;
        final Process process;
        final String clientAddress;
        final int discoveryPort;
        final List<String> output = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<Void> ready = new CompletableFuture<>();

        Node(String name, Process process, String clientAddress, int discoveryPort) {
            this.name = name;
            this.process = process;
            this.clientAddress = clientAddress;
            this.discoveryPort = discoveryPort;
        }

        long pid() {
            return process.pid();
        }

        String output() {
            synchronized (output) {
                return String.join("\n", output);
            }
        }
    }

    private final List<Node> nodes = Collections.synchronizedList(new ArrayList<>());

    /** The nodes' classpath: this test's, unless a test takes something off it. */
    private String classpath = System.getProperty("java.class.path");

    /** Ends the nodes even when the test JVM ends without closing them. */
    private final Thread onExit = new Thread(this::close, "nodes-on-exit");

    private Nodes() {
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    /** Starts {@code count} nodes of {@code workers} workers each that form one cluster. */
    static Nodes start(int count, int workers) {
        return start(count, workers, Map.of());
    }

    /** One node whose classpath lacks this test's classes: it cannot run their calls. */
    static Nodes startWithoutTestClasses() {
        Nodes started = new Nodes();
        String testClasses =
                Path.of(Work.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                        .toString();
        started.classpath =
                String.join(
                        java.io.File.pathSeparator,
                        java.util.Arrays.stream(started.classpath.split(java.io.File.pathSeparator))
                                .filter(entry -> !Path.of(entry).toString().equals(testClasses))
                                .toList());
        try {
            int port = freePort();
            started.awaitReady(started.launch("bare", port, port, 1, Map.of()));
            return started;
        } catch (RuntimeException | Error e) {
            started.close();
            throw e;
        }
    }

    /** The same, with more for each node's environment and command line. */
    static Nodes start(
            int count, int workers, Map<String, String> environment, String... extraArgs) {
        Nodes started = new Nodes();
        try {
            int firstPort = freePort();
            // The first node first: one that found nobody to join would start a cluster of its own.
            started.awaitReady(
                    started.launch("n1", firstPort, firstPort, workers, environment, extraArgs));
            for (int i = 1; i < count; i++) {
                started.launch(
                        "n" + (i + 1), freePort(), firstPort, workers, environment, extraArgs);
            }
            for (Node n : started.nodes) {
                started.awaitReady(n);
            }
            return started;
        } catch (RuntimeException | Error e) {
            started.close();
            throw e;
        }
    }

    /** Launches one more node that joins the node listening at {@code joinPort}. */
    Node launch(
            String name,
            int port,
            int joinPort,
            int workers,
            Map<String, String> environment,
            String... extraArgs) {
        int clientPort = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ClusterNode.JVM_OPTIONS);
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(classpath);
        command.add(ClusterNode.class.getName());
        command.addAll(
                List.of(
                        "--name",
                        name,
                        "--host",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(port),
                        "--communication-port",
                        Integer.toString(freePort()),
                        "--client-port",
                        Integer.toString(clientPort),
                        "--join",
                        "127.0.0.1:" + joinPort,
                        "--workers",
                        Integer.toString(workers),
                        "--jvm-option",
                        "-Xmx128m"));
        command.addAll(List.of(extraArgs));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Node node = new Node(name, process, "127.0.0.1:" + clientPort, port);
        nodes.add(node);
        Thread pump =
                new Thread(
                        () -> {
                            try (BufferedReader in =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    process.getInputStream(),
                                                    StandardCharsets.UTF_8))) {
                                String line;
                                while ((line = in.readLine()) != null) {
                                    node.output.add(line);
                                    if (line.startsWith("paralleltask node " + name + " ready")) {
                                        node.ready.complete(null);
                                    }
                                }
                            } catch (IOException e) {
                                // the node is gone
                            }
                            node.ready.completeExceptionally(
                                    new IllegalStateException(
                                            "node "
                                                    + name
                                                    + " ended before it was ready:\n"
                                                    + node.output()));
                        },
                        "node-" + name + "-output");
        pump.setDaemon(true);
        pump.start();
        return node;
    }

    void awaitReady(Node node) {
        try {
            node.ready.get(90, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "node " + node.name + " not ready:\n" + node.output(), e);
        }
    }

    Node get(int i) {
        return nodes.get(i);
    }

    List<Node> all() {
        return List.copyOf(nodes);
    }

    String[] clientAddresses() {
        return nodes.stream().map(n -> n.clientAddress).toArray(String[]::new);
    }

    /** Sends a node a signal by name (STOP, CONT). */
    static void signal(Node node, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(node.pid())).start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + node.pid() + " failed");
        }
    }

    /** Kills a node with SIGKILL: no goodbye to anyone. */
    void kill(Node node) throws InterruptedException {
        node.process.destroyForcibly();
        node.process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * A port nothing listens on now, below the kernel's range of ephemeral ports (32768 on, here):
     * a port from that range can be taken meanwhile as the local end of any outgoing connection,
     * and a node started on it then fails to bind.
     */
    static int freePort() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int tries = 0; tries < 1_000; tries++) {
            int port = random.nextInt(20_000, 32_000);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException e) {
                // taken: another
            }
        }
        throw new IllegalStateException("no free port in 20000..32000");
    }

    /** Stops every node still running (SIGTERM, then SIGKILL after 30 s) and waits for it. */
    @Override
    public void close() {
        if (Thread.currentThread() != onExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException e) {
                // the JVM is exiting: the hook runs this too, harmlessly
            }
        }
        for (Node n : all()) {
            n.process.destroy();
        }
        for (Node n : all()) {
            try {
                if (!n.process.waitFor(30, TimeUnit.SECONDS)) {
                    n.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                n.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
