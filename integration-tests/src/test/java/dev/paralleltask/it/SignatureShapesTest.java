package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskExecutor;
import dev.paralleltask.runtime.ThreadPool;
import java.io.IOException;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every signature shape, through the generated proxies, on a pool of child JVMs and on threads. */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignatureShapesTest {
    private ProcessPool processes;
    private ThreadPool threads;

    @BeforeAll
    void start() {
        processes = ProcessPool.builder().workers(2).build();
        threads = ThreadPool.builder().threads(2).build();
    }

    @AfterAll
    void stop() {
        processes.close();
        threads.close();
    }

    Stream<TaskExecutor> executors() {
        return Stream.of(processes, threads);
    }

    /** Runs a test on each executor; they are shared by the class, so JUnit must not close them. */
    @Retention(RetentionPolicy.RUNTIME)
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("executors")
    @interface OnEachExecutor {}

    @OnEachExecutor
    void instanceMethodCarriesItsObject(TaskExecutor executor) throws Exception {
        assertEquals(
                "Hello, Ada", await(new ShapesTasks(executor, new Shapes("Hello")).greet("Ada")));
    }

    @OnEachExecutor
    void packagePrivateStaticMethodRuns(TaskExecutor executor) throws Exception {
        assertEquals(5, await(new ShapesTasks(executor, new Shapes("")).add(2, 3)));
    }

    @OnEachExecutor
    void primitivesAndBoxesKeepTheirValues(TaskExecutor executor) throws Exception {
        ShapesTasks shapes = new ShapesTasks(executor, new Shapes(""));
        assertEquals(
                "-1 300 é 70000 8000000000 1.5 2.25 true",
                await(
                        shapes.primitives(
                                (byte) -1,
                                (short) 300,
                                'é',
                                70_000,
                                8_000_000_000L,
                                1.5f,
                                2.25,
                                true)));
        assertEquals("7 null 0.5 false x", await(shapes.boxes(7, null, 0.5, false, 'x')));
    }

    @OnEachExecutor
    void voidMethodCompletesWithNull(TaskExecutor executor) throws Exception {
        assertNull(await(new ShapesTasks(executor, new Shapes("")).nothing()));
    }

    @OnEachExecutor
    void arraysRoundTrip(TaskExecutor executor) throws Exception {
        ShapesTasks shapes = new ShapesTasks(executor, new Shapes(""));
        assertArrayEquals(new int[] {3, 2, 1}, await(shapes.reverse(new int[] {1, 2, 3})));
        assertArrayEquals(
                new String[][] {{"a", "c"}, {"b", "d"}},
                await(shapes.transpose(new String[][] {{"a", "b"}, {"c", "d"}})));
    }

    @OnEachExecutor
    void varargsPassAsArrays(TaskExecutor executor) throws Exception {
        ShapesTasks shapes = new ShapesTasks(executor, new Shapes(""));
        assertEquals(10, await(shapes.sum(1, 2, 3, 4)));
        assertEquals(0, await(shapes.sum()));
        assertEquals("a-b-c", await(shapes.join("-", "a", "b", "c")));
        assertEquals(List.of("x", "y"), await(shapes.listOf("x", "y")));
    }

    @OnEachExecutor
    void overloadsStayApart(TaskExecutor executor) throws Exception {
        ShapesTasks shapes = new ShapesTasks(executor, new Shapes(""));
        assertEquals("int 1", await(shapes.describe(1)));
        assertEquals("String 1", await(shapes.describe("1")));
        assertEquals("List [1]", await(shapes.describe(List.of(1))));
    }

    @OnEachExecutor
    void genericMethodsKeepTheirTypes(TaskExecutor executor) throws Exception {
        ShapesTasks shapes = new ShapesTasks(executor, new Shapes(""));
        String max = await(shapes.max(List.of("pear", "apple", "zucchini")));
        assertEquals("zucchini", max);
        Map<Integer, String> inverted = await(shapes.invert(Map.of("one", 1, "two", 2)));
        assertEquals(Map.of(1, "one", 2, "two"), inverted);
    }

    @OnEachExecutor
    void recordsAndEnumsRoundTrip(TaskExecutor executor) throws Exception {
        ShapesTasks shapes = new ShapesTasks(executor, new Shapes(""));
        assertEquals(new Shapes.Point(2, 1), await(shapes.mirror(new Shapes.Point(1, 2))));
        assertEquals(Shapes.Color.RED, await(shapes.next(Shapes.Color.BLUE)));
    }

    @OnEachExecutor
    void genericClassKeepsItsTypeParameters(TaskExecutor executor) throws Exception {
        RankedTasks<String> ranked = new RankedTasks<>(executor, new Ranked<>("m"));
        String atLeast = await(ranked.atLeast("c"));
        assertEquals("m", atLeast);
        assertEquals(2, await(ranked.countAtLeast(List.of("a", "n", "z"))));
    }

    @OnEachExecutor
    void checkedExceptionArrivesThroughTheFuture(TaskExecutor executor) {
        IOException e =
                failure(
                        new ShapesTasks(executor, new Shapes("")).read("/nowhere"),
                        IOException.class);
        assertEquals("cannot read /nowhere", e.getMessage());
    }

    @OnEachExecutor
    void nestedClassesGetUnderscoredProxies(TaskExecutor executor) throws Exception {
        assertEquals("nested", await(new Shapes_NestedTasks(executor).where()));
        assertEquals("deeper", await(new Shapes_Nested_DeeperTasks(executor).where()));
    }
}
