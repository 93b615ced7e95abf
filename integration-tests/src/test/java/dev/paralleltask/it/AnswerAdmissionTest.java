package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskSerializationException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker cannot make the caller build objects of classes the call's signature does not name: they
 * are refused before any of their code runs, unless the user allows them.
 */
@Timeout(120)
class AnswerAdmissionTest {
    private static final String PAYLOAD = Untrusted.Payload.class.getName();

    private static void refused(TaskFuture<?> call, String className, String method) {
        TaskSerializationException e = failure(call, TaskSerializationException.class);
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "the result of Untrusted."
                                        + method
                                        + "() was refused: the worker sent an instance of "
                                        + className),
                e::getMessage);
        assertTrue(e.getMessage().contains("allowClasses(\"" + className + "\")"), e::getMessage);
    }

    @Test
    void classesNoSignatureNamesAreRefusedBeforeTheyAreBuilt() throws Exception {
        int builtBefore = Untrusted.Payload.built; // other tests here build them on purpose
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            UntrustedTasks tasks = new UntrustedTasks(pool);
            refused(tasks.anything(), PAYLOAD, "anything");
            refused(tasks.serializable(), PAYLOAD, "serializable");
            refused(tasks.smuggled(), PAYLOAD, "smuggled");
            refused(
                    tasks.point(),
                    Untrusted.Point.class.getName(),
                    "point"); // the compact codec asks too
            assertEquals(
                    builtBefore,
                    Untrusted.Payload.built,
                    "a refused object's readObject never ran");
            assertEquals(1, pool.workers().size(), "the worker goes on");
        }
    }

    @Test
    void whatTheSignatureNamesAndItsFieldsHoldArrives() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            Untrusted.Shape shape = await(new UntrustedTasks(pool).shape());
            assertEquals(new Untrusted.Point(1, 2), shape.first);
            assertEquals(List.of(new Untrusted.Point(3, 4)), shape.rest);
        }
    }

    @Test
    void allowedClassesArrive() throws Exception {
        try (ProcessPool pool =
                ProcessPool.builder()
                        .workers(1)
                        .allowClasses(PAYLOAD, "dev.paralleltask.it.Untrusted$Point")
                        .build()) {
            UntrustedTasks tasks = new UntrustedTasks(pool);
            assertInstanceOf(Untrusted.Payload.class, await(tasks.anything()));
            assertEquals(new Untrusted.Point(1, 2), await(tasks.point()));
        }
        try (ProcessPool pool =
                ProcessPool.builder().workers(1).allowClasses("dev.paralleltask.it.**").build()) {
            assertInstanceOf(
                    Untrusted.Payload.class, await(new UntrustedTasks(pool).serializable()));
        }
    }

    @Test
    void aBadPatternIsRefusedByTheBuilder() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ProcessPool.builder().allowClasses("!com.acme.*"));
        assertTrue(e.getMessage().contains("'!com.acme.*'"), e::getMessage);
    }
}
