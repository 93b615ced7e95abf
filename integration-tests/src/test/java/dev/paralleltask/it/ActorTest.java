package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.failure;
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
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskExecutor;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskFutures;
import dev.paralleltask.runtime.TaskSerializationException;
import dev.paralleltask.runtime.TaskTimeoutException;
import dev.paralleltask.runtime.ThreadPool;
import dev.paralleltask.runtime.WorkerCrashedException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Actors on real worker JVMs: state kept between calls, restarts, death, pools of actors. */
@Timeout(240)
class ActorTest {
    /**
     * From several threads, 10,000 increments: each thread sees its own calls' counts rise, and
     * together they are 1..10,000, each once.
     */
    static void keepsItsCountInCallOrder(TaskExecutor executor) throws Exception {
        int threads = 4;
        int each = 2_500;
        try (Actor<Counter> actor = executor.actor(new Counter(0))) {
            CounterTasks counter = new CounterTasks(actor);
            ExecutorService callers = Executors.newFixedThreadPool(threads);
            try {
                List<Future<List<Long>>> seen = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    seen.add(
                            callers.submit(
                                    () -> {
                                        List<TaskFuture<Long>> calls = new ArrayList<>();
                                        for (int i = 0; i < each; i++) {
                                            calls.add(counter.increment());
                                        }
                                        List<Long> counts = new ArrayList<>();
                                        for (TaskFuture<Long> f : calls) {
                                            counts.add(await(f));
                                        }
                                        return counts;
                                    }));
                }
                Set<Long> all = new HashSet<>();
                for (Future<List<Long>> s : seen) {
                    List<Long> counts = s.get();
                    for (int i = 1; i < counts.size(); i++) {
                        assertTrue(
                                counts.get(i) > counts.get(i - 1),
                                "one thread's calls ran out of order: " + counts);
                    }
                    all.addAll(counts);
                }
                assertEquals(
                        LongStream.rangeClosed(1, threads * each)
                                .boxed()
                                .collect(Collectors.toSet()),
                        all);
                assertEquals(threads * each, await(counter.get()));
            } finally {
                callers.shutdownNow();
            }
        }
    }

    @Test
    void anActorKeepsItsStateOverTenThousandCallsInCallOrder() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            keepsItsCountInCallOrder(pool);
        }
    }

    @Test
    void aThreadPoolActorKeepsItsStateTheSameWay() throws Exception {
        try (ThreadPool pool = ThreadPool.builder().threads(2).build()) {
            keepsItsCountInCallOrder(pool);
        }
        try (ThreadPool copying = ThreadPool.builder().threads(2).copyValues(true).build()) {
            keepsItsCountInCallOrder(copying);
        }
    }

    @Test
    void aThreadPoolActorRunsInThisJvmSurvivesItsTimeoutsAndEndsWithClose() throws Exception {
        try (ThreadPool pool = ThreadPool.builder().threads(1).build()) {
            Actor<Counter> actor = pool.actor(new Counter(0));
            CounterTasks counter = new CounterTasks(actor);
            assertEquals(ProcessHandle.current().pid(), actor.pid());
            assertEquals(1L, await(counter.increment()));
            failure(counter.sleep(60_000), TaskTimeoutException.class); // its thread interrupted
            assertEquals(2L, await(counter.increment()), "the same object, never restarted");
            assertEquals(0, actor.restarts());
            try (ActorPool<Counter> two = pool.actorPool(2, () -> new Counter(0))) {
                CounterTasks both = new CounterTasks(two);
                List<TaskFuture<Long>> calls = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    calls.add(both.increment());
                }
                for (TaskFuture<Long> c : calls) {
                    await(c);
                }
                for (Actor<Counter> a : two.actors()) {
                    assertTrue(await(new CounterTasks(a).get()) > 0, "each actor took calls: " + a);
                }
            }
            actor.close();
            assertFalse(actor.isAlive());
            assertThrows(IllegalStateException.class, counter::increment);
        }
    }

    @Test
    void anActorLivesInAJvmOfItsOwnAndEndsWithClose() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            long pid;
            Actor<Counter> actor = pool.actor(new Counter(0));
            CounterTasks counter = new CounterTasks(actor);
            pid = await(counter.pidAfter(0));
            assertEquals(pid, actor.pid());
            assertTrue(pool.workers().stream().noneMatch(w -> w.pid() == pid), "not a worker");
            assertTrue(actor.isAlive());
            TaskFuture<Long> last = counter.sleep(300);
            actor.close();
            assertEquals(0L, await(last), "close lets the calls made so far finish");
            assertFalse(actor.isAlive());
            assertEquals(-1, actor.pid());
            assertTrue(Futures.isDead(pid), "the actor's JVM ended with close");
            IllegalStateException e = assertThrows(IllegalStateException.class, counter::get);
            assertTrue(e.getMessage().contains(actor.name()), e::getMessage);
        }
    }

    @Test
    void aTaskThatThrowsFailsItsCallAndTheActorGoesOn() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build();
                Actor<Counter> actor = pool.actor(new Counter(5))) {
            CounterTasks counter = new CounterTasks(actor);
            assertEquals(7L, await(counter.add(2)));
            failure(counter.add(-1), IllegalArgumentException.class);
            assertEquals(8L, await(counter.increment()));
            assertEquals(0, actor.restarts());
        }
    }

    @Test
    void theInitialStateIsTakenWhenTheActorIsMade() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            Counter state = new Counter(10);
            try (Actor<Counter> actor = pool.actor(state)) {
                state.set(99); // too late: the actor has its copy
                assertEquals(11L, await(new CounterTasks(actor).increment()));
            }
            TaskSerializationException e =
                    assertThrows(TaskSerializationException.class, () -> pool.actor(new Thread()));
            assertTrue(e.getMessage().contains("initialState"), e::getMessage);
        }
    }

    @Test
    void aCrashRestartsTheActorFromItsInitialStateAndTheQueuedCallsRunThere() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build();
                Actor<Counter> actor =
                        pool.actor(new Counter(100), ActorOptions.defaults().restarts(1))) {
            CounterTasks counter = new CounterTasks(actor);
            assertEquals(150L, await(counter.add(50)));
            long before = actor.pid();
            TaskFuture<Long> crash = counter.exit(3);
            List<TaskFuture<Long>> queued = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                queued.add(counter.increment());
            }
            WorkerCrashedException e = failure(crash, WorkerCrashedException.class);
            assertEquals(3, e.exitCode());
            for (int i = 0; i < 5; i++) {
                assertEquals(101L + i, await(queued.get(i)), "restarted from 100, in call order");
            }
            assertEquals(1, actor.restarts());
            assertTrue(actor.isAlive());
            assertNotEquals(before, actor.pid());
        }
    }

    @Test
    void withNoRestartLeftEveryLaterCallFailsWithActorDied() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build();
                Actor<Counter> actor = pool.actor(new Counter(0))) {
            CounterTasks counter = new CounterTasks(actor);
            TaskFuture<Long> crash = counter.exit(7);
            TaskFuture<Long> queued = counter.increment();
            failure(crash, WorkerCrashedException.class);
            ActorDiedException died = failure(queued, ActorDiedException.class);
            assertEquals(actor.name(), died.actorName());
            assertTrue(died.getMessage().contains("exited with code 7"), died::getMessage);
            assertInstanceOf(WorkerCrashedException.class, died.getCause());
            ActorDiedException later = failure(counter.get(), ActorDiedException.class);
            assertTrue(later.getMessage().contains("restarts(0)"), later::getMessage);
            assertFalse(actor.isAlive());
            assertEquals(0, actor.restarts());
            assertEquals(
                    2L,
                    await(new CounterTasks(pool, new Counter(1)).increment()),
                    "the pool goes on");
        }
    }

    @Test
    void aTimeoutOrCancelKillsTheActorsJvmAndItRestarts() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build();
                Actor<Counter> actor =
                        pool.actor(new Counter(0), ActorOptions.defaults().restarts(2))) {
            CounterTasks counter = new CounterTasks(actor);
            assertEquals(1L, await(counter.increment()));
            long first = actor.pid();
            failure(counter.sleep(60_000), TaskTimeoutException.class);
            assertEquals(1L, await(counter.increment()), "restarted from 0");
            assertEquals(1, actor.restarts());
            assertTrue(Futures.isDead(first) || waitDead(first));

            TaskFuture<Long> running = counter.pidAfter(60_000);
            Futures.eventually("the call runs", running::isRunning);
            long second = actor.pid();
            assertTrue(running.cancel(true));
            assertThrows(CancellationException.class, running::get);
            assertEquals(1L, await(counter.increment()), "restarted from 0 again");
            assertEquals(2, actor.restarts());
            assertTrue(waitDead(second), "cancel(true) killed the actor's JVM");
        }
    }

    private static boolean waitDead(long pid) throws InterruptedException {
        Futures.eventually("process " + pid + " ends", () -> Futures.isDead(pid));
        return true;
    }

    @Test
    void anActorWithConcurrencyRunsThatManyCallsAtOnceAndOnlyOneByDefault() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build();
                Actor<Counter> two =
                        pool.actor(new Counter(0), ActorOptions.defaults().concurrency(2));
                Actor<Counter> one = pool.actor(new Counter(0))) {
            CounterTasks both = new CounterTasks(two);
            TaskFuture<Long> a = both.pidAfter(1_500);
            TaskFuture<Long> b = both.pidAfter(1_500);
            Futures.eventually("both calls run at once", () -> a.isRunning() && b.isRunning());
            assertEquals(await(a), await(b), "in the one JVM");

            CounterTasks single = new CounterTasks(one);
            TaskFuture<Long> first = single.pidAfter(1_000);
            TaskFuture<Long> second = single.pidAfter(0);
            Futures.eventually("the first call runs", first::isRunning);
            assertFalse(second.isRunning(), "the second waits for the first");
            await(first);
            await(second);
        }
    }

    @Test
    void anExecutorWithoutActorsSaysSo() {
        UnsupportedOperationException e =
                assertThrows(
                        UnsupportedOperationException.class,
                        () -> new Unactored().actor(new Counter(0)));
        assertTrue(e.getMessage().contains("has no actors"), e::getMessage);
    }

    @Test
    void anActorKeepsWhatCannotBeSentBetweenCalls() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build();
                Actor<Counter> actor = pool.actor(new Counter(0))) {
            CounterTasks counter = new CounterTasks(actor);
            int port = await(counter.port());
            assertTrue(port > 0);
            assertEquals(port, await(counter.port()), "the same open socket on the next call");
        }
    }

    @Test
    void anActorPoolSpreadsCallsOverItsActors() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build();
                ActorPool<Counter> actors = pool.actorPool(2, () -> new Counter(0))) {
            assertEquals(2, actors.size());
            CounterTasks counters = new CounterTasks(actors);
            Set<Long> pids =
                    TaskFutures.map(
                                    LongStream.range(0, 40).boxed().toList(),
                                    i -> counters.pidAfter(20))
                            .collect(Collectors.toSet());
            Set<Long> actorPids =
                    actors.actors().stream().map(Actor::pid).collect(Collectors.toSet());
            assertEquals(actorPids, pids, "both actors ran calls");
            long total = 0;
            for (Actor<Counter> a : actors.actors()) {
                total += await(new CounterTasks(a).increment()) - 1;
            }
            assertEquals(0, total, "pidAfter leaves the counts alone");
        }
    }

    @Test
    void anActorPoolMakesANewStateForEachActorAndEachRestart() throws Exception {
        List<Long> made = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ProcessPool pool = ProcessPool.builder().workers(1).build();
                ActorPool<Counter> actors =
                        pool.actorPool(
                                2,
                                () -> {
                                    made.add((long) made.size());
                                    return new Counter(made.size() * 1000L);
                                },
                                ActorOptions.defaults().restarts(1))) {
            assertEquals(2, made.size());
            Actor<Counter> first = actors.actors().get(0);
            CounterTasks one = new CounterTasks(first);
            assertEquals(1001L, await(one.increment()));
            failure(one.exit(1), WorkerCrashedException.class);
            assertEquals(3001L, await(one.increment()), "the restart got a new state");
            assertEquals(3, made.size());
        }
    }

    @Test
    void shuttingThePoolDownEndsItsActors() throws Exception {
        ProcessPool pool = ProcessPool.builder().workers(1).build();
        Actor<Counter> actor = pool.actor(new Counter(0));
        long pid = actor.pid();
        TaskFuture<Long> last = new CounterTasks(actor).sleep(200);
        pool.close();
        assertEquals(0L, await(last));
        assertTrue(pool.isTerminated());
        assertFalse(actor.isAlive());
        assertTrue(Futures.isDead(pid));
        assertThrows(RejectedExecutionException.class, () -> pool.actor(new Counter(0)));
    }

    /** An executor of the user's own, which has no actors. */
    private static final class Unactored implements TaskExecutor {
        @Override
        public <T> TaskFuture<T> submit(
                dev.paralleltask.runtime.internal.TaskMethod method, Object target, Object[] args) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void shutdown() {}

        @Override
        public List<TaskFuture<?>> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(java.time.Duration timeout) {
            return false;
        }
    }
}
