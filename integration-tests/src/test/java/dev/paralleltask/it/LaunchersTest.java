package dev.paralleltask.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.it.launch.IsolatedLauncher;
import dev.paralleltask.it.launch.PoolApp;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers start wherever users start their programs: under a launcher with a class loader of its
 * own (as {@code mvn exec:java}), and from a Spring Boot executable jar, whose jars are nested.
 * Each runs {@link PoolApp} in a JVM of its own.
 */
@Timeout(300)
class LaunchersTest {
    private static final Pattern ANSWER = Pattern.compile("worker pid (\\d+), caller pid (\\d+)");

    @TempDir Path work;

    private static Path testClasses() throws Exception {
        return Path.of(PoolApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static Path jar(String property) {
        Path jar = Path.of(System.getProperty(property, "(not set)"));
        assertTrue(Files.isRegularFile(jar), () -> jar + " is missing: run `mvn verify`");
        return jar;
    }

    @Test
    void workersStartUnderALauncherWithItsOwnClassLoader() throws Exception {
        // java.class.path holds the launcher alone, as exec:java's holds Maven's.
        Path launcher = work.resolve("launcher");
        String launcherClass = IsolatedLauncher.class.getName().replace('.', '/') + ".class";
        Files.createDirectories(launcher.resolve(launcherClass).getParent());
        Files.copy(testClasses().resolve(launcherClass), launcher.resolve(launcherClass));
        String output =
                run(
                        List.of(
                                javaExecutable(),
                                "-cp",
                                launcher.toString(),
                                IsolatedLauncher.class.getName(),
                                PoolApp.class.getName(),
                                testClasses().toString(),
                                jar("paralleltask.runtime.jar").toString(),
                                jar("paralleltask.annotations.jar").toString()));
        assertAnsweredByAnotherProcess(output);
    }

    @Test
    void workersStartFromASpringBootExecutableJar() throws Exception {
        Path app = work.resolve("app.jar");
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, "org.springframework.boot.loader.launch.JarLauncher");
        main.putValue("Start-Class", PoolApp.class.getName());
        main.putValue("Spring-Boot-Classes", "BOOT-INF/classes/");
        main.putValue("Spring-Boot-Lib", "BOOT-INF/lib/");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(app), manifest)) {
            copyLoader(jar("paralleltask.spring-boot-loader.jar"), out);
            Path classes = testClasses();
            out.putNextEntry(
                    new JarEntry("BOOT-INF/")); // directories too, as Boot's plugin writes them
            out.putNextEntry(new JarEntry("BOOT-INF/classes/"));
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path f : (Iterable<Path>) files.filter(p -> !p.equals(classes))::iterator) {
                    String name =
                            "BOOT-INF/classes/"
                                    + classes.relativize(f).toString().replace('\\', '/');
                    if (Files.isDirectory(f)) {
                        out.putNextEntry(new JarEntry(name + "/"));
                    } else {
                        out.putNextEntry(new JarEntry(name));
                        Files.copy(f, out);
                    }
                    out.closeEntry();
                }
            }
            out.putNextEntry(new JarEntry("BOOT-INF/lib/"));
            stored(out, "BOOT-INF/lib/paralleltask-runtime.jar", jar("paralleltask.runtime.jar"));
            stored(
                    out,
                    "BOOT-INF/lib/paralleltask-annotations.jar",
                    jar("paralleltask.annotations.jar"));
        }
        assertAnsweredByAnotherProcess(run(List.of(javaExecutable(), "-jar", app.toString())));
    }

    /** Spring Boot's launcher classes go at the jar's root, as its Maven plugin puts them. */
    private static void copyLoader(Path loaderJar, JarOutputStream out) throws IOException {
        try (JarFile loader = new JarFile(loaderJar.toFile())) {
            for (JarEntry e : (Iterable<JarEntry>) loader.stream()::iterator) {
                if (e.isDirectory() || e.getName().startsWith("META-INF/")) {
                    continue;
                }
                out.putNextEntry(new JarEntry(e.getName()));
                try (InputStream in = loader.getInputStream(e)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }

    /** Nested jars must be stored, not compressed, for Spring Boot to read them in place. */
    private static void stored(JarOutputStream out, String name, Path jar) throws IOException {
        byte[] bytes = Files.readAllBytes(jar);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        JarEntry entry = new JarEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        entry.setCrc(crc.getValue());
        out.putNextEntry(entry);
        out.write(bytes);
        out.closeEntry();
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private String run(List<String> command) throws Exception {
        List<String> withCache = new ArrayList<>(command);
        Process process =
                new ProcessBuilder(withCache)
                        .directory(work.toFile())
                        .redirectErrorStream(true)
                        .start();
        process.getOutputStream().close();
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = in.readAllBytes();
        } finally {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), () -> "the application failed:\n" + text);
        return text;
    }

    private static void assertAnsweredByAnotherProcess(String output) {
        Matcher answer = ANSWER.matcher(output);
        assertTrue(answer.find(), () -> "no answer in:\n" + output);
        assertTrue(!answer.group(1).equals(answer.group(2)), output);
    }
}
