package dev.paralleltask.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.cluster.internal.IgniteLogPins;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a node prints, as an operator reads it: nothing of Ignite's at start, one line when another
 * node dies, Ignite's own log back with {@code --verbose}. Pins the starts of Ignite's messages
 * that {@code IgniteLog} quiets against the Ignite version in the pom: were one reworded, its
 * message would show here.
 */
class ClusterLogTest {
    @Test
    void aNodeStartsQuietlyAndSaysInOneLineThatAnotherFailed() throws Exception {
        try (Nodes nodes = Nodes.start(2, 1)) {
            Nodes.Node survivor = nodes.get(0);
            for (Nodes.Node n : nodes.all()) {
                List<String> lines = List.copyOf(n.output);
                assertEquals(
                        List.of("paralleltask node " + n.name + " ready"),
                        lines.stream().map(l -> l.replaceAll(" ready.*", " ready")).toList(),
                        () ->
                                "node "
                                        + n.name
                                        + " printed more than its ready line:\n"
                                        + n.output());
            }
            nodes.kill(nodes.get(1));
            String said = "INFO dev.paralleltask.cluster.ClusterNode: node n1: node n2 failed";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (survivor.output.stream().noneMatch(l -> l.contains(said))) {
                assertTrue(System.nanoTime() < deadline, survivor::output);
                Thread.sleep(50);
            }
            Thread.sleep(3_000); // what Ignite logs of it comes within this
            String output = survivor.output();
            assertTrue(!output.contains("SEVERE") && !output.contains("\tat "), output);
            for (String quieted : IgniteLogPins.quieted()) {
                assertTrue(!output.contains(quieted), () -> quieted + " in\n" + output);
            }
            assertEquals(1, survivor.output.stream().filter(l -> l.contains("n2")).count(), output);
        }
    }

    @Test
    void verboseBringsIgnitesOwnInformationBack() throws Exception {
        try (Nodes nodes = Nodes.start(1, 1, Map.of(), "--verbose")) {
            String output = nodes.get(0).output();
            assertTrue(
                    nodes.get(0).output.stream()
                                    .filter(l -> l.contains(" INFO org.apache.ignite."))
                                    .count()
                            > 10,
                    output);
            assertTrue(output.contains("Local node user attribute [paralleltask.node=n1]"), output);
        }
    }
}
