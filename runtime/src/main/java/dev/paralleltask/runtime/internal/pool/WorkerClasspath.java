package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.WorkerStartException;
import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.worker.WorkerMain;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * How a worker JVM finds the runtime and the task classes: where this JVM really found them, which
 * is not always {@code java.class.path}.
 *
 * <ul>
 *   <li>A plain classpath, an IDE, Surefire (whose manifest-only jar a worker reads the same way),
 *       a shaded jar: {@code java.class.path}.
 *   <li>{@code mvn exec:java} and other launchers that load the application through a {@code
 *       URLClassLoader} of their own (java.class.path is then the launcher's): the {@code file:}
 *       URLs of the context class loader and its parents are added, and the runtime's own jar.
 *   <li>A modular application ({@code java -p mods -m app/app.Main}): the jars and directories of
 *       the modules it booted from its module path, which workers run from their classpath.
 *   <li>A Spring Boot executable jar ({@code java -jar app.jar}, the application's jars nested in
 *       {@code BOOT-INF/lib}), which no plain classpath can name: workers start through Spring
 *       Boot's own {@code PropertiesLauncher} from the same jar, with {@code loader.main} set to
 *       the worker's main class.
 * </ul>
 *
 * When none of these finds the runtime, the pool fails at {@code build()} saying so, and that
 * {@code ProcessPool.Builder.classpath(...)} settles it.
 *
 * @param classpath the workers' {@code -cp}
 * @param jvmOptions options the launch needs before the user's
 * @param mainClass the class the worker JVM runs
 */
record WorkerClasspath(String classpath, List<String> jvmOptions, String mainClass) {
    private static final String WORKER_MAIN = WorkerMain.class.getName();

    /** The classpath given by the user, made absolute. */
    static WorkerClasspath given(String classpath) {
        return new WorkerClasspath(absolute(classpath), List.of(), WORKER_MAIN);
    }

    /**
     * Derives the workers' classpath from this JVM's: {@code java.class.path}, the context class
     * loader's URLs, and the runtime's own location.
     *
     * @throws WorkerStartException if the runtime was loaded from somewhere a child JVM cannot use
     */
    static WorkerClasspath derive(ClassLoader context) {
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        CodeSource runtime = WorkerMain.class.getProtectionDomain().getCodeSource();
        URL runtimeUrl = runtime == null ? null : runtime.getLocation();
        Path runtimePath = fileOf(runtimeUrl);
        if (runtimePath == null) {
            WorkerClasspath boot = springBoot(entries);
            if (boot != null) {
                return boot;
            }
            throw Failures.startFailure(
                    "cannot tell the workers where to find paralleltask's runtime: this JVM loaded it"
                            + " from "
                            + (runtimeUrl == null ? "an unknown place" : runtimeUrl)
                            + ", which a child JVM's classpath cannot name; set"
                            + " ProcessPool.builder().classpath(...) to the runtime jar and your task"
                            + " classes",
                    List.of(),
                    null);
        }
        List<String> fromLoaders = new ArrayList<>();
        for (ClassLoader l = context; l != null; l = l.getParent()) {
            if (l instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    Path path = fileOf(url);
                    if (path != null) {
                        fromLoaders.add(path.toString());
                    }
                }
            }
        }
        // Parents' URLs after their children's, so the application's classes come first.
        entries.addAll(fromLoaders);
        entries.addAll(applicationModules());
        entries.add(runtimePath.toString());
        return new WorkerClasspath(
                String.join(File.pathSeparator, entries), List.of(), WORKER_MAIN);
    }

    /**
     * The jars and directories of the modules this JVM booted from its module path ({@code java -p
     * ... -m app/...}): a worker runs them from its classpath, where every class is in the unnamed
     * module, so the generated invokers and the application's values need no {@code opens}. The
     * JDK's own modules have no file.
     */
    static List<String> applicationModules() {
        List<String> found = new ArrayList<>();
        for (java.lang.module.ResolvedModule m : ModuleLayer.boot().configuration().modules()) {
            m.reference()
                    .location()
                    .filter(uri -> "file".equals(uri.getScheme()))
                    .map(uri -> Path.of(uri).toAbsolutePath().normalize().toString())
                    .ifPresent(found::add);
        }
        return found;
    }

    /** The file a {@code file:} URL names, absolute; null for any other URL. */
    private static Path fileOf(URL url) {
        if (url == null || !"file".equals(url.getProtocol())) {
            return null;
        }
        try {
            return Path.of(url.toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * A Spring Boot executable jar on the classpath alone, started by one of its launchers: the
     * workers start from it through its {@code PropertiesLauncher}. Null when it is not that.
     */
    private static WorkerClasspath springBoot(Set<String> entries) {
        if (entries.size() != 1) {
            return null;
        }
        Path jar = Path.of(entries.iterator().next());
        if (!Files.isRegularFile(jar)) {
            return null;
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String main =
                    manifest == null ? null : manifest.getMainAttributes().getValue("Main-Class");
            if (main == null || !main.startsWith("org.springframework.boot.loader.")) {
                return null;
            }
            String launcher = main.substring(0, main.lastIndexOf('.') + 1) + "PropertiesLauncher";
            if (file.getEntry(launcher.replace('.', '/') + ".class") == null) {
                return null;
            }
            return new WorkerClasspath(
                    jar.toString(), List.of("-Dloader.main=" + WORKER_MAIN), launcher);
        } catch (IOException e) {
            return null;
        }
    }

    /** Makes each classpath entry absolute, so workers find it whatever their directory. */
    private static String absolute(String classpath) {
        List<String> entries = new ArrayList<>();
        for (String e : classpath.split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                entries.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
