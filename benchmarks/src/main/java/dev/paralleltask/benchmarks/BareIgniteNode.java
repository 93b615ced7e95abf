package dev.paralleltask.benchmarks;

import dev.paralleltask.cluster.internal.IgniteSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;

/**
 * The node-start floor: an Ignite server node with a cluster node's own settings ({@link
 * IgniteSetup#server}) and no pool. {@code BareIgniteNode <port> <communication port> <client
 * port>} prints "ready" once started, then runs until its input ends.
 */
public final class BareIgniteNode {
    private BareIgniteNode() {}

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("paralleltask-bare-ignite-");
        IgniteSetup.Server settings =
                new IgniteSetup.Server(
                        "bare-" + ProcessHandle.current().pid(),
                        "bare",
                        "127.0.0.1",
                        Integer.parseInt(args[0]),
                        Integer.parseInt(args[1]),
                        Integer.parseInt(args[2]),
                        List.of(),
                        Duration.ofSeconds(60),
                        2,
                        work,
                        null,
                        false);
        try (Ignite ignite = Ignition.start(IgniteSetup.server(settings))) {
            System.out.println("ready");
            while (System.in.read() >= 0) {
                // until the measuring JVM closes our input
            }
        }
    }
}
