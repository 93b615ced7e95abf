package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.eventually;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.RemoteTaskException;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskSerializationException;
import dev.paralleltask.runtime.WorkerInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What a call through a pool of child JVMs gives: isolation, faithful values, and failures that
 * name their cause.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcessPoolTest {
    private ProcessPool pool;
    private FaultsTasks faults;

    @BeforeAll
    void start() {
        pool = ProcessPool.builder().workers(2).build();
        faults = new FaultsTasks(pool);
    }

    @AfterAll
    void stop() throws InterruptedException {
        List<Long> pids = pool.workers().stream().map(WorkerInfo::pid).collect(Collectors.toList());
        pool.close();
        Futures.awaitAllDead(pids);
    }

    @Test
    void callsRunInTheWorkerProcesses() throws Exception {
        long pid = await(faults.pid());
        assertNotEquals(ProcessHandle.current().pid(), pid);
        assertTrue(
                pool.workers().stream().anyMatch(w -> w.pid() == pid),
                () -> pid + " is not among " + pool.workers());
    }

    @Test
    void staticStateStaysInTheWorker() throws Exception {
        try (ProcessPool single = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(single);
            assertEquals(1, await(tasks.increment()));
            assertEquals(2, await(tasks.increment()));
            assertEquals(3, await(tasks.increment()));
        }
        assertEquals(0, Faults.counter);
    }

    @Test
    void argumentsAreASnapshotTakenWhenTheCallIsMade() throws Exception {
        try (ProcessPool single = ProcessPool.builder().workers(1).build()) {
            FaultsTasks tasks = new FaultsTasks(single);
            TaskFuture<Long> busy = tasks.sleep(300);
            byte[] data = {1, 2, 3};
            TaskFuture<byte[]> echoed = tasks.echo(data); // queued behind the sleep
            data[0] = 99;
            assertArrayEquals(new byte[] {1, 2, 3}, await(echoed));
            await(busy);
        }
    }

    @Test
    void taskExceptionArrivesAsItselfWithItsRemoteStackTrace() {
        IOException e = failure(faults.throwChecked("broken"), IOException.class);
        assertEquals("broken", e.getMessage());
        assertEquals(IllegalStateException.class, e.getCause().getClass());
        assertTrue(
                Arrays.stream(e.getStackTrace())
                        .anyMatch(f -> f.getMethodName().equals("throwChecked")),
                () -> "remote frames missing: " + Arrays.toString(e.getStackTrace()));
    }

    @Test
    void exceptionThatCannotBeSentArrivesAsRemoteTaskException() {
        RemoteTaskException e =
                failure(faults.throwUnsendable("not portable"), RemoteTaskException.class);
        assertEquals(Faults.UnsendableException.class.getName(), e.remoteClassName());
        assertEquals("not portable", e.remoteMessage());
        assertTrue(
                Arrays.stream(e.getStackTrace())
                        .anyMatch(f -> f.getMethodName().equals("throwUnsendable")));
    }

    @Test
    void unserializableArgumentFailsOnlyItsOwnCall() throws Exception {
        TaskSerializationException e =
                failure(faults.identity(new Object()), TaskSerializationException.class);
        assertTrue(
                e.getMessage().contains("argument 'value' of Faults.identity(Object)"),
                e.getMessage());
        assertEquals("fine", await(faults.identity("fine")));
    }

    @Test
    void unserializableResultFailsOnlyItsOwnCall() throws Exception {
        TaskSerializationException e =
                failure(faults.unsendableResult(), TaskSerializationException.class);
        assertTrue(
                e.getMessage().contains("the result of Faults.unsendableResult()"), e.getMessage());
        assertEquals(4, await(faults.length(new byte[4])));
    }

    @Test
    void workerOutputReachesThisJvmLineByLinePrefixedWithTheWorker() throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
        ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
        int lines = 20_000;
        try {
            System.setOut(new PrintStream(capturedOut, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
            try (ProcessPool single =
                    ProcessPool.builder().workers(1).namePrefix("loud-").build()) {
                long pid = single.workers().get(0).pid();
                assertEquals(lines, await(new FaultsTasks(single).shout(lines)));
                String prefix = "[loud-1 pid " + pid + "] ";
                eventually(
                        "the last line is copied",
                        () ->
                                capturedOut
                                        .toString(StandardCharsets.UTF_8)
                                        .contains(
                                                prefix
                                                        + "line "
                                                        + (lines - 1)
                                                        + " of "
                                                        + lines
                                                        + " on stdout"));
                eventually(
                        "the last line is copied",
                        () ->
                                capturedErr
                                        .toString(StandardCharsets.UTF_8)
                                        .contains(
                                                prefix
                                                        + "line "
                                                        + (lines - 1)
                                                        + " of "
                                                        + lines
                                                        + " on stderr"));
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        List<String> outLines =
                capturedOut.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList());
        assertEquals(lines, outLines.size(), "every line once, nothing else");
        assertTrue(outLines.stream().allMatch(l -> l.startsWith("[loud-1 pid ")));
    }

    @Test
    void aLargeArgumentAndResultRoundTrip() throws Exception {
        byte[] data = new byte[64 << 20];
        new Random(42).nextBytes(data);
        assertArrayEquals(data, await(faults.echo(data)));
    }

    @Test
    void twentyThousandSmallCallsInFlightAllComplete() throws Exception {
        ShapesTasks shapes = new ShapesTasks(pool, new Shapes(""));
        List<TaskFuture<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            futures.add(shapes.add(i, i));
        }
        for (int i = 0; i < futures.size(); i++) {
            assertEquals(2 * i, await(futures.get(i)));
        }
        Set<Long> pids = pool.workers().stream().map(WorkerInfo::pid).collect(Collectors.toSet());
        assertEquals(2, pids.size(), "no worker was lost on the way");
    }
}
