package dev.paralleltask.runtime;

import dev.paralleltask.runtime.internal.TaskMethod;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Calls that finish when the test says so: call {@code i} waits for gate {@code i}, then returns
 * {@code i}, or throws when the gate was opened with {@link #fail}.
 */
final class Gates {
    private final CountDownLatch[] gates;
    private final boolean[] failing;
    final TaskMethod method;

    Gates(int count) {
        gates = new CountDownLatch[count];
        failing = new boolean[count];
        for (int i = 0; i < count; i++) {
            gates[i] = new CountDownLatch(1);
        }
        method =
                new TaskMethod(
                        (m, target, args) -> {
                            int i = (Integer) args[0];
                            if (!gates[i].await(60, TimeUnit.SECONDS)) {
                                throw new AssertionError("gate " + i + " never opened");
                            }
                            if (failing[i]) {
                                throw new IllegalStateException("gate " + i + " failed");
                            }
                            return i;
                        },
                        0,
                        "Gates.pass(int)",
                        List.of("gate"),
                        0,
                        0);
    }

    TaskFuture<Integer> call(TaskExecutor executor, int gate) {
        return executor.submit(method, null, new Object[] {gate});
    }

    void open(int gate) {
        gates[gate].countDown();
    }

    void fail(int gate) {
        failing[gate] = true;
        gates[gate].countDown();
    }

    void openAll() {
        for (CountDownLatch g : gates) {
            g.countDown();
        }
    }
}
