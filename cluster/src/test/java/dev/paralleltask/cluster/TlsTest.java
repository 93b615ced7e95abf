package dev.paralleltask.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS: two nodes that trust each other form a cluster and serve a trusted client; a client
 * in plaintext, a client with a certificate the nodes do not trust, and a node with one, are
 * refused.
 */
class TlsTest {
    private static final String PASSWORD = "cluster-test-secret";

    @TempDir static Path dir;
    private static Nodes nodes;

    @BeforeAll
    static void startTrustedNodes() throws Exception {
        for (String party : List.of("node", "client", "stranger")) {
            keytool(
                    "-genkeypair",
                    "-alias",
                    party,
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-dname",
                    "CN=" + party,
                    "-validity",
                    "2",
                    "-keystore",
                    store(party).toString(),
                    "-storetype",
                    "PKCS12",
                    "-storepass",
                    PASSWORD,
                    "-keypass",
                    PASSWORD);
        }
        // The cluster trusts its nodes and its client; nobody vouches for the stranger, who
        // trusts the cluster's certificates (so it gets as far as presenting its own).
        for (String trusted : List.of("node", "client")) {
            Path certificate = dir.resolve(trusted + ".cer");
            keytool(
                    "-exportcert",
                    "-alias",
                    trusted,
                    "-keystore",
                    store(trusted).toString(),
                    "-storepass",
                    PASSWORD,
                    "-file",
                    certificate.toString());
            keytool(
                    "-importcert",
                    "-noprompt",
                    "-alias",
                    trusted,
                    "-file",
                    certificate.toString(),
                    "-keystore",
                    store("trust").toString(),
                    "-storetype",
                    "PKCS12",
                    "-storepass",
                    PASSWORD);
        }
        nodes =
                Nodes.start(
                        2,
                        1,
                        Map.of(ClusterNode.PASSWORD_VARIABLE, PASSWORD),
                        "--keystore",
                        store("node").toString(),
                        "--truststore",
                        store("trust").toString());
    }

    @AfterAll
    static void stopNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private static Path store(String party) {
        return dir.resolve(party + ".p12");
    }

    /** A client with the certificate the nodes trust, connected to the first node. */
    private static ClusterExecutor trustedClient() {
        return ClusterExecutor.builder()
                .connect(nodes.get(0).clientAddress)
                .tls(tls("client"))
                .build();
    }

    private static Set<String> nodeNames(ClusterExecutor cluster) {
        return Set.copyOf(cluster.nodes().stream().map(NodeInfo::name).toList());
    }

    private static Tls tls(String party) {
        return Tls.of(store(party), store("trust"), PASSWORD.toCharArray());
    }

    @Test
    void aTrustedClientRunsCallsOnNodesThatTrustEachOther() throws Exception {
        try (ClusterExecutor cluster = trustedClient()) {
            assertEquals(Set.of("n1", "n2"), nodeNames(cluster));
            assertEquals(9, new WorkTasks(cluster).add(4, 5).get(60, TimeUnit.SECONDS));
        }
    }

    /** Why a client with {@code tls} (none if null) cannot connect to the first node. */
    private static String refusal(Tls tls) {
        ClusterExecutor.Builder client =
                ClusterExecutor.builder().connect(nodes.get(0).clientAddress);
        if (tls != null) {
            client.tls(tls);
        }
        String message = assertThrows(IllegalStateException.class, client::build).getMessage();
        String prefix =
                "cannot start a client of the cluster at " + nodes.get(0).clientAddress + ": ";
        assertTrue(message.startsWith(prefix), message);
        return message.substring(prefix.length());
    }

    @Test
    void aClientInPlaintextIsRefused() {
        String why = refusal(null);
        assertTrue(
                why.startsWith(
                        "the node at "
                                + nodes.get(0).clientAddress
                                + " requires TLS; give the client tls(...)"),
                why);
    }

    @Test
    void aClientWithAnUntrustedCertificateIsRefused() {
        String why = refusal(tls("stranger"));
        assertTrue(
                why.startsWith(
                        "the node at "
                                + nodes.get(0).clientAddress
                                + " refused this client's certificate (CN=stranger)"),
                why);
    }

    @Test
    void aClientThatDoesNotTrustTheNodesSaysSo() {
        // A trust store that holds the stranger's certificate alone.
        String why = refusal(Tls.of(store("client"), store("stranger"), PASSWORD.toCharArray()));
        assertEquals(
                "this client does not trust the certificate of the node at "
                        + nodes.get(0).clientAddress
                        + " (CN=node); add it, or its issuer's, to the client's trust store "
                        + store("stranger"),
                why);
    }

    @Test
    void aNodeWithAnUntrustedCertificateDoesNotJoin() throws Exception {
        Nodes.Node stranger =
                nodes.launch(
                        "stranger",
                        Nodes.freePort(),
                        nodes.get(0).discoveryPort,
                        1,
                        Map.of(ClusterNode.PASSWORD_VARIABLE, PASSWORD),
                        "--keystore",
                        store("stranger").toString(),
                        "--truststore",
                        store("trust").toString(),
                        "--join-timeout-ms",
                        "5000");
        try {
            IllegalStateException refused =
                    assertThrows(
                            IllegalStateException.class,
                            () -> nodes.awaitReady(stranger),
                            () -> stranger.output());
            assertTrue(
                    stranger.output()
                            .contains(
                                    "ClusterNode: cannot start node stranger: the node at 127.0.0.1:"
                                            + nodes.get(0).discoveryPort
                                            + " refused this node's certificate (CN=stranger); add"
                                            + " it, or its issuer's, to the nodes' trust store"),
                    stranger.output());
            assertTrue(!stranger.output().contains("SEVERE"), stranger.output());
            assertTrue(refused.getCause().getMessage().contains("ended before it was ready"));
            try (ClusterExecutor cluster = trustedClient()) {
                assertEquals(Set.of("n1", "n2"), nodeNames(cluster));
            }
        } finally {
            stranger.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + "\n" + out);
    }
}
