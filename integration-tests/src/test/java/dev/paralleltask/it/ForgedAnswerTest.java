package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.eventually;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.TaskSerializationException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker that sends forged bytes cannot make its caller allocate what the bytes claim or overflow
 * its stack: the call fails with {@link TaskSerializationException} naming the limit, the worker is
 * replaced, and the pool goes on.
 */
@Timeout(180)
class ForgedAnswerTest {
    private ProcessPool pool;
    private ForgerTasks tasks;

    @BeforeEach
    void start() {
        pool = ProcessPool.builder().workers(1).jvmOptions(Forger.JVM_OPTIONS).build();
        tasks = new ForgerTasks(pool);
    }

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(Duration.ofSeconds(30)), "the pool terminates");
    }

    /** The forged call fails as refused, its worker is replaced, and the next call runs. */
    private void refusedAndReplaced(Function<ForgerTasks, TaskFuture<?>> forged, String limit)
            throws Exception {
        long forger = await(tasks.pid());
        TaskSerializationException e =
                failure(forged.apply(tasks), TaskSerializationException.class);
        assertTrue(e.getMessage().contains("was refused"), e::getMessage);
        assertTrue(e.getMessage().contains(limit), e::getMessage);
        assertTrue(e.getMessage().contains("replaces it"), e::getMessage);
        long next = await(tasks.pid());
        assertNotEquals(forger, next, "the worker that forged was replaced");
        eventually("the forger has exited", () -> Futures.isDead(forger));
    }

    @Test
    void primitiveArraysClaiming8GiBAreRefused() throws Exception {
        for (byte tag : new byte[] {Forger.INT_ARRAY, Forger.LONG_ARRAY, Forger.DOUBLE_ARRAY}) {
            refusedAndReplaced(t -> t.hugeArrayClaim(tag), "it claims 2147483632");
        }
    }

    @Test
    void nesting100000DeepIsRefusedWithoutOverflowingTheCallersStack() throws Exception {
        refusedAndReplaced(ForgerTasks::deepNesting, "nested more than 32 deep");
    }

    @Test
    void aLargeArrayFileShorterThanItsHeaderIsRefused() throws Exception {
        refusedAndReplaced(ForgerTasks::shortArrayFile, "not the 8589934528 claimed");
    }

    @Test
    void aFrameClaiming2GiBCostsTheCallerOnlyWhatArrived() throws Exception {
        long forger = await(tasks.pid());
        Thread reader = thread(pool.workers().get(0).name() + "-reader");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getThreadAllocatedBytes(reader.getId());
        TaskFuture<Object> forged = tasks.frameClaiming2GiB();
        eventually(
                "the reader has read the forged frame's 1,017 bytes and waits for the rest",
                () -> waitsInsideAFrame(reader));
        long allocated = threads.getThreadAllocatedBytes(reader.getId()) - before;
        assertTrue(allocated < 64L << 20, "the reader allocated " + allocated + " bytes");
        forged.cancel(true); // the worker never sends the rest: it is killed
        assertNotEquals(forger, await(tasks.pid()), "a new worker takes calls");
    }

    /** Whether the reader waits for a frame's body (not for the next frame's length). */
    private static boolean waitsInsideAFrame(Thread reader) {
        boolean inRead = false;
        boolean waiting = false;
        for (StackTraceElement e : reader.getStackTrace()) {
            waiting |= e.getMethodName().equals("await");
            inRead |=
                    e.getMethodName().startsWith("readBody")
                            || e.getMethodName().equals("readFully");
        }
        return inRead && waiting;
    }

    @Test
    void aResultThatOverflowsTheWorkersStackFailsItsCallAndTheWorkerGoesOn() throws Exception {
        long worker = await(tasks.pid());
        TaskSerializationException e =
                failure(tasks.bottomless(), TaskSerializationException.class);
        assertInstanceOf(StackOverflowError.class, e.getCause(), () -> "cause " + e.getCause());
        assertTrue(e.getMessage().contains("could not be serialized in the worker"), e::getMessage);
        assertEquals(worker, await(tasks.pid()), "the same worker goes on");
    }

    private static Thread thread(String name) throws InterruptedException {
        Thread[] found = new Thread[1];
        eventually(
                "thread " + name + " runs",
                () -> {
                    for (Thread t : Thread.getAllStackTraces().keySet()) {
                        if (t.getName().equals(name)) {
                            found[0] = t;
                        }
                    }
                    return found[0] != null;
                });
        return found[0];
    }
}
