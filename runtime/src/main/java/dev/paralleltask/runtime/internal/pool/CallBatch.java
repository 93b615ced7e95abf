package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.spi.CallCoding;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import dev.paralleltask.runtime.internal.spi.Failures;
import dev.paralleltask.runtime.internal.wire.CallBatches;
import dev.paralleltask.runtime.internal.wire.Frame;
import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers the small calls a thread makes on a {@code ProcessPool} while it is open, and sends them
 * in batches of up to {@code size}, each one call to one worker, which runs them one after another
 * and answers them all at once ({@code TaskFutures.map} opens one when its calls are short: a
 * million calls of a microsecond cost their frames, futures and bookkeeping many times over).
 *
 * <p>Every call still has its own future, completed with its own result or failure. A call that has
 * a timeout or retries, or whose values travel through files, is not batched. If a batch fails as a
 * whole (its worker crashed, or a call in it hit a JVM error), its calls run again one by one, so
 * that only the call that did it fails: the calls before it in the batch run a second time.
 * Cancelling any call of a batch cancels the batch.
 *
 * <p>Used by one thread; {@link #close} sends what is gathered.
 */
public final class CallBatch implements AutoCloseable {
    private static final ThreadLocal<CallBatch> OPEN = new ThreadLocal<>();

    private final int size;
    private final CallBatch enclosing;
    private Pool pool;
    private List<Element> elements = new ArrayList<>();

    private CallBatch(int size, CallBatch enclosing) {
        this.size = size;
        this.enclosing = enclosing;
    }

    /** Opens a batch on this thread: calls made on a pool until {@link #close} are gathered. */
    public static CallBatch open(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a batch of " + size + " calls");
        }
        CallBatch batch = new CallBatch(size, OPEN.get());
        OPEN.set(batch);
        return batch;
    }

    /** The batch open on this thread, or null. */
    static CallBatch current() {
        return OPEN.get();
    }

    /** Takes a call of {@code pool}'s, sending the batch when it is full. */
    TaskFuture<Object> add(Pool pool, TaskMethod method, byte[] body) {
        if (this.pool != pool) {
            flush(); // a call on another pool: the batch so far goes to its own
            this.pool = pool;
        }
        Element element = new Element(method, body);
        elements.add(element);
        if (elements.size() >= size) {
            flush();
        }
        return element.future;
    }

    /** Sends what is gathered. */
    public void flush() {
        if (!elements.isEmpty()) {
            List<Element> full = elements;
            elements = new ArrayList<>(size);
            send(pool, full);
        }
    }

    /** Sends the calls as one call, and settles each call when it is answered. */
    private static void send(Pool pool, List<Element> elements) {
        List<byte[]> bodies = new ArrayList<>(elements.size());
        for (Element e : elements) {
            bodies.add(e.body);
        }
        PoolCall call = pool.enqueueBatch(bodies);
        for (Element e : elements) {
            e.runner = call.future;
        }
        call.future.whenComplete(
                (answers, failure) -> {
                    if (failure == null) {
                        settle(pool, elements, (byte[]) answers);
                    } else if (call.future.isCancelled()) {
                        elements.forEach(e -> e.future.cancel(false));
                    } else {
                        elements.forEach(e -> runAlone(pool, e));
                    }
                });
    }

    /** Settles the calls of a batch with the worker's answers to them, in their order. */
    private static void settle(Pool pool, List<Element> elements, byte[] packed) {
        List<Frame.Answer> answers;
        try {
            answers = CallBatches.unpackAnswers(packed);
            if (answers.size() != elements.size()) {
                throw new ProtocolException(
                        answers.size() + " answers to a batch of " + elements.size() + " calls");
            }
        } catch (ProtocolException e) {
            elements.forEach(
                    el -> CallFutures.fail(el.future, Failures.unreadableResult(el.method, e)));
            return;
        }
        for (int i = 0; i < answers.size(); i++) {
            Element element = elements.get(i);
            CallCoding.Outcome outcome = pool.decode(element.method, answers.get(i));
            boolean failed = outcome.failure() != null;
            if (failed
                    ? CallFutures.fail(element.future, outcome.failure())
                    : CallFutures.complete(element.future, outcome.value())) {
                pool.countSettled(failed);
            }
        }
    }

    /** Runs a call of a failed batch as a call of its own. */
    private static void runAlone(Pool pool, Element element) {
        if (element.future.isDone()) {
            return;
        }
        PoolCall call = pool.enqueueAlone(element.method, element.body);
        element.runner = call.future;
        call.future.whenComplete(
                (value, failure) -> {
                    if (failure == null) {
                        CallFutures.complete(element.future, value);
                    } else if (call.future.isCancelled()) {
                        element.future.cancel(false);
                    } else {
                        CallFutures.fail(element.future, failure);
                    }
                });
        if (element.future.isCancelled()) { // cancelled before it had its own call
            call.future.cancel(true);
        }
    }

    /** Sends what is gathered, and closes the batch. */
    @Override
    public void close() {
        OPEN.set(enclosing);
        flush();
    }

    /** One call of a batch. */
    static final class Element {
        final TaskMethod method;
        final byte[] body;
        final TaskFuture<Object> future;

        /** The call that runs it now: its batch's, or its own once the batch failed. */
        volatile TaskFuture<?> runner;

        Element(TaskMethod method, byte[] body) {
            this.method = method;
            this.body = body;
            this.future =
                    CallFutures.create(
                            (f, wasRunning, interrupt) -> {
                                TaskFuture<?> r = runner;
                                if (r != null) {
                                    r.cancel(interrupt);
                                }
                            });
        }
    }
}
