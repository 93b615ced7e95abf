package dev.paralleltask.runtime.internal.pool;

import static java.lang.System.Logger.Level.WARNING;

import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import dev.paralleltask.runtime.internal.spi.CallCoding;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.wire.Frame;
import dev.paralleltask.runtime.internal.wire.ThrowableCodec;
import dev.paralleltask.runtime.internal.wire.WireLimitException;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads one worker's answers, on a thread of its own, and settles its calls. Whatever ends the
 * loop, a worker that did not say goodbye is killed on the way out, so its exit settles the calls
 * it still holds.
 */
final class AnswerReader implements Runnable {
    private static final int MAX_ANSWER_BYTES = Integer.MAX_VALUE - 64;

    private final Worker worker;
    private final Dispatcher dispatcher;
    private final ClassLoader loader;
    private final AnswerAdmission admission;
    private final Consumer<Actions> carryOut;
    private final PoolMonitor monitor;

    /** The pool's {@code maxWorkerMemory}; 0 for none. */
    private final long maxMemory;

    AnswerReader(
            Worker worker,
            Dispatcher dispatcher,
            ClassLoader loader,
            AnswerAdmission admission,
            Consumer<Actions> carryOut,
            PoolMonitor monitor,
            long maxMemory) {
        this.maxMemory = maxMemory;
        this.worker = worker;
        this.dispatcher = dispatcher;
        this.loader = loader;
        this.admission = admission;
        this.carryOut = carryOut;
        this.monitor = monitor;
    }

    /** Marks the threads that read answers, for the asserts of runtime/CONCURRENCY.md. */
    private static final ThreadLocal<Boolean> READER = new ThreadLocal<>();

    /** Whether this thread reads a worker's answers. */
    static boolean onReaderThread() {
        return READER.get() != null;
    }

    @Override
    public void run() {
        READER.set(Boolean.TRUE);
        boolean closed = false;
        try {
            read();
        } catch (ProtocolException | WireLimitException e) {
            PoolLog.pool.log(
                    WARNING,
                    "worker " + worker.describe() + " sent what no honest worker sends; killing it",
                    e);
        } catch (IOException e) {
            closed = true; // closed or broken: the worker is gone or going
        } catch (RuntimeException | Error e) {
            PoolLog.pool.log(
                    WARNING,
                    "the reader of worker " + worker.describe() + " failed; killing the worker",
                    e);
        } finally {
            try {
                if (!worker.saidBye) { // no use without its channel
                    carryOut.accept(
                            closed
                                    ? dispatcher.lostChannel(worker)
                                    : dispatcher.kill(worker, null));
                }
            } finally {
                worker.readerEnded();
            }
        }
    }

    /** How many answers read at once are settled with one decision of the dispatcher. */
    private static final int BATCH = 256;

    private final Frame.Answer[] batch = new Frame.Answer[BATCH];
    private final long[] batchIds = new long[BATCH];
    private int batched;

    private void read() throws IOException {
        while (true) {
            Frame frame = worker.answers.poll(MAX_ANSWER_BYTES);
            if (frame == null) {
                // Its memory before its answers settle: a worker past the limit must not be
                // given the calls their callers make next.
                long over = WorkerMemory.lookAfterAnswers(worker, maxMemory);
                if (over > 0) {
                    carryOut.accept(
                            dispatcher.recycle(
                                    worker,
                                    "its resident memory, "
                                            + WorkerMemory.mib(over)
                                            + ", passed maxWorkerMemory, "
                                            + WorkerMemory.mib(maxMemory)));
                }
                if (!settleBatch()) {
                    return;
                }
                worker.sendSoon(); // the calls that the answers read so far made room for
                frame = worker.answers.take(MAX_ANSWER_BYTES);
            }
            if (frame instanceof Frame.Answer a && !(a instanceof Frame.Failure f && f.fatal())) {
                batch[batched] = a;
                batchIds[batched++] = a.id();
                if (batched == BATCH && !settleBatch()) {
                    return;
                }
                continue;
            }
            if (!settleBatch()) { // before the frame that may depend on them
                return;
            }
            boolean inTurn;
            if (frame instanceof Frame.Bye) {
                worker.saidBye = true;
                inTurn = true;
            } else if (frame instanceof Frame.Stack stack) {
                carryOut.accept(dispatcher.stackArrived(worker, stack.id(), stackOf(stack)));
                inTurn = true;
            } else if (frame instanceof Frame.Dropped d) {
                inTurn = dropped(d);
            } else if (frame instanceof Frame.Failure fatal) {
                inTurn = answeredFatally(fatal);
            } else {
                inTurn = false;
            }
            if (!inTurn) {
                outOfTurn(frame);
                return;
            }
        }
    }

