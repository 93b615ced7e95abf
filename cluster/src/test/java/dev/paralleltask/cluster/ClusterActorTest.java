package dev.paralleltask.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.Actor;
import dev.paralleltask.runtime.ActorDiedException;
import dev.paralleltask.runtime.ActorOptions;
import dev.paralleltask.runtime.ActorPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.WorkerCrashedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Actors on real node JVMs: state between calls, restarts, spreading, and a node that dies. */
@Timeout(300)
class ClusterActorTest {
    private static <T> T await(TaskFuture<T> future) throws Exception {
        return future.get(60, TimeUnit.SECONDS);
    }

    private static <E extends Throwable> E failure(TaskFuture<?> future, Class<E> type) {
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> future.get(60, TimeUnit.SECONDS));
        return assertInstanceOf(type, e.getCause(), () -> "cause was " + e.getCause());
    }

    @Test
    void actorsKeepStateRestartAndSpreadOverTheNodes() throws Exception {
        try (Nodes nodes = Nodes.start(2, 1);
                ClusterExecutor cluster =
                        ClusterExecutor.builder().connect(nodes.clientAddresses()).build()) {
            Actor<Tally> actor = cluster.actor(new Tally(10), ActorOptions.defaults().restarts(1));
            TallyTasks tally = new TallyTasks(actor);
            List<TaskFuture<Long>> calls = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                calls.add(tally.increment());
            }
            for (int i = 0; i < 300; i++) {
                assertEquals(11L + i, await(calls.get(i)), "in the order made");
            }
            long node = await(tally.nodePid());
            assertTrue(
                    node == nodes.get(0).pid() || node == nodes.get(1).pid(),
                    "its JVM is a node's child");
            assertTrue(actor.name().startsWith("n1/") || actor.name().startsWith("n2/"));
            long jvm = actor.pid();
            assertEquals(jvm, await(tally.pidAfter(0)));

            TaskFuture<Long> crash = tally.exit(4);
            TaskFuture<Long> behind = tally.increment();
            WorkerCrashedException crashed = failure(crash, WorkerCrashedException.class);
            assertTrue(crashed.getMessage().contains("node n"), crashed::getMessage);
            assertEquals(11L, await(behind), "restarted from 10 on its node");
            assertEquals(1, actor.restarts());
            assertNotEquals(jvm, actor.pid());

            failure(tally.exit(5), WorkerCrashedException.class);
            ActorDiedException died = failure(tally.increment(), ActorDiedException.class);
            assertTrue(died.getMessage().contains("restarts(1)"), died::getMessage);
            assertFalse(actor.isAlive());
            actor.close();

            try (ActorPool<Tally> pair = cluster.actorPool(2, () -> new Tally(0))) {
                Set<String> where =
                        pair.actors().stream()
                                .map(a -> a.name().substring(0, a.name().indexOf('/')))
                                .collect(Collectors.toSet());
                assertEquals(Set.of("n1", "n2"), where, "one actor on each node");
                TallyTasks both = new TallyTasks(pair);
                List<TaskFuture<Long>> pids = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    pids.add(both.nodePid());
                }
                Set<Long> ran = new java.util.HashSet<>();
                for (TaskFuture<Long> p : pids) {
                    ran.add(await(p));
                }
                assertEquals(Set.of(nodes.get(0).pid(), nodes.get(1).pid()), ran);
            }
        }
    }

    @Test
    void whenItsNodeDiesTheRunningCallFailsNamingItAndLaterCallsFindTheActorDead()
            throws Exception {
        try (Nodes nodes = Nodes.start(2, 1);
                ClusterExecutor cluster =
                        ClusterExecutor.builder().connect(nodes.get(0).clientAddress).build()) {
            List<Actor<Tally>> made = new ArrayList<>();
            made.add(cluster.actor(new Tally(0)));
            made.add(cluster.actor(new Tally(0)));
            Actor<Tally> onSecond =
                    made.stream().filter(a -> a.name().startsWith("n2/")).findFirst().orElseThrow();
            long jvm = onSecond.pid();
            TallyTasks tally = new TallyTasks(onSecond);
            TaskFuture<Long> running = tally.pidAfter(30_000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!running.isRunning()) {
                assertTrue(System.nanoTime() < deadline, "the call never started");
                Thread.sleep(10);
            }
            Thread.sleep(300); // it reached the node
            nodes.kill(nodes.get(1));
            WorkerCrashedException lost = failure(running, WorkerCrashedException.class);
            assertTrue(lost.getMessage().contains("node n2"), lost::getMessage);
            ActorDiedException died = failure(tally.increment(), ActorDiedException.class);
            assertTrue(died.getMessage().contains(onSecond.name()), died::getMessage);
            assertFalse(onSecond.isAlive());
            long deadlineJvm = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ProcessHandle.of(jvm).map(ProcessHandle::isAlive).orElse(false)) {
                assertTrue(System.nanoTime() < deadlineJvm, "the actor's JVM outlived its node");
                Thread.sleep(50);
            }
            Actor<Tally> onFirst = made.get(made.get(0) == onSecond ? 1 : 0);
            assertEquals(1L, await(new TallyTasks(onFirst).increment()), "the other goes on");
        }
    }
}
