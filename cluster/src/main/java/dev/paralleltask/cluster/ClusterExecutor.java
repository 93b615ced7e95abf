package dev.paralleltask.cluster;

import dev.paralleltask.cluster.internal.ActorLine;
import dev.paralleltask.cluster.internal.CallRequest;
import dev.paralleltask.cluster.internal.ClusterCall;
import dev.paralleltask.cluster.internal.ClusterDispatcher;
import dev.paralleltask.cluster.internal.IgniteSetup;
import dev.paralleltask.cluster.internal.KnownNodes;
import dev.paralleltask.cluster.internal.KnownNodes.Node;
import dev.paralleltask.cluster.internal.TlsProbe;
import dev.paralleltask.runtime.Actor;
import dev.paralleltask.runtime.ActorOptions;
import dev.paralleltask.runtime.TaskExecutor;
import dev.paralleltask.runtime.TaskFuture;
import dev.paralleltask.runtime.internal.TaskMethod;
import dev.paralleltask.runtime.internal.pool.CallBatch;
import dev.paralleltask.runtime.internal.pool.Pool;
import dev.paralleltask.runtime.internal.spi.AnswerAdmission;
import dev.paralleltask.runtime.internal.spi.CallFutures;
import dev.paralleltask.runtime.internal.spi.Failures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.ignite.Ignition;
import org.apache.ignite.client.IgniteClient;

/**
 * Runs the calls of generated proxies on a cluster of {@link ClusterNode}s: the same proxies as on
 * a {@link dev.paralleltask.runtime.ProcessPool}, the same futures and failures.
 *
 * <p>Each call is encoded on the caller's thread exactly as a pool encodes it and sent, as bytes,
 * to the node with the fewest of this executor's calls per worker, in batches with other calls;
 * answers come back in batches as they are ready. A node holds a bounded number of calls, all its
 * clients together, and the rest wait here in the order they were made; a node that runs out of
 * work takes unstarted calls back from another. The answer is decoded here, so what a task threw
 * arrives as itself, and {@link dev.paralleltask.runtime.TaskTimeoutException}, {@link
 * dev.paralleltask.runtime.WorkerCrashedException} and {@link
 * dev.paralleltask.runtime.TaskSerializationException} mean what they mean on a pool, naming the
 * node.
 *
 * <ul>
 *   <li>A node that dies or leaves: a call it never started goes to another node at no cost; one
 *       that may have run there (it was running, or the node was free to start it) runs again only
 *       as its method's {@code retries} allow, else it fails with {@link
 *       dev.paralleltask.runtime.WorkerCrashedException} naming the node.
 *   <li>{@code cancel(true)} and a timeout kill the worker running the call on its node. A node
 *       that stops answering without leaving is covered here: a call with a timeout fails a little
 *       after it (two seconds and a tenth of the timeout) if its node said nothing since it was
 *       sent (a node that answers polls holds the call in its queue, and times it out itself once
 *       it runs).
 *   <li>Shared objects ({@code dev.paralleltask.shared}) live in one machine's memory: passing one
 *       fails the call with {@link dev.paralleltask.runtime.TaskSerializationException}.
 * </ul>
 *
 * <pre>{@code
 * try (ClusterExecutor cluster = ClusterExecutor.builder().connect("10.0.0.7:10800").build()) {
 *     PrimesTasks primes = new PrimesTasks(cluster);
 *     System.out.println(primes.count(0, 1_000_000).get());
 * }
 * }</pre>
 */
public final class ClusterExecutor implements TaskExecutor {
    /** How often the executor asks which nodes there are. */
    private static final long TOPOLOGY_MILLIS = 1_000;

    /** A connection to the nodes the user named, to learn which nodes there are. */
    private final IgniteClient client;

    private final String description;
    private final Duration defaultTimeout;
    private final AnswerAdmission admission;
    private final ClassLoader loader;

    /** Fires the watchdogs of calls; nothing that may wait on the network runs here. */
    private final ScheduledThreadPoolExecutor timer;