    private void outOfTurn(Frame frame) {
        PoolLog.pool.log(
                WARNING,
                "worker " + worker.describe() + " sent " + frame + " out of turn; killing it");
    }

    /** Where a timed-out call was, as its worker said; empty if it could not say. */
    private StackTraceElement[] stackOf(Frame.Stack stack) {
        if (stack.body().length == 0) {
            return new StackTraceElement[0];
        }
        try {
            List<ThrowableCodec.Level> chain =
                    ThrowableCodec.decode(stack.body(), loader, admission.forFailure()).chain();
            return chain.isEmpty() ? new StackTraceElement[0] : chain.get(0).stackTrace();
        } catch (IOException e) {
            return new StackTraceElement[0];
        }
    }

    private boolean dropped(Frame.Dropped dropped) {
        Actions actions = new Actions();
        boolean inTurn = dispatcher.dropped(worker, dropped.id(), actions);
        carryOut.accept(actions);
        return inTurn;
    }

    /**
     * Settles the answers read so far: one decision of the dispatcher for all of them, then each
     * call's value decoded and its future completed. False if one was out of turn.
     */
    private boolean settleBatch() {
        if (batched == 0) {
            return true;
        }
        int n = batched;
        batched = 0;
        Actions actions = new Actions();
        PoolCall[] calls = dispatcher.answered(worker, batchIds, n, actions);
        carryOut.accept(actions);
        ListenerThread.Batch completions = monitor.completions();
        try {
            for (int i = 0; i < n; i++) {
                Frame.Answer answer = batch[i];
                batch[i] = null;
                if (calls[i] == null) {
                    outOfTurn(answer);
                    return false;
                }
                try {
                    settle(calls[i], answer, completions);
                } catch (RuntimeException | Error e) {
                    // The call is out of flight: whatever went wrong, it is settled here or never.
                    if (CallFutures.fail(
                            calls[i].future, Failures.unreadableResult(calls[i].method, e))) {
                        monitor.finished(calls[i], worker.name, e, completions);
                    }
                }
            }
        } finally {
            monitor.post(completions);
        }
        return true;
    }

    private void settle(PoolCall call, Frame.Answer answer, ListenerThread.Batch completions) {
        if (call.relayed) {
            if (CallFutures.complete(call.future, answer)) {
                monitor.finished(
                        call,
                        worker.name,
                        answer instanceof Frame.Result ? null : PoolMonitor.RELAYED_FAILURE,
                        completions);
            }
            return;
        }
        CallCoding.Outcome outcome = CallCoding.decode(call.method, answer, loader, admission);
        if (outcome.unfit()) { // before the caller hears of it, so no later call goes there
            PoolLog.pool.log(
                    WARNING,
                    "worker "
                            + worker.describe()
                            + " answered "
                            + call.method.displayName()
                            + " with bytes no honest worker sends; replacing it");
            carryOut.accept(dispatcher.kill(worker, null));
        }
        boolean settled =
                outcome.failure() != null
                        ? CallFutures.fail(call.future, outcome.failure())
                        : CallFutures.complete(call.future, outcome.value());
        if (settled) {
            monitor.finished(call, worker.name, outcome.failure(), completions);
        }
    }

    private boolean answeredFatally(Frame.Failure failure) {
        Actions actions = new Actions();
        boolean inTurn =
                dispatcher.answeredFatally(
                        worker,
                        failure.id(),
                        CallCoding.decodeFailure(failure, loader, admission),
                        actions);
        carryOut.accept(actions); // the worker's exit settles the call
        return inTurn;
    }
}
