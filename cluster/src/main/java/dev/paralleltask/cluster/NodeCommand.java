package dev.paralleltask.cluster;

import static dev.paralleltask.cluster.ClusterNode.PASSWORD_VARIABLE;

import dev.paralleltask.cluster.internal.IgniteSetup;
import dev.paralleltask.cluster.internal.Relaunch;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.ignite.IgniteSystemProperties;

/** {@link ClusterNode#main}: a node from the command line. */
final class NodeCommand {
    private NodeCommand() {}

    private static final String LOG_FORMAT = "java.util.logging.SimpleFormatter.format";

    static void run(String[] args) throws InterruptedException {
        if (System.getProperty(LOG_FORMAT) == null
                && System.getProperty("java.util.logging.config.file") == null) {
            // One line a record (its stack trace below it): time, level, logger, message.
            System.setProperty(LOG_FORMAT, "%1$tT %4$s %3$s: %5$s%6$s%n");
        }
        ClusterNode.Builder builder = ClusterNode.builder();
        String keyStore = null;
        String trustStore = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                switch (option) {
                    case "--help", "-h" -> {
                        usage(System.out);
                        return;
                    }
                    case "--jvm-options" -> {
                        ClusterNode.JVM_OPTIONS.forEach(System.out::println);
                        return;
                    }
                    case "--name" -> builder.name(value(args, ++i, option));
                    case "--host" -> builder.host(value(args, ++i, option));
                    case "--port" -> builder.port(number(args, ++i, option));
                    case "--communication-port" ->
                            builder.communicationPort(number(args, ++i, option));
                    case "--client-port" -> builder.clientPort(number(args, ++i, option));
                    case "--join" -> builder.join(value(args, ++i, option).split(","));
                    case "--join-timeout-ms" ->
                            builder.joinTimeout(Duration.ofMillis(number(args, ++i, option)));
                    case "--workers" -> builder.workers(number(args, ++i, option));
                    case "--threads-per-worker" ->
                            builder.threadsPerWorker(number(args, ++i, option));
                    case "--jvm-option" -> builder.jvmOptions(value(args, ++i, option));
                    case "--timeout-ms" ->
                            builder.defaultTimeout(Duration.ofMillis(number(args, ++i, option)));
                    case "--keystore" -> keyStore = value(args, ++i, option);
                    case "--truststore" -> trustStore = value(args, ++i, option);
                    case "--verbose" -> builder.verbose(true);
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            if ((keyStore == null) != (trustStore == null)) {
                throw new IllegalArgumentException("--keystore and --truststore go together");
            }
            if (keyStore != null) {
                String password = System.getenv(PASSWORD_VARIABLE);
                if (password == null) {
                    throw new IllegalArgumentException(
                            "set the stores' password in the environment variable "
                                    + PASSWORD_VARIABLE);
                }
                builder.tls(Tls.of(Path.of(keyStore), Path.of(trustStore), password.toCharArray()));
            }
        } catch (IllegalArgumentException e) {
            System.err.println("ClusterNode: " + e.getMessage());
            usage(System.err);
            System.exit(2);
            return;
        }
        List<String> missing = IgniteSetup.missing(ClusterNode.JVM_OPTIONS);
        if (IgniteSetup.opensAmong(missing) && !Relaunch.isSecond()) {
            try {
                System.exit(Relaunch.again(ClusterNode.class, missing, args));
            } catch (IOException e) {
                System.err.println("ClusterNode: cannot start a JVM for the node: " + e);
                System.exit(1);
            }
            return;
        }
        if (Relaunch.isSecond()) {
            Relaunch.exitWithParent();
        }
        // The node's own hook stops it after its calls are answered; Ignite's would stop the
        // grid at once, failing them.
        System.setProperty(IgniteSystemProperties.IGNITE_NO_SHUTDOWN_HOOK, "true");
        ClusterNode node;
        try {
            node = builder.start();
        } catch (RuntimeException e) {
            System.err.println("ClusterNode: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    node.close();
                                    closed.countDown();
                                },
                                "paralleltask-node-shutdown"));
        System.out.println(
                "paralleltask node "
                        + node.name()
                        + " ready: clients connect to "
                        + node.clientAddress()
                        + "; "
                        + node.workerCount()
                        + " workers");
        closed.await();
    }

    private static void usage(PrintStream out) {
        out.println(
                """
                usage: java -cp <your app's classpath> dev.paralleltask.cluster.ClusterNode [options]
                  --name NAME                the node's name (default HOST:PORT)
                  --host ADDRESS             the address to bind and be reached at (default 127.0.0.1)
                  --port N                   the port nodes find each other at (default 47500)
                  --communication-port N     the first port nodes exchange jobs on (default 47100)
                  --client-port N            the port clients connect to (default 10800)
                  --join HOST:PORT,...       nodes of the cluster to join (default: start a new one)
                  --join-timeout-ms N        give up joining after N ms (default 60000)
                  --workers N                worker JVMs (default: the number of cores)
                  --threads-per-worker N     calls each worker runs at once (default 1)
                  --jvm-option OPTION        an option of the worker JVMs; repeat for more
                  --timeout-ms N             the timeout of calls whose method sets none
                  --keystore FILE            mutual TLS: this node's key and certificate (PKCS #12)
                  --truststore FILE          mutual TLS: the certificates it trusts (PKCS #12)
                                             the stores' password comes from $%s
                  --verbose                  log Ignite's information too, not only its warnings
                  --jvm-options              print the JVM options Ignite needs (without them the
                                             node starts again in a JVM that has them)
                  --help                     print this"""
                        .formatted(PASSWORD_VARIABLE));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int number(String[] args, int i, String option) {
        String v = value(args, i, option);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, was '" + v + "'");
        }
    }
}
