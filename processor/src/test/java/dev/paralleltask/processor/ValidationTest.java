package dev.paralleltask.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Each rule: one error, tagged, on the line of the element at fault. */
class ValidationTest {
    private static Compilation compile(String name, String source) {
        JavaFileObject file = JavaFileObjects.forSourceString(name, source);
        return javac().withProcessors(new ParallelTaskProcessor()).compile(file);
    }

    private static void assertOneError(
            Compilation compilation, String tag, String file, String line) {
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation)
                .hadErrorContaining("[" + tag + "]")
                .inFile(compilation.sourceFiles().get(0))
                .onLineContaining(line);
    }

    @Test
    void privateMethodIsRejected() {
        Compilation c =
                compile(
                        "test.Primes",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                public class Primes {
                    @ParallelTask private static long count(int to) { return to; }
                }
                """);
        assertOneError(c, "ParallelTaskPrivate", "Primes", "private static long count");
        assertThat(c)
                .hadErrorContaining(
                        "@ParallelTask method count must not be private; make it package-private or public");
    }

    @Test
    void abstractMethodIsRejected() {
        Compilation c =
                compile(
                        "test.Shape",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                public abstract class Shape {
                    @ParallelTask public abstract double area();
                }
                """);
        assertOneError(c, "ParallelTaskAbstract", "Shape", "abstract double area");
    }

    @Test
    void instanceMethodOfAnInterfaceIsRejected() {
        Compilation c =
                compile(
                        "test.Service",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                public interface Service {
                    @ParallelTask static int answer() { return 42; }
                    @ParallelTask default int twice() { return 84; }
                }
                """);
        assertOneError(c, "ParallelTaskInterfaceMethod", "Service", "default int twice");
    }

    @Test
    void staticMethodOfAnInterfaceIsAccepted() {
        Compilation c =
                compile(
                        "test.Service",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                public interface Service {
                    @ParallelTask static int answer() { return 42; }
                }
                """);
        assertThat(c).succeededWithoutWarnings();
        assertThat(c).generatedSourceFile("test.ServiceTasks");
    }

    @Test
    void methodOfLocalClassIsRejected() {
        Compilation c =
                compile(
                        "test.Outer",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                public class Outer {
                    void run() {
                        class Local {
                            @ParallelTask int twice(int x) { return 2 * x; }
                        }
                    }
                }
                """);
        assertOneError(c, "ParallelTaskLocalClass", "Outer", "int twice");
    }

    @Test
    void methodOfAnonymousClassIsRejected() {
        Compilation c =
                compile(
                        "test.Outer",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                public class Outer {
                    Object o = new Object() {
                        @ParallelTask public int twice(int x) { return 2 * x; }
                    };
                }
                """);
        assertOneError(c, "ParallelTaskLocalClass", "Outer", "int twice");
    }

    @Test
    void methodOfInnerClassIsRejected() {
        Compilation c =
                compile(
                        "test.Outer",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                public class Outer {
                    public class Inner {
                        @ParallelTask public static int twice(int x) { return 2 * x; }
                    }
                }
                """);
        assertOneError(c, "ParallelTaskInnerClass", "Outer", "public class Inner");
    }

    @Test
    void methodOfPrivateClassIsRejected() {
        Compilation c =
                compile(
                        "test.Outer",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                public class Outer {
                    private static class Hidden {
                        @ParallelTask static int twice(int x) { return 2 * x; }
                    }
                }
                """);
        assertOneError(c, "ParallelTaskPrivateClass", "Outer", "private static class Hidden");
    }

    @Test
    void instanceMethodOfNonSerializableClassIsRejected() {
        Compilation c =
                compile(
                        "test.Counter",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                public class Counter {
                    @ParallelTask public int next() { return 1; }
                }
                """);
        assertOneError(c, "ParallelTaskNotSerializable", "Counter", "public int next");
        assertThat(c).hadErrorContaining("implement it, or make the method static");
    }

    @Test
    void threadParameterIsRejectedOnTheParameter() {
        Compilation c =
                compile(
                        "test.Jobs",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                public class Jobs {
                    @ParallelTask public static void join(
                            Thread worker) {}
                }
                """);
        assertOneError(c, "ParallelTaskUnserializableParameter", "Jobs", "Thread worker");
        assertThat(c)
                .hadErrorContaining(
                        "parameter worker of @ParallelTask method join has type java.lang.Thread");
    }

    @Test
    void inputStreamParameterIsRejected() {
        Compilation c =
                compile(
                        "test.Files",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                import java.io.InputStream;
                public class Files {
                    @ParallelTask public static int size(String name,
                            InputStream in) { return 0; }
                }
                """);
        assertOneError(c, "ParallelTaskUnserializableParameter", "Files", "InputStream in");
    }

    @Test
    void finalNonSerializableParameterIsRejected() {
        Compilation c =
                compile(
                        "test.Geo",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                public class Geo {
                    public record Point(int x, int y) {}
                    @ParallelTask public static int norm(
                            Point p) { return 0; }
                }
                """);
        assertOneError(c, "ParallelTaskUnserializableParameter", "Geo", "Point p");
        assertThat(c).hadErrorContaining("make Point implement java.io.Serializable");
    }

    @Test
    void functionalInterfaceParameterIsAWarningOnTheParameter() {
        Compilation c =
                compile(
                        "test.Mapper",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                import java.util.Comparator;
                import java.util.function.Function;
                public class Mapper {
                    @ParallelTask public static String apply(
                            Function<String, String> f, String s) { return s; }
                    @ParallelTask public static int compare(
                            Comparator<String> order, String a, String b) { return 0; }
                }
                """);
        assertThat(c).succeeded();
        assertThat(c).hadWarningCount(2);
        assertThat(c)
                .hadWarningContaining("[ParallelTaskFunctionalInterface] parameter f")
                .inFile(c.sourceFiles().get(0))
                .onLineContaining("Function<String, String> f");
        assertThat(c)
                .hadWarningContaining("@SuppressWarnings(\"ParallelTaskFunctionalInterface\")")
                .inFile(c.sourceFiles().get(0))
                .onLineContaining("Comparator<String> order");
        assertThat(c).generatedSourceFile("test.MapperTasks");
    }

    @Test
    void functionalInterfaceWarningIsSuppressedWhereTheUserSaysSo() {
        Compilation c =
                compile(
                        "test.Sorter",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                import java.util.Comparator;
                import java.util.List;
                import java.util.function.Supplier;
                @SuppressWarnings("ParallelTaskFunctionalInterface")
                public class Sorter {
                    @ParallelTask public static List<String> sort(
                            List<String> xs, Comparator<String> order) { return xs; }
                    @ParallelTask public static Supplier<String> supplier() { return null; }
                }
                """);
        assertThat(c).succeededWithoutWarnings();
    }

    @Test
    void unserializableResultIsRejectedOnTheMethod() {
        Compilation c =
                compile(
                        "test.Spawner",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                public class Spawner {
                    @ParallelTask public static Thread spawn() { return null; }
                }
                """);
        assertOneError(c, "ParallelTaskUnserializableResult", "Spawner", "Thread spawn");
    }

    @Test
    void futureResultIsRejected() {
        Compilation c =
                compile(
                        "test.Async",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                import java.util.concurrent.CompletableFuture;
                public class Async {
                    @ParallelTask public static CompletableFuture<String> fetch() { return null; }
                }
                """);
        assertOneError(c, "ParallelTaskFutureResult", "Async", "CompletableFuture<String> fetch");
    }

    @Test
    void existingClassOfTheProxyNameIsAClash() {
        Compilation c =
                javac().withProcessors(new ParallelTaskProcessor())
                        .compile(
                                JavaFileObjects.forSourceString(
                                        "test.Primes",
                                        """
                        package test;
                        import dev.paralleltask.ParallelTask;
                        public class Primes {
                            @ParallelTask public static long count(int to) { return to; }
                        }
                        """),
                                JavaFileObjects.forSourceString(
                                        "test.PrimesTasks",
                                        """
                        package test;
                        public class PrimesTasks {}
                        """));
        assertOneError(c, "ParallelTaskNameClash", "Primes", "public class Primes");
    }

    @Test
    void negativeTimeoutIsRejectedOnTheAnnotation() {
        Compilation c =
                compile(
                        "test.Slow",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                public class Slow {
                    @ParallelTask(timeoutMillis = -5) public static void run() {}
                }
                """);
        assertOneError(c, "ParallelTaskNegativeTimeout", "Slow", "timeoutMillis = -5");
    }

    @Test
    void negativeRetriesIsRejected() {
        Compilation c =
                compile(
                        "test.Flaky",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                public class Flaky {
                    @ParallelTask(retries = -1) public static void run() {}
                }
                """);
        assertOneError(c, "ParallelTaskNegativeRetries", "Flaky", "retries = -1");
    }

    @Test
    void typesThatCannotBeJudgedPassWithoutWarning() {
        Compilation c =
                compile(
                        "test.Open",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                import java.util.List;
                import java.util.Map;
                public class Open {
                    @ParallelTask public static Object first(List<Object> xs, Map<String, Runnable> m, Object o, Number n) { return o; }
                }
                """);
        assertThat(c).succeededWithoutWarnings();
    }

    @Test
    void everyProblemOfAClassIsReportedAndOtherClassesStillGetProxies() {
        Compilation c =
                javac().withProcessors(new ParallelTaskProcessor())
                        .compile(
                                JavaFileObjects.forSourceString(
                                        "test.Bad",
                                        """
                        package test;
                        import dev.paralleltask.ParallelTask;
                        public class Bad {
                            @ParallelTask private static void hidden() {}
                            @ParallelTask public static void takes(Thread t) {}
                            @ParallelTask public int instance() { return 0; }
                        }
                        """),
                                JavaFileObjects.forSourceString(
                                        "test.Good",
                                        """
                        package test;
                        import dev.paralleltask.ParallelTask;
                        public class Good {
                            @ParallelTask public static int one() { return 1; }
                        }
                        """),
                                JavaFileObjects.forSourceString(
                                        "test.UsesGood",
                                        """
                        package test;
                        class UsesGood {
                            GoodTasks tasks; // would be a fourth error if Good had no proxy
                        }
                        """));
        assertThat(c).failed();
        assertThat(c).hadErrorCount(3);
        assertThat(c).hadErrorContaining("[ParallelTaskPrivate]");
        assertThat(c).hadErrorContaining("[ParallelTaskUnserializableParameter]");
        assertThat(c).hadErrorContaining("[ParallelTaskNotSerializable]");
    }

    @Test
    void unresolvedTypeIsReportedOnceNotAsACrash() {
        Compilation c =
                compile(
                        "test.Missing",
                        """
                package test;
                import dev.paralleltask.ParallelTask;
                public class Missing {
                    @ParallelTask public static int use(NoSuchType t) { return 0; }
                }
                """);
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("NoSuchType");
        assertThat(c).hadErrorContaining("[ParallelTaskUnresolvedType]");
    }
}