    /** Learns the nodes, which waits on them: a node that stopped answering holds it up. */
    private final ScheduledThreadPoolExecutor topology;

    private final ExecutorService answers;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition terminatedCondition = lock.newCondition();

    /** The nodes, and a connection to each. */
    private final KnownNodes known;

    /** The calls: where they go, and what their ends mean. */
    private final ClusterDispatcher dispatcher;

    /** Where a {@link CallBatch} open on a caller's thread sends its calls. */
    private final CallBatch.Sink<ClusterCall> batches = this::submitAll;

    /**
     * The calls of the actors made here and not yet ended, with their nodes; guarded by the lock.
     */
    private final Map<ActorLine, UUID> actors = new HashMap<>();

    /** How many of them each node holds, by node id; guarded by the lock. */
    private final Map<UUID, Integer> actorsOn = new HashMap<>();

    /** Written under the lock. */
    private volatile boolean shutdown;

    /** Written under the lock. */
    private volatile boolean terminated;

    private ClusterExecutor(Builder b, IgniteClient client) {
        this.client = client;
        this.description = "ClusterExecutor[" + String.join(",", b.addresses) + "]";
        this.defaultTimeout = b.defaultTimeout;
        this.admission = b.admission;
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        this.loader = context != null ? context : ClusterExecutor.class.getClassLoader();
        this.timer = new ScheduledThreadPoolExecutor(1, Pool.daemonThreads("paralleltask-cluster"));
        timer.setRemoveOnCancelPolicy(true);
        this.topology =
                new ScheduledThreadPoolExecutor(
                        1, Pool.daemonThreads("paralleltask-cluster-nodes"));
        // Answers are decoded here, off the connections' own threads and off the common pool.
        this.answers =
                Executors.newFixedThreadPool(
                        Math.max(2, Runtime.getRuntime().availableProcessors()),
                        Pool.daemonThreads("paralleltask-cluster-answers"));
        this.dispatcher =
                new ClusterDispatcher(
                        loader,
                        admission,
                        ClusterDispatcher.Timer.of(timer),
                        this::checkTerminated);
        this.known =
                new KnownNodes(client, b.tls, answers, dispatcher, description, b.noNodeTimeout);
    }

