package dev.paralleltask.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paralleltask.runtime.ProcessPool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A program that uses a pool for one call and exits at once, long before a class archive could be
 * made: for tests of what a fresh program does ({@link ClassArchiveTest}, {@link
 * FlightRecorderTest}).
 */
public final class ShortProgram {
    private ShortProgram() {}

    public static void main(String[] args) throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            System.out.println("pid " + new FaultsTasks(pool).pid().get());
        }
    }

    /**
     * Runs this program in a fresh JVM with {@code jvmOptions}, checks that it exited with 0, and
     * returns what it wrote to stdout and stderr.
     */
    static String runFresh(String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(
                List.of(
                        "-cp",
                        System.getProperty("java.class.path"),
                        ShortProgram.class.getName()));
        Process program = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(program.getInputStream().readAllBytes());
        assertEquals(0, program.waitFor(), out);
        return out;
    }
}
