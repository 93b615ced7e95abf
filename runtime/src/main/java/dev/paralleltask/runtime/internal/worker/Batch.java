package dev.paralleltask.runtime.internal.worker;

import dev.paralleltask.runtime.internal.TaskInvoker;

/**
 * The invoker a batch of calls names ({@link dev.paralleltask.runtime.internal.wire.CallBatches}):
 * the worker loop runs the calls of a batch itself, one after another, each as it would run the
 * call alone, and answers with all their answers packed in one result. Never invoked.
 */
public final class Batch implements TaskInvoker {
    @Override
    public Object invoke(int method, Object target, Object[] args) {
        throw new IllegalStateException("a batch of calls is run by the worker loop");
    }
}
