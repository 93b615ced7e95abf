package dev.paralleltask.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code ClusterNode}'s command line, as an operator meets it. */
class ClusterNodeMainTest {
    /** What a run of {@code ClusterNode.main} printed, and how it ended. */
    private record Run(int exitCode, String output) {}

    private static Run run(List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        command.add(ClusterNode.class.getName());
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
    void withoutThoseOptionsItSaysWhichAreMissing() throws Exception {
        Run run =
                run(
                        List.of(),
                        "--port",
                        Integer.toString(Nodes.freePort()),
                        "--client-port",
                        Integer.toString(Nodes.freePort()));
        assertEquals(1, run.exitCode(), run.output());
        assertTrue(
                run.output()
                                .contains(
                                        "Apache Ignite needs JVM options this JVM was started without")
                        && run.output().contains("--add-opens=java.base/java.nio=ALL-UNNAMED"),
                run.output());
    }

    @Test
    void aBadOptionIsNamedWithTheUsage() throws Exception {
        Run run = run(ClusterNode.JVM_OPTIONS, "--workers", "many");
        assertEquals(2, run.exitCode(), run.output());
        assertTrue(
                run.output().startsWith("ClusterNode: --workers needs a number, was 'many'"),
                run.output());
        assertTrue(run.output().contains("usage: java @ignite.args"), run.output());
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
