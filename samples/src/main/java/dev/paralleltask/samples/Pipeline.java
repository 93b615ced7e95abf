package dev.paralleltask.samples;

import dev.paralleltask.ParallelTask;
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.shared.SharedQueue;

/**
 * The producer and consumer of Python's {@code multiprocessing} tutorial: two tasks on two workers
 * passing numbers through a {@link SharedQueue}, as in docs/sharing.md.
 */
public final class Pipeline {
    private Pipeline() {}

    @ParallelTask
    public static int produce(SharedQueue<Integer> queue, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            queue.put(i * i);
        }
        queue.put(-1); // the end
        return n;
    }

    @ParallelTask
    public static long consume(SharedQueue<Integer> queue) throws InterruptedException {
        long sum = 0;
        for (int x; (x = queue.take()) != -1; ) {
            sum += x;
        }
        return sum;
    }

    public static void main(String[] args) throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(2).build();
                SharedQueue<Integer> queue = SharedQueue.create(16)) {
            PipelineTasks tasks = new PipelineTasks(pool);
            TaskFuture<Long> sum = tasks.consume(queue); // on one worker
            tasks.produce(queue, 1_000); // on the other
            System.out.println(
                    "sum of the squares below 1,000, passed between two workers: " + sum.get());
        }
    }
}
