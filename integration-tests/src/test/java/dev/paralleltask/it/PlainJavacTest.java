package dev.paralleltask.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published jars as a user without Maven uses them: plain javac with the processor jar alone on
 * {@code -processorpath}, then plain java running the result on a pool. CI runs this on each JDK.
 */
@Timeout(180)
class PlainJavacTest {
    private static Path processorJar;
    private static Path annotationsJar;
    private static Path runtimeJar;

    @TempDir Path work;

    @BeforeAll
    static void findJars() {
        processorJar = jar("paralleltask.processor.jar");
        annotationsJar = jar("paralleltask.annotations.jar");
        runtimeJar = jar("paralleltask.runtime.jar");
    }

    private static Path jar(String property) {
        Path jar = Path.of(System.getProperty(property, "(not set)"));
        assertTrue(
                Files.isRegularFile(jar),
                () ->
                        jar
                                + " is missing: run `mvn verify`, which packages the jars before these tests");
        return jar;
    }

    @Test
    void processorJarAloneOnTheProcessorPathGeneratesWorkingProxies() throws Exception {
        Path src = Files.createDirectories(work.resolve("src/com/acme"));
        Files.writeString(
                src.resolve("Primes.java"),
                """
                package com.acme;

                import dev.paralleltask.ParallelTask;

                public class Primes {
                    @ParallelTask
                    public static long count(int from, int to) {
                        long n = 0;
                        for (int i = Math.max(2, from); i < to; i++) {
                            boolean prime = true;
                            for (int d = 2; d * d <= i && prime; d++) {
                                prime = i % d != 0;
                            }
                            n += prime ? 1 : 0;
                        }
                        return n;
                    }
                }
                """);
        Files.writeString(
                src.resolve("Main.java"),
                """
                package com.acme;

                import dev.paralleltask.runtime.ProcessPool;

                public class Main {
                    public static void main(String[] args) throws Exception {
                        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
                            System.out.println("primes below 1000: " + new PrimesTasks(pool).count(0, 1000).get());
                        }
                    }
                }
                """);
        Path out = work.resolve("out");
        String classpath = annotationsJar + File.pathSeparator + runtimeJar;
        Result javac =
                run(
                        tool("javac"),
                        "-Xlint:all,-processing",
                        "-Werror",
                        "-processorpath",
                        processorJar.toString(),
                        "-cp",
                        classpath,
                        "-d",
                        out.toString(),
                        src.resolve("Primes.java").toString(),
                        src.resolve("Main.java").toString());
        assertEquals(0, javac.exitCode, javac.output);
        assertTrue(
                Files.exists(out.resolve("com/acme/PrimesTasks.class")),
                "the proxy was generated and compiled");

        // The pool's class data archive goes where the other tests keep theirs, not in ~/.cache.
        String cache =
                System.getProperty("paralleltask.cache.dir", work.resolve("cache").toString());
        Result java =
                run(
                        tool("java"),
                        "-Dparalleltask.cache.dir=" + cache,
                        "-cp",
                        out + File.pathSeparator + runtimeJar,
                        "com.acme.Main");
        assertEquals(0, java.exitCode, java.output);
        assertTrue(java.output.contains("primes below 1000: 168"), java.output);
    }

    @Test
    void processorJarShadesJavaPoetAwayFromTheUsersCopy() throws Exception {
        try (JarFile jar = new JarFile(processorJar.toFile())) {
            List<String> names = jar.stream().map(e -> e.getName()).collect(Collectors.toList());
            assertTrue(
                    names.stream().noneMatch(n -> n.startsWith("com/palantir/")),
                    "JavaPoet is relocated");
            assertTrue(
                    names.stream()
                            .anyMatch(
                                    n ->
                                            n.startsWith(
                                                    "dev/paralleltask/processor/shaded/javapoet/")));
            assertTrue(names.contains("META-INF/services/javax.annotation.processing.Processor"));
            assertTrue(names.contains("META-INF/gradle/incremental.annotation.processors"));
        }
    }

    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private record Result(int exitCode, String output) {}

    private static Result run(String... command) throws Exception {
        Process p =
                new ProcessBuilder(new ArrayList<>(List.of(command)))
                        .redirectErrorStream(true)
                        .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished in time");
        return new Result(p.exitValue(), output);
    }
}
