package dev.paralleltask.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** What the processor writes: goldens for the main shapes, and code that compiles cleanly. */
class GeneratedCodeTest {
    private static final String PRIMES =
            """
            package com.acme;

            import dev.paralleltask.ParallelTask;

            public class Primes {
                /**
                 * Counts the primes in [from, to), trying divisors up to {@link Math#sqrt}. Slow
                 * for large ranges.
                 *
                 * @param from the first number tried
                 */
                @ParallelTask(timeoutMillis = 5_000)
                public static long count(int from, int to) {
                    return to - from;
                }

                @ParallelTask(retries = 2)
                static void warmUp() {}
            }
            """;

    private static final String BOX =
            """
            package com.acme;

            import dev.paralleltask.ParallelTask;
            import java.io.Serializable;
            import java.util.List;

            public class Box<T extends Comparable<T>> implements Serializable {
                private static final long serialVersionUID = 1L;
                private final T value;

                public Box(T value) {
                    this.value = value;
                }

                @ParallelTask
                public T max(T other) {
                    return value.compareTo(other) >= 0 ? value : other;
                }

                @ParallelTask
                public int count(List<? extends T> values) {
                    return values.size();
                }

                @SafeVarargs
                @ParallelTask
                public static <E> List<E> listOf(E... elements) {
                    return List.of(elements);
                }
            }
            """;

    private static Compilation compile(String name, String source, String... options) {
        return javac().withProcessors(new ParallelTaskProcessor())
                .withOptions((Object[]) options)
                .compile(JavaFileObjects.forSourceString(name, source));
    }

