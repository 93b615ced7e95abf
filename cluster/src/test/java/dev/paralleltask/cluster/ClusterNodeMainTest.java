package dev.paralleltask.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code ClusterNode}'s command line, as an operator meets it. */
class ClusterNodeMainTest {
    /** What a run of {@code ClusterNode.main} printed, and how it ended. */
    private record Run(int exitCode, String output) {}

    private static Run run(List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        return run(jvmOptions, ClusterNode.class, args);
    }

    private static Run run(List<String> jvmOptions, Class<?> main, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        command.add(main.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove(ClusterNode.PASSWORD_VARIABLE);
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), output);
        return new Run(p.exitValue(), output);
    }

    @Test
    void printsTheJvmOptionsIgniteNeeds() throws Exception {
        Run run = run(List.of(), "--jvm-options");
        assertEquals(0, run.exitCode(), run.output());
        assertEquals(ClusterNode.JVM_OPTIONS, run.output().lines().toList());
    }

    @Test
    void oneCommandWithoutThoseOptionsStartsTheNodeInAJvmThatHasThemAndItEndsWithThatCommand()
            throws Exception {
        for (String ending : new String[] {"TERM", "KILL"}) {
            int clientPort = Nodes.freePort();
            List<String> command =
                    List.of(
                            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "-Xmx256m",
                            "-cp",
                            System.getProperty("java.class.path"),
                            ClusterNode.class.getName(),
                            "--name",
                            "once",
                            "--port",
                            Integer.toString(Nodes.freePort()),
                            "--communication-port",
                            Integer.toString(Nodes.freePort()),
                            "--client-port",
                            Integer.toString(clientPort),
                            "--workers",
                            "1");
            Process started = new ProcessBuilder(command).redirectErrorStream(true).start();
            List<String> output = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> ready = new CompletableFuture<>();
            Thread pump =
                    new Thread(
                            () -> {
                                try (BufferedReader in = started.inputReader()) {
                                    String line;
                                    while ((line = in.readLine()) != null) {
                                        output.add(line);
                                        if (line.startsWith("paralleltask node once ready")) {
                                            ready.complete(null);
                                        }
                                    }
                                } catch (IOException e) {
                                    // gone
                                }
                                ready.completeExceptionally(new IllegalStateException("ended"));
                            });
            pump.setDaemon(true);
            pump.start();
            try {
                ready.get(120, TimeUnit.SECONDS);
                assertTrue(
                        output.get(0)
                                .startsWith(
                                        "ClusterNode: this JVM lacks "
                                                + ClusterNode.JVM_OPTIONS.stream()
                                                        .filter(o -> o.startsWith("--add-opens="))
                                                        .count()
                                                + " of the --add-opens options Apache Ignite needs;"
                                                + " starting the node in a JVM of its own"),
                        output::toString);
                ProcessHandle node =
                        started.toHandle().children().findFirst().orElseThrow(); // the second JVM
                try (ClusterExecutor cluster =
                        ClusterExecutor.builder().connect("127.0.0.1:" + clientPort).build()) {
                    assertEquals(
                            node.pid(),
                            new WorkTasks(cluster).nodePid().get(60, TimeUnit.SECONDS),
                            "the call ran under the second JVM");
                }
                List<ProcessHandle> all = node.descendants().collect(Collectors.toList());
                all.add(node);
                assertEquals(
                        0,
                        new ProcessBuilder("kill", "-" + ending, Long.toString(started.pid()))
                                .start()
                                .waitFor());
                assertTrue(started.waitFor(60, TimeUnit.SECONDS));
                for (ProcessHandle p : all) {
                    p.onExit().get(60, TimeUnit.SECONDS); // the node and its workers
                }
            } catch (Exception | Error e) {
                throw new AssertionError("after kill -" + ending + ": " + output, e);
            } finally {
                started.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                started.destroyForcibly();
            }
        }
    }

    @Test
    void aClientWithoutItsOptionsIsToldJustThoseItLacks() throws Exception {
        String given = "--add-opens=java.base/java.lang=ALL-UNNAMED";
        Run run = run(List.of(given), ClientMain.class, "127.0.0.1:" + Nodes.freePort());
        assertEquals(1, run.exitCode(), run.output());
        List<String> lacking = new ArrayList<>(ClusterNode.CLIENT_JVM_OPTIONS);
        lacking.remove(given);
        assertTrue(
                run.output()
                        .contains(
                                "Apache Ignite needs JVM options this JVM was started without;"
                                        + " start it with "
                                        + String.join(" ", lacking)
                                        + System.lineSeparator()),
                run.output());
    }

    /** A program that connects a client to the node at {@code args[0]}, and says why it cannot. */
    public static final class ClientMain {
        public static void main(String[] args) {
            try (ClusterExecutor cluster = ClusterExecutor.builder().connect(args[0]).build()) {
                System.out.println("connected");
            } catch (IllegalStateException e) {
                System.out.println(e.getMessage());
                System.exit(1);
            }
        }
    }

    @Test
    void aNodeThatCannotReachWhomItJoinsSaysWhereItTried() throws Exception {
        String nobody = "127.0.0.1:" + Nodes.freePort();
        Run run =
                run(
                        ClusterNode.JVM_OPTIONS,
                        "--name",
                        "lonely",
                        "--port",
                        Integer.toString(Nodes.freePort()),
                        "--client-port",
                        Integer.toString(Nodes.freePort()),
                        "--join",
                        nobody,
                        "--join-timeout-ms",
                        "2000",
                        "--workers",
                        "1");
        assertEquals(1, run.exitCode(), run.output());
        // Ignite's warning while it tries ("Failed to connect to any address from IP finder"),
        // then the node's one line, and no trace.
        List<String> lines = run.output().lines().toList();
        assertEquals(
                "ClusterNode: cannot start node lonely: cannot reach "
                        + nobody
                        + ": Connection refused (is a node running there, with that port?)",
                lines.get(lines.size() - 1),
                run.output());
        assertTrue(!run.output().contains("SEVERE"), run.output());
    }

    @Test
    void aBadOptionIsNamedWithTheUsage() throws Exception {
        Run run = run(ClusterNode.JVM_OPTIONS, "--workers", "many");
        assertEquals(2, run.exitCode(), run.output());
        assertTrue(
                run.output().startsWith("ClusterNode: --workers needs a number, was 'many'"),
                run.output());
        assertTrue(run.output().contains("usage: java -cp"), run.output());
    }

    @Test
    void tlsWithoutItsPasswordIsRefusedBeforeAnythingStarts() throws Exception {
        Run run = run(ClusterNode.JVM_OPTIONS, "--keystore", "a.p12", "--truststore", "b.p12");
        assertEquals(2, run.exitCode(), run.output());
        assertTrue(
                run.output()
                        .startsWith(
                                "ClusterNode: set the stores' password in the environment variable "
                                        + ClusterNode.PASSWORD_VARIABLE),
                run.output());
    }

    @Test
    void aBusyPortIsNamedWithTheSettingThatMovesIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int busy = taken.getLocalPort();
            for (boolean client : new boolean[] {false, true}) {
                ClusterNode.Builder node = ClusterNode.builder().workers(1);
                if (client) {
                    node.clientPort(busy);
                } else {
                    node.port(busy);
                }
                IllegalStateException e = assertThrows(IllegalStateException.class, node::start);
                assertTrue(
                        e.getMessage()
                                .startsWith(
                                        "cannot start node on 127.0.0.1: port "
                                                + busy
                                                + " is in use"),
                        e::getMessage);
                assertTrue(
                        e.getMessage()
                                .endsWith(
                                        client
                                                ? "clientPort(...) or --client-port"
                                                : "port(...) or --port"),
                        e::getMessage);
            }
        }
    }
}
