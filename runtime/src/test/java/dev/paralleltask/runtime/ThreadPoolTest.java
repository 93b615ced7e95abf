package dev.paralleltask.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.internal.TaskMethod;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A ThreadPool stops calls by interrupting them, and says so. */
@Timeout(60)
class ThreadPoolTest {
    private final CountDownLatch interrupted = new CountDownLatch(1);

    /** Sleeps until interrupted, then notes it. */
    private final TaskMethod sleeper =
            new TaskMethod(
                    (m, target, args) -> {
                        try {
                            Thread.sleep(600_000);
                        } catch (InterruptedException e) {
                            interrupted.countDown();
                            throw e;
                        }
                        return null;
                    },
                    0,
                    "Sleeper.sleep()",
                    List.of(),
                    200,
                    0);

    @Test
    void timeoutFailsTheCallAndInterruptsItsThread() throws Exception {
        try (ThreadPool pool = ThreadPool.builder().threads(1).build()) {
            TaskFuture<Object> f = pool.submit(sleeper, null, new Object[0]);
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
            TaskTimeoutException timeout =
                    assertInstanceOf(TaskTimeoutException.class, e.getCause());
            assertEquals(Duration.ofMillis(200), timeout.timeout());
            assertTrue(
                    java.util.Arrays.stream(timeout.taskStackTrace())
                            .anyMatch(frame -> frame.getMethodName().equals("sleep")),
                    () -> java.util.Arrays.toString(timeout.taskStackTrace()));
            assertTrue(interrupted.await(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void cancelOfARunningCallInterruptsIt() throws Exception {
        TaskMethod untimed =
                new TaskMethod(sleeper.invoker(), 0, "Sleeper.sleep()", List.of(), 0, 0);
        try (ThreadPool pool = ThreadPool.builder().threads(1).build()) {
            TaskFuture<Object> f = pool.submit(untimed, null, new Object[0]);
            while (!f.isRunning()) {
                Thread.onSpinWait();
            }
            assertTrue(f.cancel(true));
            assertThrows(CancellationException.class, f::get);
            assertTrue(interrupted.await(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void taskExceptionArrivesAsItself() {
        TaskMethod failing =
                new TaskMethod(
                        (m, t, a) -> {
                            throw new java.io.IOException("disk on fire");
                        },
                        0,
                        "Disk.read()",
                        List.of(),
                        0,
                        0);
        try (ThreadPool pool = ThreadPool.builder().threads(1).build()) {
            ExecutionException e =
                    assertThrows(
                            ExecutionException.class,
                            () ->
                                    pool.submit(failing, null, new Object[0])
                                            .get(60, TimeUnit.SECONDS));
            assertEquals("disk on fire", e.getCause().getMessage());
        }
    }

    /** Runs, ignoring interrupts, until the test lets it go. */
    private final CountDownLatch letGo = new CountDownLatch(1);

    private final TaskMethod stubborn =
            new TaskMethod(
                    (m, target, args) -> {
                        while (!awaitUninterrupted(letGo)) {
                            Thread.onSpinWait();
                        }
                        return null;
                    },
                    0,
                    "Stubborn.spin()",
                    List.of(),
                    200,
                    0);

    /** Waits a moment for the latch; an interrupt counts as a moment passed. */
    private static boolean awaitUninterrupted(CountDownLatch latch) {
        try {
            return latch.await(1, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            return false;
        }
    }

    @Test
    void closeReturnsWhileATimedOutCallIgnoresItsInterrupt() throws Exception {
        ThreadPool pool = ThreadPool.builder().threads(1).build();
        try {
            TaskFuture<Object> f = pool.submit(stubborn, null, new Object[0]);
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
            assertInstanceOf(TaskTimeoutException.class, e.getCause());
            pool.close(); // the class's @Timeout fails the test if this waits for the spinning call
            assertTrue(pool.isTerminated());
        } finally {
            letGo.countDown();
        }
    }

    @Test
    void aRunawayCallDoesNotTakeThePoolsThread() throws Exception {
        TaskMethod quick =
                new TaskMethod(
                        (m, target, args) -> Thread.currentThread().getName(),
                        0,
                        "Quick.name()",
                        List.of(),
                        0,
                        0);
        try (ThreadPool pool = ThreadPool.builder().threads(1).build()) {
            TaskFuture<Object> runaway = pool.submit(stubborn, null, new Object[0]);
            assertThrows(ExecutionException.class, () -> runaway.get(60, TimeUnit.SECONDS));
            Object name = pool.submit(quick, null, new Object[0]).get(60, TimeUnit.SECONDS);
            assertTrue(name.toString().startsWith("paralleltask-thread-"), name::toString);
        } finally {
            letGo.countDown();
        }
    }

    @Test
    void timeoutNamesTheThreadThatRanTheCall() throws Exception {
        try (ThreadPool pool = ThreadPool.builder().threads(1).namePrefix("shop-").build()) {
            TaskFuture<Object> f = pool.submit(sleeper, null, new Object[0]);
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
            String message = e.getCause().getMessage();
            assertTrue(message.contains("on thread shop-thread-1, which was interrupted"), message);
        }
    }

    @Test
    void builderRejectsNonsense() {
        assertEquals(
                "threads must be >= 1, was 0",
                assertThrows(IllegalArgumentException.class, () -> ThreadPool.builder().threads(0))
                        .getMessage());
    }
}
