package dev.paralleltask.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskTimeoutException;
import dev.paralleltask.runtime.WorkerCrashedException;
import dev.paralleltask.runtime.WorkerStartException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node killed with SIGKILL while it runs calls: they run again or fail as retries say. */
class NodeDeathTest {
    @Test
    void callsOfAKilledNodeRunAgainOrFailAsRetriesSayAndTheRestGoOn(@TempDir Path dir)
            throws Exception {
        try (Nodes nodes = Nodes.start(2, 2);
                ClusterExecutor cluster =
                        ClusterExecutor.builder().connect(nodes.get(0).clientAddress).build()) {
            WorkTasks work = new WorkTasks(cluster);
            Nodes.Node victim = nodes.get(1);
            Nodes.Node survivor = nodes.get(0);
            // Two calls of each kind, one of each per node (each goes to the node with the most
            // free workers): one may run twice, one must not.
            List<Path> logs = new ArrayList<>();
            List<TaskFuture<Long>> retried = new ArrayList<>();
            List<Path> pidFiles = new ArrayList<>();
            List<TaskFuture<Long>> once = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                logs.add(dir.resolve("log" + i));
                retried.add(work.retriedSleep(5_000, logs.get(i).toString()));
                pidFiles.add(dir.resolve("pid" + i));
                once.add(work.sleep(5_000, pidFiles.get(i).toString()));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!logs.stream().allMatch(Files::exists)
                    || !pidFiles.stream().allMatch(NodeDeathTest::hasPid)) {
                assertTrue(System.nanoTime() < deadline, "the calls never all started");
                Thread.sleep(10);
            }
            nodes.kill(victim);

            // The four calls filled the four workers: two ran on the victim.
            int onVictim = 0;
            for (int i = 0; i < 2; i++) {
                List<String> attempts = Files.readAllLines(logs.get(i));
                if (attempts.get(0).equals(Long.toString(victim.pid()))) {
                    onVictim++;
                }
                long workerPid = Long.parseLong(Files.readString(pidFiles.get(i)));
                if (!ranOn(workerPid, survivor)) {
                    onVictim++;
                }
            }
            assertEquals(2, onVictim);

            // A retried call ends on the survivor; if the victim ran it, it ran twice.
            for (int i = 0; i < 2; i++) {
                assertEquals(survivor.pid(), retried.get(i).get(60, TimeUnit.SECONDS));
                List<String> attempts = Files.readAllLines(logs.get(i));
                List<String> expected =
                        attempts.get(0).equals(Long.toString(victim.pid()))
                                ? List.of(
                                        Long.toString(victim.pid()), Long.toString(survivor.pid()))
                                : List.of(Long.toString(survivor.pid()));
                assertEquals(expected, attempts);
            }

            // A call that may run once fails if the victim ran it, naming the node.
            for (int i = 0; i < 2; i++) {
                long workerPid = Long.parseLong(Files.readString(pidFiles.get(i)));
                TaskFuture<Long> call = once.get(i);
                if (ranOn(workerPid, survivor)) {
                    assertEquals(5_000L, call.get(60, TimeUnit.SECONDS));
                } else {
                    ExecutionException e =
                            assertThrows(
                                    ExecutionException.class, () -> call.get(60, TimeUnit.SECONDS));
                    WorkerCrashedException crashed =
                            assertInstanceOf(WorkerCrashedException.class, e.getCause());
                    assertTrue(
                            crashed.getMessage().startsWith("node n2 left the cluster"),
                            crashed.getMessage());
                    assertEquals("n2", crashed.workerName());
                }
            }

            // Calls made now all run, on the survivor.
            List<TaskFuture<Long>> after = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                after.add(work.nodePid());
            }
            for (TaskFuture<Long> f : after) {
                try {
                    assertEquals(survivor.pid(), f.get(60, TimeUnit.SECONDS));
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError(cluster.toString(), e);
                }
            }
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (cluster.nodes().size() != 1) {
                assertTrue(System.nanoTime() < deadline, cluster.toString());
                Thread.sleep(50);
            }
            assertEquals("n1", cluster.nodes().get(0).name());
            // The survivor said so in one line, with no trace of Ignite's (ClusterLogTest).
            String output = survivor.output();
            assertTrue(!output.contains("SEVERE") && !output.contains("\tat "), output);
            assertEquals(
                    1, survivor.output.stream().filter(l -> l.contains("node n2")).count(), output);
        }
    }

    @Test
    void aNodeToldToStopAnswersTheCallsItHasAndTheRestGoElsewhere(@TempDir Path dir)
            throws Exception {
        try (Nodes nodes = Nodes.start(2, 1);
                ClusterExecutor cluster =
                        ClusterExecutor.builder().connect(nodes.get(0).clientAddress).build()) {
            WorkTasks work = new WorkTasks(cluster);
            Nodes.Node leaving = nodes.get(1);
            List<Path> pidFiles = List.of(dir.resolve("a"), dir.resolve("b"));
            List<TaskFuture<Long>> running = new ArrayList<>();
            for (Path pidFile : pidFiles) {
                running.add(work.sleep(3_000, pidFile.toString())); // one on each node
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!pidFiles.stream().allMatch(NodeDeathTest::hasPid)) {
                assertTrue(System.nanoTime() < deadline, "the calls never started");
                Thread.sleep(10);
            }
            leaving.process.destroy(); // SIGTERM
            for (TaskFuture<Long> call : running) {
                assertEquals(3_000L, call.get(60, TimeUnit.SECONDS));
            }
            assertTrue(leaving.process.waitFor(60, TimeUnit.SECONDS), leaving.output());
            assertEquals(128 + 15, leaving.process.exitValue(), leaving.output()); // after SIGTERM
            for (int i = 0; i < 4; i++) {
                assertEquals(nodes.get(0).pid(), work.nodePid().get(60, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void aNodeThatStopsAnsweringFailsItsTimedCallsSoonAfterTheirTimeout() throws Exception {
        try (Nodes nodes = Nodes.start(1, 1);
                ClusterExecutor cluster =
                        ClusterExecutor.builder().connect(nodes.get(0).clientAddress).build()) {
            WorkTasks work = new WorkTasks(cluster);
            assertEquals(3, work.add(1, 2).get(60, TimeUnit.SECONDS));
            Nodes.signal(nodes.get(0), "STOP"); // alive, connected, silent
            try {
                TaskFuture<Void> call = work.spinPastTimeout(); // 1 s
                ExecutionException e =
                        assertThrows(
                                ExecutionException.class, () -> call.get(60, TimeUnit.SECONDS));
                TaskTimeoutException timeout =
                        assertInstanceOf(TaskTimeoutException.class, e.getCause());
                assertTrue(
                        timeout.getMessage().contains("on node n1, which sent no answer since"),
                        timeout.getMessage());
            } finally {
                Nodes.signal(nodes.get(0), "CONT");
            }
            assertEquals(7, work.add(3, 4).get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void callsFailOnceNoNodeWasReachableForTheNoNodeTimeout() throws Exception {
        try (Nodes nodes = Nodes.start(1, 1);
                ClusterExecutor cluster =
                        ClusterExecutor.builder()
                                .connect(nodes.get(0).clientAddress)
                                .noNodeTimeout(Duration.ofSeconds(2))
                                .build()) {
            WorkTasks work = new WorkTasks(cluster);
            assertEquals(3, work.add(1, 2).get(60, TimeUnit.SECONDS));
            nodes.kill(nodes.get(0));
            // Until the executor has seen it go, a call may still be sent to it (and then may
            // have run there); from then on, calls wait for a node.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!cluster.nodes().isEmpty()) {
                assertTrue(System.nanoTime() < deadline, cluster.toString());
                Thread.sleep(20);
            }
            ExecutionException e =
                    assertThrows(
                            ExecutionException.class,
                            () -> work.add(3, 4).get(60, TimeUnit.SECONDS));
            WorkerStartException none =
                    assertInstanceOf(
                            WorkerStartException.class,
                            e.getCause(),
                            () -> e.getCause().toString());
            assertTrue(
                    none.getMessage().contains("no cluster node was reachable for 2 s"),
                    none.getMessage());
        }
    }

    @Test
    void aNodeWithoutTheApplicationsClassesSaysSo() throws Exception {
        try (Nodes nodes = Nodes.startWithoutTestClasses();
                ClusterExecutor cluster =
                        ClusterExecutor.builder().connect(nodes.get(0).clientAddress).build()) {
            ExecutionException e =
                    assertThrows(
                            ExecutionException.class,
                            () -> new WorkTasks(cluster).add(1, 2).get(60, TimeUnit.SECONDS));
            WorkerStartException refused =
                    assertInstanceOf(WorkerStartException.class, e.getCause());
            assertTrue(
                    refused.getMessage()
                            .startsWith(
                                    "node bare cannot run Work.add(int, int): it cannot load the"
                                            + " invoker of the call: java.lang.ClassNotFoundException:"
                                            + " dev.paralleltask.cluster.WorkTasks$Invoker"),
                    refused.getMessage());
            assertTrue(
                    refused.getMessage()
                            .endsWith(
                                    "start every node with the application's classes on its"
                                            + " classpath"),
                    refused.getMessage());
        }
    }

    private static boolean hasPid(Path file) {
        try {
            return Files.exists(file) && !Files.readString(file).isEmpty();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Whether the worker is a child of that node (it still runs, since that node lives). */
    private static boolean ranOn(long workerPid, Nodes.Node node) {
        return ProcessHandle.of(workerPid)
                .flatMap(ProcessHandle::parent)
                .map(p -> p.pid() == node.pid())
                .orElse(false);
    }
}
