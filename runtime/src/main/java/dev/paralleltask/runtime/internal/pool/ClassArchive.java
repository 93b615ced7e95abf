package dev.paralleltask.runtime.internal.pool;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

import dev.paralleltask.runtime.internal.worker.Training;
import dev.paralleltask.runtime.internal.worker.WorkerMain;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A class data sharing archive for workers: the classes a worker loads at start, this runtime's and
 * the JDK's, stored as the JVM maps them, so that a worker starts without loading them (a pool of 2
 * here, median of 10: 134 ms without, 112 ms with). On a worker JVM of JDK 25 or newer it is an
 * ahead-of-time cache instead (JEP 483, made in one step as JEP 514 allows, with the method
 * profiles of JEP 515): its classes come loaded and linked, and the JIT starts from the training's
 * profiles. JDK 24 makes such a cache only in two runs; its workers use the dynamic archive.
 *
 * <p>One archive per {@code java} and runtime jar, made once by a {@link Training} JVM in the
 * background after the first pool has started, in the user's cache directory ({@value
 * #DIRECTORY_PROPERTY}, else {@code $XDG_CACHE_HOME/paralleltask}, else {@code
 * ~/.cache/paralleltask}); pools started after it is made use it. The JVM maps only an archive that
 * matches it and the jar exactly, and starts without it, silently, otherwise; the file name holds
 * the jar's and the JDK's size and time, so a new build gets a new archive, which replaces the
 * archive of the earlier build of the same jar file. Archives unused for {@value #UNUSED_DAYS} days
 * are removed when a new one is made. Nothing is archived when the runtime is not in a jar (a
 * build's class directories) or the jar is not on the workers' classpath, or when the cache
 * directory cannot be made private to this user.
 */
final class ClassArchive {
    /** System property: the directory archives are kept in. */
    static final String DIRECTORY_PROPERTY = "paralleltask.cache.dir";

    private static final long UNUSED_DAYS = 30;

    /** How long after a failed training no other is started. */
    private static final Duration RETRY_AFTER = Duration.ofDays(1);

    private final Path java;
    private final Path jar;
    private final Path archive;

    /** Whether it is an ahead-of-time cache (JDK 25+), not a dynamic CDS archive. */
    private final boolean aot;

    /** How the names of this java's archives of this jar start, whatever the jar's build. */
    private final String family;

    /**
     * The workers' classpath with the runtime jar first, as the JVM requires to use the archive.
     */
    private final String classpath;

    private ClassArchive(
            Path java, Path jar, Path archive, boolean aot, String family, String classpath) {
        this.java = java;
        this.jar = jar;
        this.archive = archive;
        this.aot = aot;
        this.family = family;
        this.classpath = classpath;
    }

    /**
     * The archive for workers that {@code java} runs on {@code classpath}, made or not; null when
     * there can be none.
     */
    static ClassArchive forWorkers(Path java, String classpath) {
        try {
            Path jar = runtimeJar();
            if (jar == null) {
                return null;
            }
            boolean onClasspath = false;
            List<String> entries = new ArrayList<>(List.of(jar.toString()));
            for (String entry : classpath.split(File.pathSeparator)) {
                if (entry.isEmpty()) {
                    continue;
                }
                if (isFile(entry, jar)) {
                    onClasspath = true;
                } else {
                    entries.add(entry);
                }
            }
            if (!onClasspath) {
                return null;
            }
            Path directory = privateDirectory();
            if (directory == null) {
                PoolLog.archive.log(
                        WARNING,
                        "no class archive for the workers: the cache directory is not this user's"
                                + " alone; set "
                                + DIRECTORY_PROPERTY
                                + " to a private directory");
                return null;
            }
            Path realJava = java.toRealPath();
            Path modules = realJava.getParent().resolveSibling("lib").resolve("modules");
            String where = realJava + File.pathSeparator + jar;
            String when = stamp(modules) + File.pathSeparator + stamp(jar);
            String family =
                    jar.getFileName().toString().replaceFirst("\\.jar$", "")
                            + "-"
                            + Integer.toHexString(where.hashCode())
                            + "-";
            boolean aot = featureVersion(realJava) >= 25;
            Path archive =
                    directory.resolve(
                            family
                                    + Integer.toHexString(when.hashCode())
                                    + (aot ? ".aot" : ".jsa"));
            return new ClassArchive(
                    java, jar, archive, aot, family, String.join(File.pathSeparator, entries));
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return null; // no java there (build() says so), or files that cannot be read: no
            // archive
        }
    }

    /**
     * Whether the user's JVM options for the workers set their class sharing themselves ({@code
     * -Xshare:off}, another archive, an ahead-of-time cache of their own): the pool then neither
     * gives its archive nor makes one. The JVM would not have both: JDK 25 refuses to start with an
     * ahead-of-time cache beside any of these.
     */
    static boolean chosenByUser(List<String> jvmOptions) {
        for (String option : jvmOptions) {
            for (String sharing : USER_SHARING_OPTIONS) {
                if (option.startsWith(sharing)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static final List<String> USER_SHARING_OPTIONS =
            List.of(
                    "-Xshare",
                    "-XX:SharedArchiveFile",
                    "-XX:ArchiveClassesAtExit",
                    "-XX:SharedClassListFile",
                    "-XX:DumpLoadedClassList",
                    "-XX:+AutoCreateSharedArchive",
                    "-XX:-UseSharedSpaces",
                    "-XX:AOT");

    /** Whether the archive is made; marks it used when it is. */
    boolean isReady() {
        if (!Files.isRegularFile(archive)) {
            return false;
        }
        try {
            Files.setLastModifiedTime(archive, FileTime.from(Instant.now()));
        } catch (IOException e) {
            // Only the pruning of unused archives looks at the time.
        }
        return true;
    }

    /**
     * The options that make a worker start from the archive. A worker that cannot use it (a heap
     * too large for compressed pointers, say) starts without it, and its JVM is told not to say so.
     * Not given when the user's options set class sharing themselves: see {@link #chosenByUser}.
     */
    List<String> jvmOptions() {
        return aot
                ? List.of("-XX:AOTCache=" + archive, "-Xlog:aot*=off", "-Xlog:cds*=off")
                : List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds*=off");
    }

    /**
     * The workers' classpath with the runtime jar first, as the JVM requires to use the archive.
     */
    String classpath() {
        return classpath;
    }

    /**
     * Starts a {@link Training} JVM that makes the archive, unless one is making it or one failed
     * within a day (its log, beside the archive, says why). The training holds a lock on a file
     * beside the archive while it runs, and ends on its own within a minute, even when this JVM
     * exits first (a short program): the next pool then finds what it made and moves it into place.
     * When this JVM is still there, it does that itself as the training ends.
     */
    void makeInBackground() {
        Path failed = sibling(".log");
        Path lock = sibling(".lock");
        try {
            if (Files.exists(failed)
                    && Files.getLastModifiedTime(failed)
                            .toInstant()
                            .isAfter(Instant.now().minus(RETRY_AFTER))) {
                return;
            }
            try (FileChannel probe =
                    FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock free = probe.tryLock();
                if (free == null || assembling()) {
                    return; // a training runs
                }
                boolean adopted = adoptFinished(failed);
                free.release();
                if (adopted) {
                    return;
                }
            }
            String id = ProcessHandle.current().pid() + "-" + System.nanoTime();
            Path made = sibling(".tmp-" + id);
            Path output = sibling(".tmp-" + id + ".log");
            Process training =
                    new ProcessBuilder(
                                    java.toString(),
                                    (aot ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=")
                                            + made,
                                    "-cp",
                                    jar.toString(),
                                    Training.class.getName(),
                                    lock.toString())
                            .redirectErrorStream(true)
                            .redirectOutput(output.toFile())
                            .start();
            training.getOutputStream().close();
            Thread watch = // not onExit(): see WorkerSupervisor.reapWhenExited
                    new Thread(
                            () -> {
                                WorkerSupervisor.awaitExit(training);
                                ended(training.exitValue(), made, output, failed);
                            },
                            "paralleltask-archive-training");
            watch.setDaemon(true);
            watch.start();
        } catch (OverlappingFileLockException e) {
            // another pool of this JVM is looking
        } catch (IOException e) {
            PoolLog.archive.log(
                    WARNING,
                    "cannot start making the workers' class archive " + archive + ": " + e);
        }
    }

    /**
     * With no training running: moves into place the newest archive a training finished but no pool
     * installed, and removes what other trainings left. Returns whether it installed one.
     */
    private boolean adoptFinished(Path failed) throws IOException {
        String prefix = archive.getFileName() + ".tmp-";
        List<Path> logs = new ArrayList<>();
        try (DirectoryStream<Path> files =
                Files.newDirectoryStream(archive.getParent(), prefix + "*.log")) {
            files.forEach(logs::add);
        }
        logs.sort(null); // by their maker's pid and time: the newest last, mostly
        boolean adopted = false;
        for (int i = logs.size() - 1; i >= 0; i--) {
            Path log = logs.get(i);
            String name = log.getFileName().toString();
            Path made = log.resolveSibling(name.substring(0, name.length() - ".log".length()));
            if (!adopted
                    && Files.isRegularFile(made)
                    && Files.readString(log).contains(aot ? AOT_DONE : Training.DONE)) {
                ended(0, made, log, failed);
                adopted = true;
            } else {
                Files.deleteIfExists(made);
                Files.deleteIfExists(log);
            }
        }
        return adopted;
    }

    /**
     * Whether a JVM is assembling an ahead-of-time cache: the training JVM hands its profile to a
     * JVM of its own as it exits, which writes the cache, then removes the profile ({@code
     * .config}); the training's lock goes with the training. A profile left for minutes is a dead
     * assembler's, and is removed.
     */
    private boolean assembling() throws IOException {
        boolean assembling = false;
        Instant stale = Instant.now().minus(Duration.ofMinutes(2));
        try (DirectoryStream<Path> profiles =
                Files.newDirectoryStream(
                        archive.getParent(), archive.getFileName() + ".tmp-*.config")) {
            for (Path profile : profiles) {
                if (Files.getLastModifiedTime(profile).toInstant().isBefore(stale)) {
                    Files.deleteIfExists(profile);
                } else {
                    assembling = true;
                }
            }
        }
        return assembling;
    }

    /** What the JVM prints last once it has written an ahead-of-time cache. */
    private static final String AOT_DONE = "AOTCache creation is complete";

    /** A training ended: installs what it made, or keeps its output as the failure's log. */
    private void ended(int exitCode, Path made, Path output, Path failed) {
        try {
            if (exitCode == Training.EXIT_BUSY) {
                Files.deleteIfExists(made); // another training holds the lock
                Files.deleteIfExists(output);
            } else if (exitCode == 0 && Files.isRegularFile(made)) {
                Files.move(
                        made,
                        archive,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                removeUnused();
                Files.deleteIfExists(output);
                PoolLog.archive.log(DEBUG, "made the workers' class archive " + archive);
            } else {
                Files.writeString(
                        output,
                        "\nparalleltask: the training JVM exited with " + exitCode + "\n",
                        StandardOpenOption.APPEND);
                Files.move(output, failed, StandardCopyOption.REPLACE_EXISTING);
                Files.deleteIfExists(made);
                PoolLog.archive.log(
                        WARNING,
                        "could not make the workers' class archive: the training JVM exited with "
                                + exitCode
                                + "; its output is in "
                                + failed
                                + ", and no other is tried for a day");
            }
        } catch (NoSuchFileException e) {
            // another pool installed it first
        } catch (IOException e) {
            PoolLog.archive.log(
                    WARNING, "could not install the workers' class archive " + archive + ": " + e);
        }
    }

    private Path sibling(String suffix) {
        return archive.resolveSibling(archive.getFileName() + suffix);
    }

    /**
     * Removes the files of earlier builds of this jar (which a rebuild leaves behind), and any file
     * untouched for {@value #UNUSED_DAYS} days (an archive is touched whenever a pool uses it).
     */
    private void removeUnused() throws IOException {
        String ours = archive.getFileName().toString();
        Instant unused = Instant.now().minus(Duration.ofDays(UNUSED_DAYS));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(archive.getParent())) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                boolean earlierBuild = name.startsWith(family) && !name.startsWith(ours);
                boolean stale = Files.getLastModifiedTime(file).toInstant().isBefore(unused);
                if (earlierBuild || stale) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /**
     * The feature version of the JDK that {@code java} belongs to, from its {@code release} file; 0
     * if that cannot be read.
     */
    private static int featureVersion(Path java) {
        Path release = java.getParent().resolveSibling("release");
        try {
            for (String line : Files.readAllLines(release)) {
                if (line.startsWith("JAVA_VERSION=\"")) {
                    int from = "JAVA_VERSION=\"".length();
                    int to = from;
                    while (to < line.length() && Character.isDigit(line.charAt(to))) {
                        to++;
                    }
                    return Integer.parseInt(line.substring(from, to));
                }
            }
        } catch (IOException | RuntimeException e) {
            // a JDK without a release file: the dynamic archive, which every JDK since 13 has
        }
        return 0;
    }

    /** Whether a classpath entry names {@code file}. */
    private static boolean isFile(String entry, Path file) {
        Path path = Path.of(entry).toAbsolutePath().normalize();
        try {
            return path.equals(file)
                    || (path.getFileName().equals(file.getFileName())
                            && Files.isSameFile(path, file));
        } catch (IOException e) {
            return false;
        }
    }

    /** The jar this runtime was loaded from, or null when it was not loaded from a jar. */
    private static Path runtimeJar() throws URISyntaxException {
        CodeSource source = WorkerMain.class.getProtectionDomain().getCodeSource();
        if (source == null || !"file".equals(source.getLocation().getProtocol())) {
            return null;
        }
        Path path = Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
        return Files.isRegularFile(path) ? path : null;
    }

    /** The cache directory, made if need be; null unless it is this user's alone. */
    private static Path privateDirectory() throws IOException {
        String configured = System.getProperty(DIRECTORY_PROPERTY);
        Path directory;
        if (configured != null && !configured.isBlank()) {
            directory = Path.of(configured);
        } else {
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path base =
                    xdg != null && !xdg.isBlank()
                            ? Path.of(xdg)
                            : Path.of(System.getProperty("user.home"), ".cache");
            directory = base.resolve("paralleltask");
        }
        directory = directory.toAbsolutePath();
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory.getParent());
            try {
                Files.createDirectory(
                        directory,
                        PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                // Made by another pool meanwhile; checked below like any other.
            }
        }
        // A JVM runs whatever an archive holds: no one else may be able to write there.
        PosixFileAttributes attributes =
                Files.readAttributes(
                        directory, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> permissions = attributes.permissions();
        boolean ours =
                attributes.isDirectory()
                        && attributes.owner().getName().equals(System.getProperty("user.name"))
                        && !permissions.contains(PosixFilePermission.GROUP_WRITE)
                        && !permissions.contains(PosixFilePermission.OTHERS_WRITE);
        return ours ? directory : null;
    }

    /** A file's size and time, which change with its content. */
    private static String stamp(Path file) throws IOException {
        return Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis();
    }
}
