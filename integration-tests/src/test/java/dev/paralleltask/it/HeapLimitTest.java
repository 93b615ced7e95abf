package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.OperatingSystemMXBean;
import dev.paralleltask.runtime.ProcessPool;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Worker heaps share the machine unless the user sets them. */
@Timeout(120)
class HeapLimitTest {
    private static final long MACHINE =
            ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize();

    @Test
    void fourWorkersTakeAtMostSixtyPercentOfTheMachineTogether() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(4).build()) {
            double share = (double) await(new FaultsTasks(pool).maxHeap()) / MACHINE;
            // 15% each, rounded to the heap's alignment; the JVM reports a little less (a survivor
            // space).
            assertTrue(
                    share > 0.12 && share < 0.151,
                    () -> "each worker may take " + share + " of the machine");
        }
    }

    @Test
    void theUsersLimitWins() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(4).jvmOptions("-Xmx96m").build()) {
            long max = await(new FaultsTasks(pool).maxHeap());
            assertTrue(max <= 96L << 20 && max > 64L << 20, () -> "max heap " + max);
        }
    }
}
