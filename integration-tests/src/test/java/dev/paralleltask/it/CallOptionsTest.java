package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.CallOptions;
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskExecutor;
import dev.paralleltask.runtime.TaskFutures;
import dev.paralleltask.runtime.TaskTimeoutException;
import dev.paralleltask.runtime.ThreadPool;
import dev.paralleltask.runtime.WorkerCrashedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-call options through {@code TaskExecutor.with(CallOptions)}: the proxy's signature stays, its
 * calls carry the options, and the options override the annotation, on every executor.
 */
@Timeout(180)
class CallOptionsTest {
    private static final CallOptions HALF_A_SECOND =
            CallOptions.defaults().timeout(Duration.ofMillis(500));

    @Test
    void aTimeoutGivenPerCallStopsAMethodThatHasNone() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks timed = new FaultsTasks(pool.with(HALF_A_SECOND));
            TaskTimeoutException e = failure(timed.sleep(60_000), TaskTimeoutException.class);
            assertEquals(Duration.ofMillis(500), e.timeout());
            FaultsTasks plain = new FaultsTasks(pool);
            assertEquals(700L, await(plain.sleep(700)), "calls without the options are untimed");
        }
    }

    @Test
    void aTimeoutGivenPerCallOverridesTheAnnotations() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks longer =
                    new FaultsTasks(
                            pool.with(CallOptions.defaults().timeout(Duration.ofSeconds(3))));
            // spinBriefly says 300 ms; the options say 3 s
            TaskTimeoutException e = failure(longer.spinBriefly(), TaskTimeoutException.class);
            assertEquals(Duration.ofSeconds(3), e.timeout());
        }
    }

    @Test
    void retriesGivenPerCallLetACallRunAgainAfterItsWorkerDied(@TempDir Path dir) throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks once = new FaultsTasks(pool);
            failure(once.dieOnce(dir.resolve("a").toString()), WorkerCrashedException.class);
            FaultsTasks retried = new FaultsTasks(pool.with(CallOptions.defaults().retries(1)));
            assertEquals(1, await(retried.dieOnce(dir.resolve("b").toString())));
        }
    }

    @Test
    void retriesGivenPerCallCanForbidWhatTheAnnotationAllows(@TempDir Path dir) throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            FaultsTasks atMostOnce = new FaultsTasks(pool.with(CallOptions.defaults().retries(0)));
            // dieTimes says retries = 2, and would survive one death
            WorkerCrashedException e =
                    failure(
                            atMostOnce.dieTimes(dir.resolve("m").toString(), 1),
                            WorkerCrashedException.class);
            assertTrue(e.getMessage().contains("dieTimes"), e::getMessage);
        }
    }

    @Test
    void aThreadPoolTimesOutWithTheOptionsToo() throws Exception {
        try (ThreadPool pool = ThreadPool.builder().threads(1).build()) {
            FaultsTasks timed = new FaultsTasks(pool.with(HALF_A_SECOND));
            TaskTimeoutException e = failure(timed.sleep(60_000), TaskTimeoutException.class);
            assertEquals(Duration.ofMillis(500), e.timeout());
        }
    }

    @Test
    void mapRunsThroughAView() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            FaultsTasks timed = new FaultsTasks(pool.with(HALF_A_SECOND));
            List<Long> slept =
                    TaskFutures.map(IntStream.range(0, 200).boxed().toList(), i -> timed.sleep(0))
                            .toList();
            assertEquals(200, slept.size());
        }
    }

    @Test
    void optionsAddUpTheLaterWinning() {
        CallOptions both = HALF_A_SECOND.retries(2);
        assertEquals(OptionalInt.of(2), both.retries());
        assertEquals(Duration.ofMillis(500), both.timeout().orElseThrow());
        assertEquals(OptionalInt.empty(), CallOptions.defaults().retries());
        assertEquals(
                Duration.ofMillis(2),
                CallOptions.defaults().timeout(Duration.ofNanos(1_000_001)).timeout().orElseThrow(),
                "rounded up to whole milliseconds");
        try (ThreadPool pool = ThreadPool.builder().threads(1).build()) {
            TaskExecutor view = pool.with(HALF_A_SECOND).with(CallOptions.defaults().retries(1));
            assertTrue(view.toString().contains("timeout=PT0.5S, retries=1"), view::toString);
            view.shutdown();
            assertTrue(pool.isShutdown(), "a view's shutdown is its executor's");
        }
    }

    @Test
    void badOptionsSayWhatIsWrong() {
        IllegalArgumentException zero =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> CallOptions.defaults().timeout(Duration.ZERO));
        assertEquals("CallOptions.timeout must be positive, was PT0S", zero.getMessage());
        IllegalArgumentException negative =
                assertThrows(
                        IllegalArgumentException.class, () -> CallOptions.defaults().retries(-1));
        assertEquals("CallOptions.retries must be >= 0, was -1", negative.getMessage());
        assertThrows(NullPointerException.class, () -> CallOptions.defaults().timeout(null));
        try (ThreadPool pool = ThreadPool.builder().threads(1).build()) {
            assertThrows(NullPointerException.class, () -> pool.with(null));
        }
    }
}
