package dev.paralleltask.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Workers never outlive their parent, however it dies. */
@Timeout(120)
class ParentDeathTest {
    @Test
    void workersExitWhenTheirParentIsKilledWithSigkill() throws Exception {
        Process parent = startParent();
        try {
            List<Long> pids = readWorkerPids(parent);
            assertEquals(2, pids.size());
            assertTrue(pids.stream().noneMatch(Futures::isDead));
            parent.destroyForcibly().waitFor();
            Futures.awaitAllDead(pids);
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void workersExitWhenTheirParentExitsNormally() throws Exception {
        Process parent = startParent();
        try {
            List<Long> pids = readWorkerPids(parent);
            parent.destroy(); // SIGTERM: the JVM runs its shutdown and exits
            parent.waitFor();
            Futures.awaitAllDead(pids);
        } finally {
            parent.destroyForcibly();
        }
    }

    private static Process startParent() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), OrphanParent.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static List<Long> readWorkerPids(Process parent) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("PIDS ")) {
                return Arrays.stream(line.substring(5).split(" ")).map(Long::parseLong).collect(Collectors.toList());
            }
        }
        throw new AssertionError("the parent exited before printing its workers' pids");
    }
}