    private static String generated(Compilation c, String name) {
        try {
            return c.generatedSourceFile(name).orElseThrow().getCharContent(true).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compares with the golden; a mismatch leaves the actual text in target/ to compare. */
    private static void assertMatchesGolden(String actual, String golden) throws IOException {
        String expected;
        try (InputStream in = GeneratedCodeTest.class.getResourceAsStream("/goldens/" + golden)) {
            expected = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!actual.equals(expected)) {
            Path out = Path.of("target", "goldens-actual", golden);
            Files.createDirectories(out.getParent());
            Files.writeString(out, actual);
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void staticTasksMatchTheirGolden() throws IOException {
        Compilation c = compile("com.acme.Primes", PRIMES);
        assertThat(c).succeededWithoutWarnings();
        assertMatchesGolden(generated(c, "com.acme.PrimesTasks"), "PrimesTasks.java");
    }

    @Test
    void genericInstanceTasksMatchTheirGolden() throws IOException {
        Compilation c = compile("com.acme.Box", BOX);
        assertThat(c).succeededWithoutWarnings();
        assertMatchesGolden(generated(c, "com.acme.BoxTasks"), "BoxTasks.java");
    }

    @Test
    void generatedCodeCompilesWithoutWarningsUnderXlintAll() {
        Compilation c =
                compile(
                        "com.acme.Everything",
                        """
                package com.acme;

                import dev.paralleltask.ParallelTask;
                import java.io.IOException;
                import java.io.Serializable;
                import java.util.List;
                import java.util.Map;

                public class Everything implements Serializable {
                    private static final long serialVersionUID = 1L;

                    public enum Mode { FAST, SLOW }

                    public record Point(int x, int y) implements Serializable {}

                    @ParallelTask public String name(String prefix) { return prefix; }
                    @ParallelTask static int add(int a, int b) { return a + b; }
                    @ParallelTask public static void nothing() {}
                    @ParallelTask public static int[][] grid(int[][] g, String... labels) { return g; }
                    @ParallelTask public static int sum(int... xs) { return xs.length; }
                    @ParallelTask public static String describe(int x) { return "int"; }
                    @ParallelTask public static String describe(List<Integer> x) { return "list"; }
                    @ParallelTask public static <K extends Comparable<K>, V> Map<K, V> sorted(Map<K, V> m) { return m; }
                    @ParallelTask public static <T> T[] same(T[] xs) { return xs; }
                    @ParallelTask public static List<String>[] lists(List<String>[] xs) { return xs; }
                    @ParallelTask public static Point mirror(Point p, Mode mode) { return p; }
                    @ParallelTask public static String read(String path) throws IOException, InterruptedException { return path; }
                    @ParallelTask public static Integer boxed(Integer i, Character c, Object o) { return i; }
                    @Deprecated @ParallelTask public static void old() {}
                    @SafeVarargs @ParallelTask public static <T> int count(T... xs) { return xs.length; }
                }
                """,
                        "-Xlint:all,-processing",
                        "-Werror");
        assertThat(c).succeededWithoutWarnings();
    }

    @Test
    void rawBoundsAndDeprecatedTypesGiveNoWarningInTheProxy() {
        JavaFileObject old =
                JavaFileObjects.forSourceString(
                        "com.acme.Old",
                        """
                package com.acme;

                @Deprecated
                public class Old implements java.io.Serializable {
                    private static final long serialVersionUID = 1L;
                }
                """);
        JavaFileObject doomed =
                JavaFileObjects.forSourceString(
                        "com.acme.Doomed",
                        """
                package com.acme;

                @Deprecated(forRemoval = true)
                public class Doomed implements java.io.Serializable {
                    private static final long serialVersionUID = 1L;
                }
                """);
        JavaFileObject sorting =
                JavaFileObjects.forSourceString(
                        "com.acme.Sorting",
                        """
                package com.acme;

                import dev.paralleltask.ParallelTask;
                import java.util.List;

                public class Sorting {
                    @SuppressWarnings({"rawtypes", "unchecked"})
                    @ParallelTask public static <C extends Comparable> C max(C a, C b) {
                        return a.compareTo(b) >= 0 ? a : b;
                    }

                    @SuppressWarnings("rawtypes")
                    @ParallelTask public static int size(List raw) { return raw.size(); }

                    @SuppressWarnings("deprecation")
                    @ParallelTask public static Old keep(Old old) { return old; }

                    @SuppressWarnings("removal")
                    @ParallelTask public static int weigh(List<Doomed> doomed) { return doomed.size(); }
                }
                """);
        JavaFileObject rawBox =
                JavaFileObjects.forSourceString(
                        "com.acme.RawBox",
                        """
                package com.acme;

                import dev.paralleltask.ParallelTask;

                @SuppressWarnings({"rawtypes", "serial"}) // JDK 25's serial lint: a C may not serialize
                public class RawBox<C extends Comparable> implements java.io.Serializable {
                    private static final long serialVersionUID = 1L;
                    private final C value;

                    public RawBox(C value) { this.value = value; }

                    @ParallelTask public C get() { return value; }
                }
                """);
        Compilation c =
                javac().withProcessors(new ParallelTaskProcessor())
                        .withOptions("-Xlint:all,-processing", "-Werror")
                        .compile(old, doomed, sorting, rawBox);
        assertThat(c).succeededWithoutWarnings();
        assertThat(generated(c, "com.acme.SortingTasks"))
                .contains(
                        "@SuppressWarnings(\"rawtypes\")\n    public <C extends Comparable> TaskFuture<C> max(");
        String rawBoxTasks = generated(c, "com.acme.RawBoxTasks");
        assertThat(rawBoxTasks).contains("@SuppressWarnings(\"rawtypes\")\n@Generated(");
        assertThat(rawBoxTasks).contains("public final class RawBoxTasks<C extends Comparable> {");
    }

    @Test
    void overloadsThatTakeDifferentLambdasGiveNoWarningInTheProxy() {
        Compilation c =
                compile(
                        "com.acme.Finder",
                        """
                package com.acme;

                import dev.paralleltask.ParallelTask;
                import java.util.function.Predicate;

                @SuppressWarnings({"overloads", "ParallelTaskFunctionalInterface"})
                public class Finder {
                    public interface NamePredicate { boolean test(String name); }

                    @ParallelTask public static int find(Predicate<String> p) { return 0; }
                    @ParallelTask public static int find(NamePredicate p) { return 1; }
                }
                """,
                        "-Xlint:all,-processing",
                        "-Werror");
        assertThat(c).succeededWithoutWarnings();
    }

    @Test
    void aGenericClassWithOnlyStaticTasksGetsAProxyWithoutTypeParameters() {
        JavaFileObject holder =
                JavaFileObjects.forSourceString(
                        "com.acme.Holder",
                        """
                package com.acme;

                import dev.paralleltask.ParallelTask;
                import java.util.List;

                public class Holder<E> {
                    @ParallelTask public static <T> List<T> of(T a, T b) { return List.of(a, b); }
                }
                """);
        JavaFileObject user =
                JavaFileObjects.forSourceString(
                        "com.acme.User",
                        """
                package com.acme;

                import dev.paralleltask.runtime.TaskExecutor;

                class User {
                    static HolderTasks proxy(TaskExecutor executor) {
                        return new HolderTasks(executor);
                    }
                }
                """);
        Compilation c =
                javac().withProcessors(new ParallelTaskProcessor())
                        .withOptions("-Xlint:all,-processing", "-Werror")
                        .compile(holder, user);
        assertThat(c).succeededWithoutWarnings();
        assertThat(generated(c, "com.acme.HolderTasks"))
                .contains("public final class HolderTasks {");
    }

    @Test
    void genericVarargsWithoutSafeVarargsWarnsOnlyWhereTheUserWroteIt() {
        JavaFileObject source =
                JavaFileObjects.forSourceString(
                        "com.acme.Loose",
                        """
                package com.acme;

                import dev.paralleltask.ParallelTask;

                public class Loose {
                    @ParallelTask public static <T> int count(T... xs) { return xs.length; }
                }
                """);
        Compilation c =
                javac().withProcessors(new ParallelTaskProcessor())
                        .withOptions("-Xlint:all,-processing")
                        .compile(source);
        assertThat(c).succeeded();
        assertThat(c).hadWarningCount(1);
        assertThat(c)
                .hadWarningContaining("heap pollution")
                .inFile(source)
                .onLineContaining("int count(T... xs)");
        assertThat(generated(c, "com.acme.LooseTasks")).doesNotContain("@SafeVarargs");
    }

    @Test
    void parameterNamesThatTheGeneratedCodeUsesDoNotCollide() {
        Compilation c =
                compile(
                        "com.acme.Names",
                        """
                package com.acme;

                import dev.paralleltask.ParallelTask;
                import java.io.Serializable;

                public class Names implements Serializable {
                    private static final long serialVersionUID = 1L;

                    @ParallelTask
                    public String all(String executor, String target, Object[] args, int method, String INVOKER, String NAMES) {
                        return executor + target;
                    }

                    @ParallelTask public static int names(int call, int future) { return call + future; }
                }
                """,
                        "-Xlint:all,-processing",
                        "-Werror");
        assertThat(c).succeededWithoutWarnings();
    }

    @Test
    void defaultPackageIsSupported() {
        Compilation c =
                compile(
                        "Bare",
                        """
                import dev.paralleltask.ParallelTask;

                public class Bare {
                    @ParallelTask public static int one() { return 1; }
                }
                """,
                        "-Xlint:all,-processing",
                        "-Werror");
        assertThat(c).succeededWithoutWarnings();
        assertThat(generated(c, "BareTasks")).contains("public final class BareTasks {");
    }

    @Test
    void deeplyNestedClassGetsUnderscoredName() {
        Compilation c =
                compile(
                        "com.acme.A",
                        """
                package com.acme;

                import dev.paralleltask.ParallelTask;

                public class A {
                    public static class B {
                        static class C {
                            @ParallelTask static int depth() { return 3; }
                        }
                    }
                }
                """);
        assertThat(c).succeededWithoutWarnings();
        String proxy = generated(c, "com.acme.A_B_CTasks");
        assertThat(proxy)
                .contains("final class A_B_CTasks {"); // C is package-private, so is its proxy
        assertThat(proxy).contains("\"A.B.C.depth()\"");
    }

    @Test
    void aProxyTakesAnActorOrActorPoolOfItsOwnClassOnly() {
        String use =
                """
                package com.acme;

                import dev.paralleltask.runtime.Actor;
                import dev.paralleltask.runtime.ActorPool;
                import dev.paralleltask.runtime.TaskExecutor;

                class Use {
                    static void use(TaskExecutor pool) {
                        Actor<Box<Integer>> box = pool.actor(new Box<>(1));
                        new BoxTasks<>(box).max(2);
                        ActorPool<Box<Integer>> boxes = pool.actorPool(2, () -> new Box<>(3));
                        new BoxTasks<>(boxes).max(4);
                    }
                }
                """;
        Compilation ok =
                javac().withProcessors(new ParallelTaskProcessor())
                        .compile(
                                JavaFileObjects.forSourceString("com.acme.Box", BOX),
                                JavaFileObjects.forSourceString("com.acme.Use", use));
        assertThat(ok).succeededWithoutWarnings();

        String wrong =
                """
                package com.acme;

                import dev.paralleltask.runtime.Actor;
                import dev.paralleltask.runtime.TaskExecutor;

                class Wrong {
                    static void use(TaskExecutor pool) {
                        Actor<String> text = pool.actor("not a box");
                        new BoxTasks<Integer>(text);
                    }
                }
                """;
        Compilation refused =
                javac().withProcessors(new ParallelTaskProcessor())
                        .compile(
                                JavaFileObjects.forSourceString("com.acme.Box", BOX),
                                JavaFileObjects.forSourceString("com.acme.Wrong", wrong));
        assertThat(refused).hadErrorContaining("no suitable constructor found for BoxTasks");
    }

    @Test
    void aClassWithOnlyStaticTasksHasNoActorConstructors() {
        String proxy = generated(compile("com.acme.Primes", PRIMES), "com.acme.PrimesTasks");
        assertThat(proxy).doesNotContain("Actor");
    }

    @Test
    void outputIsDeterministic() {
        assertThat(generated(compile("com.acme.Box", BOX), "com.acme.BoxTasks"))
                .isEqualTo(generated(compile("com.acme.Box", BOX), "com.acme.BoxTasks"));
    }
}
