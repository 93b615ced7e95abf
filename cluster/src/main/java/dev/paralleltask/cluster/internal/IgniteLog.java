package dev.paralleltask.cluster.internal;

import java.lang.System.Logger.Level;
import java.util.List;
import org.apache.ignite.IgniteLogger;

/**
 * Ignite's log, through {@link System.Logger} (named after Ignite's categories, so an application's
 * logging configuration reaches it): its warnings and errors; its information, debugging and
 * tracing too when {@code verbose}. Never written to the console by Ignite itself: no banner, no
 * "quiet mode" lines.
 *
 * <p>Unless {@code verbose}, three kinds of Ignite's warnings and errors go at debug level: its
 * {@link #ADVICE} on settings paralleltask chose on purpose; what it says when another node goes
 * without leaving ({@link #PEER_GONE}: a trace of a reset connection at SEVERE, and three warnings;
 * anything failed for a node that left the topology), which {@code ClusterNode} says in one line
 * instead; and the traces of its own failed start ({@link #START_FAILED}), which the node's start
 * failure says in one. Both are known by the start of Ignite's message, pinned by {@code
 * ClusterLogTest} against the Ignite version in the pom; a message reworded in another version is
 * logged as Ignite logs it.
 */
public final class IgniteLog implements IgniteLogger {
    /** Ignite's advice at every start that does not apply to paralleltask's nodes. */
    static final List<String> ADVICE =
            List.of(
                    // nodes bind the address they are given
                    "Please set system property '-Djava.net.preferIPv4Stack=true'",
                    // nodes store no data: their heap is the calls'
                    "Initial heap size is ",
                    // nodes persist nothing
                    "Persistence store directory is in the temp directory");

    /** What Ignite logs when another node goes without leaving. */
    static final List<String> PEER_GONE =
            List.of(
                    "Failed to send receipt on message",
                    "Failed to send message to next node",
                    "Local node has detected failed nodes",
                    "Node FAILED: ",
                    // the connection for jobs to it, reset (SEVERE, with a trace)
                    "Failed to process selector key");

    /** What Ignite logs of its own failed start, which the exception it throws says again. */
    static final List<String> START_FAILED =
            List.of("Failed to start manager: ", "Got exception while starting");

    private final System.Logger logger;
    private final boolean verbose;

    private IgniteLog(String name, boolean verbose) {
        this.logger = System.getLogger(name);
        this.verbose = verbose;
    }

    /** Ignite's root log. */
    public static IgniteLog of(boolean verbose) {
        return new IgniteLog("org.apache.ignite", verbose);
    }

    @Override
    public IgniteLogger getLogger(Object category) {
        String name =
                category instanceof Class<?> c
                        ? c.getName()
                        : category == null ? "org.apache.ignite" : category.toString();
        return new IgniteLog(name, verbose);
    }

    @Override
    public void trace(String message) {
        if (verbose) {
            logger.log(Level.TRACE, message);
        }
    }

    @Override
    public void debug(String message) {
        if (verbose) {
            logger.log(Level.DEBUG, message);
        }
    }

    @Override
    public void info(String message) {
        if (verbose) {
            logger.log(Level.INFO, message);
        }
    }

    @Override
    public void warning(String message, Throwable e) {
        logger.log(level(Level.WARNING, message, e), message, e);
    }

    @Override
    public void error(String message, Throwable e) {
        logger.log(level(Level.ERROR, message, e), message, e);
    }

    /** The exception Ignite fails a message to a node with when the node has left. */
    private static final String NODE_LEFT =
            "org.apache.ignite.internal.cluster.ClusterTopologyCheckedException";

    private Level level(Level level, String message, Throwable e) {
        if (verbose) {
            return level;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getName().equals(NODE_LEFT)) {
                return Level.DEBUG; // another node gone: ClusterNode says so in one line
            }
        }
        if (message != null) {
            for (List<String> known : List.of(ADVICE, PEER_GONE, START_FAILED)) {
                for (String start : known) {
                    if (message.startsWith(start)) {
                        return Level.DEBUG;
                    }
                }
            }
        }
        return level;
    }

    @Override
    public boolean isTraceEnabled() {
        return verbose && logger.isLoggable(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return verbose && logger.isLoggable(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return verbose && logger.isLoggable(Level.INFO);
    }

    /** Never: in quiet mode Ignite writes to the console itself. */
    @Override
    public boolean isQuiet() {
        return false;
    }

    @Override
    public String fileName() {
        return null;
    }
}
