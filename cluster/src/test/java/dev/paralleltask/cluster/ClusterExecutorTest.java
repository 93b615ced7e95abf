package dev.paralleltask.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskFutures;
import dev.paralleltask.runtime.TaskSerializationException;
import dev.paralleltask.runtime.TaskTimeoutException;
import dev.paralleltask.runtime.WorkerCrashedException;
import dev.paralleltask.runtime.internal.pool.CallBatch;
import dev.paralleltask.shared.SharedLongArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same proxies as on a local pool, on two nodes of two workers each. */
class ClusterExecutorTest {
    private static Nodes nodes;
    private static ClusterExecutor cluster;
    private static WorkTasks work;

    @BeforeAll
    static void startCluster() {
        nodes = Nodes.start(2, 2);
        cluster = ClusterExecutor.builder().connect(nodes.clientAddresses()).build();
        work = new WorkTasks(cluster);
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        try {
            if (cluster != null) {
                cluster.close();
                assertTrue(cluster.isTerminated());
            }
        } finally {
            nodes.close();
        }
    }

    @Test
    void callsReturnWhatTheyReturnLocally() throws Exception {
        assertEquals(5, work.add(2, 3).get(60, TimeUnit.SECONDS));
        byte[] large = new byte[3 << 20]; // past the size that goes through shared memory locally
        new Random(7).nextBytes(large);
        assertArrayEquals(large, work.echo(large).get(60, TimeUnit.SECONDS));
    }

    @Test
    void aMapOfShortCallsGoesInBatchesAndEveryValueComesBackInOrder() {
        List<Integer> inputs = IntStream.range(0, 20_000).boxed().toList();
        List<Integer> sums;
        try (Stream<Integer> mapped = TaskFutures.map(inputs, i -> work.add(i, 1))) {
            sums = mapped.toList();
        }
        assertEquals(IntStream.range(1, 20_001).boxed().toList(), sums);
    }

    @Test
    void callsGatheredInABatchFailAsRejectedIfTheExecutorShutsDownFirst() throws Exception {
        TaskFuture<Integer> gathered;
        try (ClusterExecutor other =
                ClusterExecutor.builder().connect(nodes.clientAddresses()).build()) {
            try (CallBatch batch = CallBatch.open(16)) {
                gathered = new WorkTasks(other).add(1, 2);
                other.shutdown();
            }
            ExecutionException e =
                    assertThrows(
                            ExecutionException.class, () -> gathered.get(60, TimeUnit.SECONDS));
            assertInstanceOf(RejectedExecutionException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("is shut down"), e.getMessage());
            assertTrue(other.awaitTermination(java.time.Duration.ofSeconds(60)));
        }
    }

    @Test
    void callsSpreadOverTheNodes() throws Exception {
        // Four calls at once fill the four workers: each goes to the node with most free.
        List<TaskFuture<Long>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(work.nodePidAfter(500));
        }
        List<Long> ran = new ArrayList<>();
        for (TaskFuture<Long> call : calls) {
            ran.add(call.get(60, TimeUnit.SECONDS));
        }
        ran.sort(null);
        List<Long> expected =
                new ArrayList<>(
                        List.of(
                                nodes.get(0).pid(),
                                nodes.get(0).pid(),
                                nodes.get(1).pid(),
                                nodes.get(1).pid()));
        expected.sort(null);
        assertEquals(expected, ran);
    }

    @Test
    void aTaskExceptionArrivesAsItself() {
        ExecutionException e =
                assertThrows(
                        ExecutionException.class,
                        () -> work.refuse("no").get(60, TimeUnit.SECONDS));
        Work.Refusal refusal = assertInstanceOf(Work.Refusal.class, e.getCause());
        assertEquals("no", refusal.getMessage());
    }

    @Test
    void aWorkerCrashFailsOneCallAndTheOthersGoOn() throws Exception {
        TaskFuture<Long> bystander = work.sleep(1_000, "");
        TaskFuture<Integer> crash = work.exit(3);
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> crash.get(60, TimeUnit.SECONDS));
        WorkerCrashedException crashed =
                assertInstanceOf(WorkerCrashedException.class, e.getCause());
        assertEquals(3, crashed.exitCode());
        assertTrue(crashed.getMessage().startsWith("on node n"), crashed.getMessage());
        assertEquals(1_000L, bystander.get(60, TimeUnit.SECONDS));
        assertEquals(7, work.add(3, 4).get(60, TimeUnit.SECONDS));
    }

    @Test
    void aTimeoutKillsTheWorkerAndSaysWhereTheTaskWas() {
        ExecutionException e =
                assertThrows(
                        ExecutionException.class,
                        () -> work.spinPastTimeout().get(60, TimeUnit.SECONDS));
        TaskTimeoutException timeout = assertInstanceOf(TaskTimeoutException.class, e.getCause());
        assertTrue(timeout.getMessage().contains("on node n"), timeout.getMessage());
        assertTrue(
                timeout.taskStackTrace().length > 0
                                && timeout.taskStackTrace()[0]
                                        .toString()
                                        .contains("spinPastTimeout")
                        || List.of(timeout.taskStackTrace()).toString().contains("spinPastTimeout"),
                List.of(timeout.taskStackTrace()).toString());
    }

    @Test
    void callOptionsTimeOutACallWhoseMethodHasNoTimeout() throws Exception {
        WorkTasks timed =
                new WorkTasks(
                        cluster.with(
                                dev.paralleltask.runtime.CallOptions.defaults()
                                        .timeout(java.time.Duration.ofMillis(500))));
        ExecutionException e =
                assertThrows(
                        ExecutionException.class,
                        () -> timed.sleep(60_000, "").get(60, TimeUnit.SECONDS));
        TaskTimeoutException timeout = assertInstanceOf(TaskTimeoutException.class, e.getCause());
        assertEquals(java.time.Duration.ofMillis(500), timeout.timeout());
        assertEquals(5, timed.add(2, 3).get(60, TimeUnit.SECONDS), "the executor goes on");
    }

    @Test
    void cancelKillsTheWorkerOnItsNode(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("pid");
        TaskFuture<Long> call = work.sleep(600_000, pidFile.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(pidFile) || Files.readString(pidFile).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the call never started");
            Thread.sleep(10);
        }
        long pid = Long.parseLong(Files.readString(pidFile));
        assertTrue(call.cancel(true));
        ProcessHandle worker = ProcessHandle.of(pid).orElse(null);
        if (worker != null) {
            worker.onExit().get(30, TimeUnit.SECONDS);
        }
        assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        assertEquals(5, work.add(2, 3).get(60, TimeUnit.SECONDS));
    }

    @Test
    void aSharedObjectIsRefusedAtTheCall() throws Exception {
        try (SharedLongArray array = SharedLongArray.allocate(4)) {
            ExecutionException e =
                    assertThrows(
                            ExecutionException.class,
                            () -> work.first(array).get(60, TimeUnit.SECONDS));
            TaskSerializationException refused =
                    assertInstanceOf(TaskSerializationException.class, e.getCause());
            assertTrue(
                    refused.getMessage().contains("cannot go to a cluster node"),
                    refused.getMessage());
        }
    }

    @Test
    void nodesAreReportedWithTheirWorkers() {
        List<NodeInfo> infos = cluster.nodes();
        assertEquals(Set.of("n1", "n2"), Set.copyOf(infos.stream().map(NodeInfo::name).toList()));
        for (NodeInfo n : infos) {
            assertEquals(2, n.capacity());
            assertEquals(2, n.workers().size(), n.toString());
            assertTrue(n.workers().stream().allMatch(NodeInfo.Worker::alive), n.toString());
        }
    }
}
