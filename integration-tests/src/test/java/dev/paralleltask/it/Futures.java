package dev.paralleltask.it;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Collection;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting in tests: always bounded, never a sleep that asserts. */
final class Futures {
    static final long WAIT_SECONDS = 60;

    private Futures() {}

    static <T> T await(Future<T> future) throws Exception {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Waits for the future to fail, and returns its cause, which must be a {@code type}. */
    static <E extends Throwable> E failure(Future<?> future, Class<E> type) {
        ExecutionException e =
                assertThrows(
                        ExecutionException.class, () -> future.get(WAIT_SECONDS, TimeUnit.SECONDS));
        return assertInstanceOf(type, e.getCause(), () -> "cause was " + e.getCause());
    }

    /** Polls {@code condition} until it holds; fails after the generous wait. */
    static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    static boolean isDead(long pid) {
        return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    static void awaitAllDead(Collection<Long> pids) throws InterruptedException {
        eventually(
                "processes " + pids + " have exited",
                () -> pids.stream().allMatch(Futures::isDead));
    }
}
