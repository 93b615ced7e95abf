package dev.paralleltask.runtime.internal.shared;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where the shared objects of a process family live: one directory only this user can enter, in
 * {@code /dev/shm} where there is one (memory that never goes to disk), else in {@code
 * java.io.tmpdir}.
 *
 * <p>The family's first process (the one that builds pools) makes it, as {@code
 * paralleltask-shared-<pid>-<random>}, and removes it with everything in it when it exits; its
 * workers are given it in the system property {@value #PROPERTY}, so what they allocate outlives
 * them, and remove it if that process dies without exiting (see {@code ParentWatch}). A directory
 * left by a process killed with none of its workers alive is removed by the next family that makes
 * one here.
 */
public final class SharedDirectory {
    /** The system property that gives a worker its family's directory. */
    public static final String PROPERTY = "paralleltask.shared.dir";

    public static final String PREFIX = "paralleltask-shared-";

    private static final Set<PosixFilePermission> OWNER_ONLY =
            PosixFilePermissions.fromString("rwx------");

    private static Path directory;

    private SharedDirectory() {}

    /** The directory, made on first use. */
    public static synchronized Path get() {
        if (directory == null) {
            try {
                directory = make();
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot make a directory for shared objects: " + e.getMessage(), e);
            }
        }
        return directory;
    }

    private static Path make() throws IOException {
        String given = System.getProperty(PROPERTY);
        if (given != null) {
            Path dir = Path.of(given);
            if (!isPrivate(dir)) {
                throw new IOException(
                        given + " (system property " + PROPERTY + ") is not a private directory");
            }
            return dir;
        }
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            base = shm;
        }
        removeAbandoned(base, PREFIX);
        Path dir = createPrivate(base, PREFIX + ProcessHandle.current().pid() + "-");
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> removeAll(dir), "paralleltask-shared-cleanup"));
        return dir;
    }

    /** Whether the directory is in memory ({@code /dev/shm}), not on a disk; false if none. */
    public static boolean inMemory() {
        try {
            return get().startsWith("/dev/shm");
        } catch (UncheckedIOException e) {
            return false; // large values then go through the socket
        }
    }

    /** Whether {@code dir} is a directory, not a link, of this user, that only it can enter. */
    static boolean isPrivate(Path dir) {
        try {
            return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                    && Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS)
                            .getName()
                            .equals(System.getProperty("user.name"))
                    && Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS)
                            .equals(OWNER_ONLY);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Whether {@code dir} is the shared directory of some process family of this user. */
    static boolean isSharedDirectory(Path dir) {
        return dir != null
                && dir.getFileName() != null
                && dir.getFileName().toString().startsWith(PREFIX)
                && isPrivate(dir);
    }

    /**
     * Makes a new directory {@code <prefix><random>} in {@code base} that only this user can enter.
     * Its name is random only so as not to collide: mkdir fails on any name that exists, a link
     * included, so the name need not be secret, and a {@link java.security.SecureRandom} (which
     * {@link Files#createTempDirectory} seeds on first use, 15-30 ms of a fresh JVM's start) is not
     * needed.
     */
    public static Path createPrivate(Path base, String prefix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path dir =
                    base.resolve(
                            prefix
                                    + Long.toUnsignedString(
                                            ThreadLocalRandom.current().nextLong(), 36));
            try {
                return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    /**
     * Removes the private directories named {@code <prefix><pid>-...} in {@code base} whose process
     * no longer runs: what a process killed before it could clean up left (a pool's socket, a
     * family's shared objects).
     */
    public static void removeAbandoned(Path base, String prefix) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, prefix + "*")) {
            for (Path dir : dirs) {
                String rest = dir.getFileName().toString().substring(prefix.length());
                int dash = rest.indexOf('-');
                if (dash <= 0 || !isPrivate(dir)) {
                    continue;
                }
                try {
                    long pid = Long.parseLong(rest.substring(0, dash));
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        continue;
                    }
                } catch (NumberFormatException e) {
                    continue;
                }
                removeAll(dir);
            }
        } catch (IOException e) {
            // nothing to sweep
        }
    }

    /** Removes {@code dir} and what it holds, as far as it can. */
    public static void removeAll(Path dir) {
        try {
            Files.walkFileTree(
                    dir,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                                throws IOException {
                            Files.deleteIfExists(file);
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult postVisitDirectory(Path d, IOException e)
                                throws IOException {
                            Files.deleteIfExists(d);
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            // gone already, or a file was added meanwhile: its family removes it
        }
    }
}
