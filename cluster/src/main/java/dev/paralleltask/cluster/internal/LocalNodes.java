package dev.paralleltask.cluster.internal;

import dev.paralleltask.runtime.Actor;
import dev.paralleltask.runtime.ActorOptions;
import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.TaskException;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.internal.TaskInvoker;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.pool.Pool;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import dev.paralleltask.runtime.internal.spi.Relay;
import dev.paralleltask.runtime.internal.wire.CallCodec;
import dev.paralleltask.runtime.internal.wire.Frame;
import dev.paralleltask.runtime.internal.wire.ValueCodingException;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster nodes running in this JVM, by Ignite instance name: where a job that Ignite started
 * finds the pool of the node it runs on.
 */
public final class LocalNodes {
    private static final Map<String, LocalNode> NODES = new ConcurrentHashMap<>();

    private LocalNodes() {}

    /** A node's pool, the invokers it loaded, and its clients' sessions. */
    public static final class LocalNode {
        final String name;
        final ProcessPool pool;
        final CallSessions sessions;

        /** Closes the sessions of clients that went away. */
        private final ScheduledExecutorService expiry;

        /**
         * Resumes the polls that waited, once they have something to say ({@link SessionTask}):
         * never on the thread that made the news, which may be the pool's. Once the node is gone,
         * Ignite's own timeout resumes them.
         */
        final Executor resumptions;

        private final ExecutorService pollThreads =
                Executors.newFixedThreadPool(2, Pool.daemonThreads("paralleltask-node-polls"));

        private final Map<String, TaskInvoker> invokers = new ConcurrentHashMap<>();

        /** The actors its clients started here, by number; they end with the pool. */
        private final Map<Long, Actor<Object>> actors = new ConcurrentHashMap<>();

        private final AtomicLong actorNumbers = new AtomicLong();

        LocalNode(String name, ProcessPool pool, int capacity) {
            this.name = name;
            this.pool = pool;
            this.sessions = new CallSessions(capacity, this::start);
            this.resumptions =
                    task -> {
                        try {
                            pollThreads.execute(task);
                        } catch (RejectedExecutionException e) {
                            // the node is gone: the poll's timeout resumes it
                        }
                    };
            this.expiry =
                    Executors.newSingleThreadScheduledExecutor(
                            Pool.daemonThreads("paralleltask-node-sessions"));
            long every = CallSessions.EXPIRY_MILLIS / 6;
            expiry.scheduleWithFixedDelay(
                    () -> sessions.expire(System.nanoTime()), every, every, TimeUnit.MILLISECONDS);
        }

        /**
         * Starts clients' calls on the pool, in order, and tells {@code ended} what the node
         * replies once each ends. A run of requests for one method (a map's) reads that method
         * once.
         */
        private List<Runnable> start(List<byte[]> requests, CallStarter.Ended ended) {
            Runnable[] stops = new Runnable[requests.size()];
            Arrays.fill(stops, (Runnable) () -> {});
            int[] runnable = new int[requests.size()]; // the positions of the calls submitted
            List<TaskMethod> methods = new ArrayList<>(requests.size());
            List<byte[]> bodies = new ArrayList<>(requests.size());
            byte[] previous = null;
            int header = -1;
            TaskMethod method = null;
            for (int i = 0; i < requests.size(); i++) {
                byte[] request = requests.get(i);
                try {
                    int h = CallRequest.headerLength(request);
                    byte[] body;
                    if (h > 0 && h == header && Arrays.equals(previous, 0, h, request, 0, h)) {
                        body = CallRequest.body(request, h);
                    } else {
                        OneJobTask.CallJob.Resolved call =
                                OneJobTask.CallJob.resolve(this, request);
                        method = call.method();
                        body = call.request().body();
                        previous = request;
                        header = h;
                    }
                    runnable[methods.size()] = i;
                    methods.add(method);
                    bodies.add(body);
                } catch (OneJobTask.CallJob.Unrunnable e) {
                    ended.ended(i, e.reply);
                } catch (IOException e) {
                    ended.ended(i, new Wire.Unrunnable(e.getMessage()));
                }
            }
            List<TaskFuture<Frame.Answer>> running;
            try {
                running = methods.isEmpty() ? List.of() : Relay.submitAll(pool, methods, bodies);
            } catch (RejectedExecutionException e) {
                Wire.Reply refused = new Wire.Refused(e.getMessage());
                for (int k = 0; k < methods.size(); k++) {
                    ended.ended(runnable[k], refused);
                }
                return Arrays.asList(stops);
            }
            for (int k = 0; k < running.size(); k++) {
                int position = runnable[k];
                stops[position] = running(running.get(k), position, ended);
            }
            return Arrays.asList(stops);
        }

