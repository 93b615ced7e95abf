package dev.paralleltask.runtime.internal.worker;

import dev.paralleltask.runtime.internal.shared.SharedDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Halts the worker soon after its parent dies, even while a task is running, and removes what the
 * dead parent could not: its socket, this worker's ring and, once empty, the pool's directory.
 *
 * <p>An idle worker also notices at once through its channel; this covers a busy one. The parent is
 * gone when its pid no longer runs, or when this process was handed to another parent.
 */
final class ParentWatch {
    private static final long POLL_MILLIS = 100;

    private final long parentPid;
    private final Path socket;
    private final Path ring;

    private ParentWatch(long parentPid, Path socket, Path ring) {
        this.parentPid = parentPid;
        this.socket = socket;
        this.ring = ring;
    }

    /** A watch of no parent, for a worker that may outlive its own: it never fires. */
    static ParentWatch none() {
        return new ParentWatch(-1, null, null);
    }

    /**
     * Starts watching; {@code socket} and {@code ring} are the pool's files, in its directory. The
     * watch reads the pool's secret from standard input ({@link #secret}), then waits there for the
     * end of the stream, which comes the moment the parent is gone: a watch that costs nothing
     * while it waits (polling the parent cost an idle worker 0.3% of a core). Should standard input
     * end while the parent lives, it polls the parent every {@value #POLL_MILLIS} ms.
     */
    static ParentWatch start(long parentPid, Path socket, Path ring) {
        ParentWatch watch = new ParentWatch(parentPid, socket, ring);
        Thread thread =
                new Thread("paralleltask-parent-watch") {
                    @Override
                    public void run() {
                        watch.watch();
                    }
                };
        thread.setDaemon(true);
        thread.start();
        return watch;
    }

    /** Guarded by this; set once, the secret's line, or "" if the input ended without one. */
    private String secret;

    /** The first line of standard input, where the pool writes its secret; "" if there is none. */
    synchronized String secret() throws InterruptedException {
        while (secret == null) {
            wait();
        }
        return secret;
    }

    private synchronized void secretRead(String line) {
        secret = line;
        notifyAll();
    }

    private void watch() {
        StringBuilder line = new StringBuilder();
        try {
            for (int c; (c = System.in.read()) != -1 && c != '\n'; ) {
                line.append((char) c);
            }
            secretRead(line.toString());
            while (System.in.read() != -1) {
                // The pool writes nothing after its secret.
            }
        } catch (IOException e) {
            secretRead(line.toString()); // no input: as good as ended
        }
        for (int i = 0; i < 50 && isAlive(); i++) { // a dying process closes its files first
            sleep(20);
        }
        while (isAlive()) {
            sleep(POLL_MILLIS);
        }
        removePoolFiles();
        removeSharedObjects();
        // halt, not exit: shutdown hooks of user code must not keep an orphan alive.
        Runtime.getRuntime().halt(WorkerMain.EXIT_PARENT_GONE);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The channel to the pool closed. If that is because the parent died, removes its files. A
     * dying process closes its sockets a moment before it is seen gone, so this waits up to a
     * second for that.
     */
    void onChannelLost() {
        if (socket == null) {
            return; // watches no parent
        }
        for (int i = 0; i < 50; i++) {
            if (!isAlive()) {
                removePoolFiles();
                removeSharedObjects();
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Written without lambdas, as is {@link #start}: a worker starts from a class archive whose
     * training watches no parent, so it would spin their classes as it starts (3-5 ms).
     */
    private boolean isAlive() {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        return parent.isPresent() && parent.get().pid() == parentPid && parent.get().isAlive();
    }

    /**
     * Removes the shared objects of the dead parent's family, if the parent was the family's first
     * process: it would have removed them as it exited.
     */
    private void removeSharedObjects() {
        String shared = System.getProperty(SharedDirectory.PROPERTY);
        if (shared != null) {
            Path dir = Path.of(shared);
            if (dir.getFileName().toString().startsWith(SharedDirectory.PREFIX + parentPid + "-")) {
                SharedDirectory.removeAll(dir);
            }
        }
    }

    /**
     * Each worker of the dead pool removes what it can; the directory goes with the last ring. Only
     * a directory the pool made is touched, whatever the command line said.
     */
    private void removePoolFiles() {
        Path directory = socket.toAbsolutePath().getParent();
        if (directory == null
                || !directory.getFileName().toString().startsWith("paralleltask-")
                || !directory.equals(ring.toAbsolutePath().getParent())) {
            return;
        }
        try {
            Files.deleteIfExists(ring);
            Files.deleteIfExists(socket);
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // Another worker's ring is still there; that worker removes the directory.
        }
    }
}
