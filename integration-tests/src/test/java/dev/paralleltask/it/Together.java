package dev.paralleltask.it;

import dev.paralleltask.ParallelTask;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Tasks that can only succeed when several of them run at once in one worker. */
public final class Together {
    /** Static state of the worker JVM: the calls meeting there. */
    private static CyclicBarrier meeting;

    private Together() {}

    /**
     * Waits until {@code parties} calls, this one included, wait here at once in this worker, and
     * says where it ran: "pid/thread". Fails after 30 s if they never all arrive.
     */
    @ParallelTask
    public static String meet(int parties)
            throws InterruptedException, BrokenBarrierException, TimeoutException {
        CyclicBarrier barrier;
        synchronized (Together.class) {
            if (meeting == null || meeting.getParties() != parties || meeting.isBroken()) {
                meeting = new CyclicBarrier(parties);
            }
            barrier = meeting;
        }
        barrier.await(30, TimeUnit.SECONDS);
        return ProcessHandle.current().pid() + "/" + Thread.currentThread().getName();
    }

    /** Runs until its worker is killed: its 1 s timeout does that. */
    @ParallelTask(timeoutMillis = 1_000)
    public static long stuck() throws InterruptedException {
        Thread.sleep(600_000);
        return 0;
    }

    /** Sleeps, and may run again once if its worker dies under it. */
    @ParallelTask(retries = 1)
    public static long sleepRetried(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return ProcessHandle.current().pid();
    }
}