        /**
         * Tells {@code ended} what the node replies once a call running on the pool ends, on the
         * thread that ends it, the pool's reader: no hop to the pool's stage threads for each call;
         * what runs there is short and starts no call ({@link CallSessions}).
         *
         * @return what stops it, killing its worker
         */
        private Runnable running(
                TaskFuture<Frame.Answer> call, int position, CallStarter.Ended ended) {
            AtomicBoolean stopped = new AtomicBoolean();
            CallFutures.whenDone(
                    call, () -> ended.ended(position, OneJobTask.reply(call, name, stopped.get())));
            return () -> {
                stopped.set(true);
                call.cancel(true); // kills its worker
            };
        }

        /**
         * The method a request names, with the invoker loaded here as a worker loads it.
         *
         * @throws ReflectiveOperationException if the invoker is not on this node's classpath or
         *     cannot be made
         */
        TaskMethod method(CallRequest request) throws ReflectiveOperationException {
            TaskInvoker invoker = invokers.get(request.invokerClass());
            if (invoker == null) {
                invoker = load(request.invokerClass());
                invokers.put(request.invokerClass(), invoker);
            }
            // Retries are the client's to make: it alone knows how often the call already ran.
            return new TaskMethod(
                    invoker,
                    request.method(),
                    request.displayName(),
                    List.of(),
                    request.timeoutMillis(),
                    0);
        }

        /** Starts an actor as a client asked: its state was encoded there, for this machine. */
        Wire.Reply startActor(Wire.ActorRequest request) {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            Object state;
            try {
                state =
                        CallCodec.decodeValue(
                                request.payload(),
                                0,
                                context != null ? context : LocalNodes.class.getClassLoader());
            } catch (ValueCodingException e) {
                return new Wire.Unrunnable(
                        "it cannot rebuild the actor's initial state: "
                                + e.getMessage()
                                + "; start every node with the application's classes on its"
                                + " classpath");
            }
            Actor<Object> actor;
            try {
                actor =
                        pool.actor(
                                state,
                                ActorOptions.defaults()
                                        .restarts(request.restarts())
                                        .concurrency(request.concurrency()));
            } catch (RejectedExecutionException e) {
                return new Wire.Refused("node " + name + " is shutting down");
            } catch (TaskException | IllegalArgumentException e) {
                return new Wire.Unrunnable("it cannot start the actor: " + e.getMessage());
            }
            long number = actorNumbers.incrementAndGet();
            actors.put(number, actor);
            return new Wire.ActorStarted(number, actor.name());
        }

        /** The actor of that number, or null if it is not here. */
        Actor<?> actor(long number) {
            return actors.get(number);
        }

        /** Closes an actor (its client sends this once its calls are done) and forgets it. */
        Wire.Reply closeActor(long number) {
            Actor<Object> actor = actors.remove(number);
            if (actor == null) {
                return new Wire.ActorState(-1, 0, false);
            }
            int restarts = actor.restarts();
            actor.close();
            return new Wire.ActorState(-1, restarts, false);
        }

        private static TaskInvoker load(String className) throws ReflectiveOperationException {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            Class<?> type =
                    Class.forName(
                            className,
                            false,
                            context != null ? context : LocalNodes.class.getClassLoader());
            if (!TaskInvoker.class.isAssignableFrom(type)) {
                throw new ClassNotFoundException(
                        className + " is not a generated invoker (" + TaskInvoker.class + ")");
            }
            try {
                return (TaskInvoker) type.getConstructor().newInstance();
            } catch (InvocationTargetException e) {
                throw new InstantiationException(className + ": " + e.getCause());
            }
        }
    }

    /** Registers a node's pool under its Ignite instance name, before Ignite starts. */
    public static void register(
            String igniteName, String nodeName, ProcessPool pool, int capacity) {
        if (NODES.putIfAbsent(igniteName, new LocalNode(nodeName, pool, capacity)) != null) {
            throw new IllegalStateException("a node named " + igniteName + " already runs here");
        }
    }

    /** Takes a node off: its jobs are refused from now on. */
    public static void unregister(String igniteName) {
        LocalNode node = NODES.remove(igniteName);
        if (node != null) {
            node.expiry.shutdownNow();
            node.pollThreads.shutdown(); // a poll still held is resumed by Ignite's timeout
        }
    }

    /**
     * A node leaves: it admits no more calls and gives back those it has not started, lets those
     * that run end, closes its pool, waits (up to {@code drainMillis}) for its clients to take the
     * answers, and is taken off.
     */
    public static void leave(String igniteName, long drainMillis) {
        LocalNode node = NODES.get(igniteName);
        if (node == null) {
            return;
        }
        try {
            node.sessions.leave();
            node.pool.close();
            node.sessions.awaitDrained(drainMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            unregister(igniteName);
        }
    }

    /** The node of that Ignite instance, or null if it is gone or going. */
    static LocalNode get(String igniteName) {
        return NODES.get(igniteName);
    }
}
