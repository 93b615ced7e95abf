package dev.paralleltask.runtime.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a worker's reaping lets go of, and when. */
class WorkerTest {
    @Test
    void aReapedWorkersFilesWaitForItsLaggingReader() {
        Worker worker = new Worker(1, "pool-1-worker-1");
        worker.reader = new Thread(() -> {}); // still reading: it has not ended
        AtomicInteger letGo = new AtomicInteger();

        worker.reaped(letGo::incrementAndGet);
        assertEquals(0, letGo.get(), "files removed while the reader may still need them");

        worker.readerEnded();
        assertEquals(1, letGo.get());
    }

    @Test
    void aReaderThatEndedFirstLeavesTheFilesToTheReaping() {
        Worker worker = new Worker(1, "pool-1-worker-1");
        worker.reader = new Thread(() -> {});
        AtomicInteger letGo = new AtomicInteger();

        worker.readerEnded();
        assertEquals(0, letGo.get());
        worker.reaped(letGo::incrementAndGet);
        assertEquals(1, letGo.get());
    }

    @Test
    void aWorkerThatNeverConnectedLetsGoAtItsReaping() {
        Worker worker = new Worker(1, "pool-1-worker-1");
        AtomicInteger letGo = new AtomicInteger();

        worker.reaped(letGo::incrementAndGet);
        assertEquals(1, letGo.get());
    }
}
