package dev.paralleltask.cluster.docs;

import dev.paralleltask.cluster.ClusterExecutor;
import dev.paralleltask.cluster.Tls;
import java.nio.file.Path;

/**
 * docs/cluster.md's examples, as the page shows them (the integration tests' DocSnippetsTest checks
 * the text), compiled with the cluster's tests. They name a machine of the reader's, so they are
 * not run here: the outside check runs the same steps against a real node.
 */
final class ClusterSnippets {
    private ClusterSnippets() {}

    static void connect() throws Exception {
        try (ClusterExecutor cluster =
                ClusterExecutor.builder().connect("10.0.0.7:10800").build()) {
            PrimesTasks primes = new PrimesTasks(cluster); // the same proxy
            System.out.println(primes.count(0, 1_000_000).get());
            System.out.println(cluster.nodes()); // each node: workers, calls it holds
        }
    }

    static ClusterExecutor withTls(char[] password) throws Exception {
        return ClusterExecutor.builder()
                .connect("10.0.0.7:10800")
                .tls(Tls.of(Path.of("client.p12"), Path.of("trust.p12"), password))
                .build();
    }
}
