package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.WorkerCrashedException;
import dev.paralleltask.runtime.WorkerStartException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pool's initializer runs once on every new worker, before any other call. */
@Timeout(120)
class InitializerTest {
    @Test
    void everyWorkerIsInitializedOnceBeforeItTakesCalls() throws Exception {
        try (ProcessPool pool =
                ProcessPool.builder()
                        .workers(2)
                        .initializer(w -> new SetupTasks(w).load("m1"))
                        .build()) {
            SetupTasks tasks = new SetupTasks(pool);
            List<TaskFuture<String>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                calls.add(tasks.model());
            }
            for (TaskFuture<String> c : calls) {
                String seen = await(c);
                assertTrue(
                        seen.startsWith("m1#1@"),
                        seen); // loaded, and once, whichever worker ran it
            }
            assertEquals(2, pool.workers().size());
        }
    }

    @Test
    void aReplacementIsInitializedBeforeItTakesTheNextCall() throws Exception {
        try (ProcessPool pool =
                ProcessPool.builder()
                        .workers(1)
                        .initializer(w -> new SetupTasks(w).load("m2"))
                        .build()) {
            String first = await(new SetupTasks(pool).model());
            failure(new FaultsTasks(pool).exit(5), WorkerCrashedException.class);
            String next = await(new SetupTasks(pool).model());
            assertTrue(next.startsWith("m2#1@") && !next.equals(first), first + " then " + next);
        }
    }

    @Test
    void aFailingInitializerFailsBuildWithItsException() {
        WorkerStartException e =
                assertThrows(
                        WorkerStartException.class,
                        () ->
                                ProcessPool.builder()
                                        .workers(2)
                                        .initializer(w -> new SetupTasks(w).load("bad-model"))
                                        .build());
        Throwable cause = e;
        while (cause != null && !(cause instanceof IllegalStateException)) {
            cause = cause.getCause();
        }
        assertTrue(
                cause != null && cause.getMessage().equals("cannot load bad-model"),
                () -> "cause chain of " + e);
        assertTrue(e.getMessage().contains("initializer failed"), e::getMessage);
    }
}
