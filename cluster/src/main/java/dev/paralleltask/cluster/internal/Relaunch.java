package dev.paralleltask.cluster.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a node's {@code main} again in a JVM with the options Ignite needs, when the command that
 * started it lacked them: one command starts a node. The first JVM waits for the second, passes a
 * stop on to it, and exits with its exit code; the second exits when the first is gone, however it
 * went (a {@code kill -9} included), so a node never outlives the process its operator started.
 */
public final class Relaunch {
    /** Set in the second JVM: it never starts a third. */
    static final String AGAIN = "paralleltask.cluster.startedAgain";

    private Relaunch() {}

    /** Whether this JVM is the second one, started by {@link #again}. */
    public static boolean isSecond() {
        return Boolean.getBoolean(AGAIN);
    }

    /**
     * Runs {@code mainClass} with {@code args} in a new JVM: this one's options and classpath, and
     * {@code missing} besides; returns its exit code once it has exited.
     */
    public static int again(Class<?> mainClass, List<String> missing, String[] args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(missing);
        command.add("-D" + AGAIN + "=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        System.err.println(
                mainClass.getSimpleName()
                        + ": this JVM lacks "
                        + missing.stream().filter(o -> o.startsWith("--add-opens=")).count()
                        + " of the --add-opens options Apache Ignite needs; starting the node in a"
                        + " JVM of its own that has them (--jvm-options prints them, to give java"
                        + " and run in one JVM)");
        Process node =
                new ProcessBuilder(command)
                        .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start(); // its input is a pipe from this JVM, which ends when this does
        Thread stop =
                new Thread(
                        () -> {
                            node.destroy(); // SIGTERM: the node answers its calls, then stops
                            try {
                                node.waitFor();
                            } catch (InterruptedException e) {
                                node.destroyForcibly();
                            }
                        },
                        "paralleltask-node-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        int exit = node.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException e) {
            // this JVM is stopping, and the hook waits for the node
        }
        return exit;
    }

    /**
     * In the second JVM: exits (running the shutdown hooks, which stop the node) when the JVM that
     * started it is gone, which its standard input, a pipe from that JVM, says by ending.
     */
    public static void exitWithParent() {
        Thread watch =
                new Thread(
                        () -> {
                            try {
                                while (System.in.read() >= 0) {
                                    // nothing is sent: the pipe only ends
                                }
                            } catch (IOException e) {
                                // ended all the same
                            }
                            System.exit(1);
                        },
                        "paralleltask-node-parent-watch");
        watch.setDaemon(true);
        watch.start();
    }
}