    /**
     * Submits the calls of a batch open on the caller's thread ({@code TaskFutures.map}'s short
     * calls) with one turn of the dispatcher's lock. If the executor was shut down since they were
     * made, each fails with the rejection: their futures are the caller's already.
     */
    private void submitAll(List<ClusterCall> calls) {
        if (!dispatcher.submitAll(calls)) {
            calls.forEach(
                    c -> CallFutures.fail(c.future(), Failures.rejected(c.method(), description)));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public <T> TaskFuture<T> submit(TaskMethod method, Object target, Object[] args) {
        if (isShutdown()) {
            throw Failures.rejected(method, description);
        }
        long timeout =
                method.timeoutMillis() > 0
                        ? method.timeoutMillis()
                        : defaultTimeout != null ? defaultTimeout.toMillis() : 0;
        byte[] request;
        try {
            request = CallRequest.encode(method, target, args, timeout);
        } catch (Exception e) {
            return CallFutures.failed(e);
        }
        ClusterCall call = dispatcher.call(method, request, timeout);
        CallBatch batch = CallBatch.current();
        if (batch != null) {
            batch.add(batches, call);
        } else if (!dispatcher.submit(call)) {
            throw Failures.rejected(method, description);
        }
        @SuppressWarnings("unchecked") // the proxy knows the method's result type
        TaskFuture<T> future = (TaskFuture<T>) call.future();
        return future;
    }

    /**
     * An actor on a node of the cluster: the node with the fewest of this executor's actors, then
     * the most free workers. Its object lives in a JVM of that node's pool, restarted there as
     * {@code options} allow; calls go to it from here in the order made. When the node leaves, the
     * call running there fails with {@link dev.paralleltask.runtime.WorkerCrashedException} naming
     * the node, and every later call with {@link dev.paralleltask.runtime.ActorDiedException}.
     * Shutting the executor down closes its actors.
     *
     * @throws dev.paralleltask.runtime.TaskSerializationException if {@code initialState} cannot be
     *     sent
     * @throws dev.paralleltask.runtime.WorkerStartException if no node can start it
     * @throws RejectedExecutionException if the executor is shut down
     */
    @Override
    public <C> Actor<C> actor(C initialState, ActorOptions options) {
        Objects.requireNonNull(options, "options");
        byte[] state = ClusterActor.encode(initialState);
        Node node = null;
        List<Node> candidates = known.list();
        lock.lock();
        try {
            if (shutdown) {
                throw new RejectedExecutionException(
                        description + " is shut down: it makes no more actors");
            }
            for (Node n : candidates) {
                if (node == null
                        || actorsOn(n) < actorsOn(node)
                        || (actorsOn(n) == actorsOn(node) && free(n) > free(node))) {
                    node = n;
                }
            }
            if (node == null) {
                throw Failures.startFailure(
                        description + " knows no node to start an actor on", List.of(), null);
            }
            actorsOn.merge(node.id(), 1, Integer::sum); // so that actors made at once spread
        } finally {
            lock.unlock();
        }
        ClusterActor<C> actor;
        try {
            actor =
                    ClusterActor.start(
                            node.name(),
                            node.compute(),
                            state,
                            options,
                            loader,
                            admission,
                            this::ended);
        } catch (RuntimeException | Error e) {
            lock.lock();
            try {
                actorsOn.merge(node.id(), -1, Integer::sum);
            } finally {
                lock.unlock();
            }
            throw e;
        }
        boolean late;
        lock.lock();
        try {
            actors.put(actor.line, node.id());
            late = shutdown;
        } finally {
            lock.unlock();
        }
        if (late) { // shut down while it started: it ends with the executor
            actor.line.shutdown();
        }
        return actor;
    }

    /** An actor has ended: its node has room for another, and the executor may end. */
    private void ended(ActorLine actor) {
        lock.lock();
        try {
            UUID node = actors.remove(actor);
            if (node != null) {
                actorsOn.merge(node, -1, Integer::sum);
            }
        } finally {
            lock.unlock();
        }
        checkTerminated();
    }

    /** A node's workers this executor's calls leave free. */
    private int free(Node node) {
        return node.capacity() - dispatcher.running(node.id());
    }

    /** This executor's actors on a node; under the lock. */
    private int actorsOn(Node node) {
        return actorsOn.getOrDefault(node.id(), 0);
    }

    // --- nodes ---

    /** Learns which nodes there are, and sends calls to new ones (see {@link KnownNodes}). */
    private void refresh() {
        known.refresh();
        checkTerminated();
    }

    /**
     * The nodes this executor sends calls to, each with its worker processes and the calls it holds
     * as it reports them now (a node that does not answer within 10 s is listed without them).
     */
    public List<NodeInfo> nodes() {
        return known.infos();
    }

    // --- life cycle ---

    @Override
    public void shutdown() {
        List<ActorLine> closing;
        dispatcher.stopTaking();
        lock.lock();
        try {
            shutdown = true;
            closing = List.copyOf(actors.keySet());
        } finally {
            lock.unlock();
        }
        closing.forEach(ActorLine::shutdown);
        checkTerminated();
    }

    @Override
    public List<TaskFuture<?>> shutdownNow() {
        List<ActorLine> stopping;
        dispatcher.stopTaking();
        lock.lock();
        try {
            shutdown = true;
            stopping = List.copyOf(actors.keySet());
        } finally {
            lock.unlock();
        }
        List<TaskFuture<?>> cancelled = new ArrayList<>(dispatcher.cancelAll());
        stopping.forEach(a -> cancelled.addAll(a.shutdownNow()));
        checkTerminated();
        return cancelled;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return terminated;
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!terminated) {
                if (left <= 0) {
                    return false;
                }
                left = terminatedCondition.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the executor once it is shut down and has nothing queued or in flight. */
    private void checkTerminated() {
        if (!shutdown) { // volatile: the common case takes no lock
            return;
        }
        lock.lock();
        try {
            if (!shutdown || terminated || !actors.isEmpty() || !dispatcher.isIdle()) {
                return;
            }
            terminated = true;
            terminatedCondition.signalAll();
        } finally {
            lock.unlock();
        }
        // Not on a thread of the client's: closing it waits for them.
        Thread closer =
                new Thread(
                        () -> {
                            timer.shutdownNow();
                            topology.shutdownNow();
                            known.close();
                            dispatcher.close(); // ends its sessions, closes the nodes' connections
                            client.close();
                            answers.shutdown();
                        },
                        "paralleltask-cluster-close");
        closer.setDaemon(true);
        closer.start();
    }

    @Override
    public String toString() {
        return description
                + "["
                + dispatcher
                + (terminated ? ", terminated" : shutdown ? ", shut down" : "")
                + "]";
    }

    /** Settings of an executor. */
    public static final class Builder {
        private final List<String> addresses = new ArrayList<>();
        private Tls tls;
        private Duration defaultTimeout;
        private Duration noNodeTimeout = Duration.ofSeconds(30);
        private AnswerAdmission admission = new AnswerAdmission(List.of());

        private Builder() {}

        /** Nodes to connect to, as {@code host:port} (their client port); at least one. */
        public Builder connect(String... addresses) {
            for (String a : addresses) {
                this.addresses.add(IgniteSetup.checkAddress(a));
            }
            return this;
        }

        /** Mutual TLS towards the nodes, which must use TLS too. */
        public Builder tls(Tls tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /**
         * The timeout of calls whose method sets none; default none here, so the node's own default
         * applies.
         */
        public Builder defaultTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("defaultTimeout must be > 0, was " + timeout);
            }
            this.defaultTimeout = timeout;
            return this;
        }

        /**
         * How long calls wait while no node is reachable before they fail; default 30 s. Calls wait
         * for a free worker without limit while nodes are there.
         */
        public Builder noNodeTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("noNodeTimeout must be >= 0, was " + timeout);
            }
            this.noNodeTimeout = timeout;
            return this;
        }

        /** Classes answers may hold beyond what the signatures name, as on a pool. */
        public Builder allowClasses(String... patterns) {
            this.admission = new AnswerAdmission(List.of(patterns));
            return this;
        }

        /**
         * Connects, and returns once it knows the nodes.
         *
         * @throws IllegalStateException if no node can be reached (with Ignite's reason: refused,
         *     an untrusted certificate, missing {@link ClusterNode#CLIENT_JVM_OPTIONS}), or none of
         *     the servers is a paralleltask node
         */
        public ClusterExecutor build() {
            if (addresses.isEmpty()) {
                throw new IllegalStateException(
                        "connect(...) to at least one node, as host:port of its client port");
            }
            IgniteClient client = null;
            String what = "a client of the cluster at " + String.join(",", addresses);
            try {
                client = Ignition.startClient(IgniteSetup.client(addresses, tls));
                client.cluster().forServers().nodes(); // a refused certificate shows here
            } catch (RuntimeException | Error e) {
                if (client != null) {
                    client.close();
                }
                String refused =
                        IgniteSetup.lacksOptions(e) ? null : TlsProbe.clientRefusal(addresses, tls);
                throw refused != null
                        ? new IllegalStateException("cannot start " + what + ": " + refused, e)
                        : IgniteSetup.startFailure(what, e, IgniteSetup.CLIENT_JVM_OPTIONS);
            }
            ClusterExecutor executor = new ClusterExecutor(this, client);
            executor.refresh();
            if (executor.known.list().isEmpty()) {
                executor.shutdown();
                throw new IllegalStateException(
                        "cannot use the cluster at "
                                + String.join(",", addresses)
                                + ": none of its servers is a paralleltask node (a ClusterNode)"
                                + " that this JVM can reach at the client address it announces");
            }
            executor.topology.scheduleWithFixedDelay(
                    executor::refresh, TOPOLOGY_MILLIS, TOPOLOGY_MILLIS, TimeUnit.MILLISECONDS);
            return executor;
        }
    }
}
