package dev.paralleltask.runtime.internal.pool;

import dev.paralleltask.runtime.PoolStats;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pool's workers: every one whose process has not been reaped, those that take calls, the
 * spares, and how many should take calls now. Guarded by the dispatcher's lock, which every method
 * asserts.
 */
final class WorkerRoster {
    private final ReentrantLock lock;
    private final String namePrefix;

    /** At most this many workers take calls; at least minWorkers do. */
    final int size;

    final int minWorkers;

    /** Connected, idle workers kept ready to replace one that leaves. */
    final int spareWorkers;

    /** Every worker whose process has not been reaped, by id. */
    private final Map<Integer, Worker> workers = new LinkedHashMap<>();

    /** Connected workers that take calls, oldest first. */
    private final List<Worker> ready = new ArrayList<>();

    /** Connected workers kept idle, oldest first, that take a leaving worker's place. */
    private final List<Worker> spares = new ArrayList<>();

    private int nextWorkerId = 1;

    /** How many workers should take calls now, from minWorkers up to size. */
    private int wanted;

    /** Workers in a row that died before their handshake. */
    private int startFailures;

    WorkerRoster(ReentrantLock lock, String namePrefix, Dispatcher.Sizing sizing) {
        this.lock = lock;
        this.namePrefix = namePrefix;
        this.size = sizing.workers();
        this.minWorkers = sizing.minWorkers();
        this.spareWorkers = sizing.spareWorkers();
        this.wanted = sizing.minWorkers();
    }

    /** A new worker, counted from now on; null if the pool has its number of workers. */
    Worker add() {
        assert lock.isHeldByCurrentThread();
        if (!needsMore()) {
            return null;
        }
        int id = nextWorkerId++;
        Worker worker = new Worker(id, namePrefix + id);
        workers.put(id, worker);
        return worker;
    }

    /** Whether fewer workers are counted than should take calls, spares included. */
    boolean needsMore() {
        assert lock.isHeldByCurrentThread();
        return workers.size() < wanted + spareWorkers;
    }

    Worker get(int id) {
        assert lock.isHeldByCurrentThread();
        return workers.get(id);
    }

    Collection<Worker> all() {
        assert lock.isHeldByCurrentThread();
        return workers.values();
    }

    /** The workers that take calls, oldest first; the list itself. */
    List<Worker> ready() {
        assert lock.isHeldByCurrentThread();
        return ready;
    }

    /** A worker that shook hands: it takes calls, or waits as a spare if enough do. */
    boolean join(Worker worker, boolean running) {
        assert lock.isHeldByCurrentThread();
        startFailures = 0;
        worker.joined = true;
        if (ready.size() >= wanted && running) {
            worker.state = Worker.State.SPARE;
            spares.add(worker);
            return false;
        }
        worker.state = Worker.State.READY;
        ready.add(worker);
        return true;
    }

    /** A spare that takes a place, while fewer than wanted take calls; null if none. */
    Worker promoteSpare() {
        assert lock.isHeldByCurrentThread();
        if (ready.size() >= wanted || spares.isEmpty()) {
            return null;
        }
        Worker spare = spares.remove(0);
        spare.state = Worker.State.READY;
        ready.add(spare);
        return spare;
    }

    List<Worker> spares() {
        assert lock.isHeldByCurrentThread();
        return List.copyOf(spares);
    }

    /** The worker takes no more calls (it retires or is killed); it is still counted. */
    void leave(Worker worker) {
        assert lock.isHeldByCurrentThread();
        ready.remove(worker);
        spares.remove(worker);
    }

    /** The worker's process was reaped: it is no longer counted. */
    void remove(Worker worker) {
        assert lock.isHeldByCurrentThread();
        leave(worker);
        workers.remove(worker.id);
    }

    boolean isEmpty() {
        assert lock.isHeldByCurrentThread();
        return workers.isEmpty();
    }

    int wanted() {
        assert lock.isHeldByCurrentThread();
        return wanted;
    }

    /** One more worker should take calls (an elastic pool grows); false if it has its size. */
    boolean grow() {
        assert lock.isHeldByCurrentThread();
        if (wanted >= size) {
            return false;
        }
        wanted++;
        return true;
    }

    /** Whether an idle worker may retire: more than minWorkers take calls. */
    boolean mayShrink() {
        assert lock.isHeldByCurrentThread();
        return ready.size() > minWorkers;
    }

    void shrink() {
        assert lock.isHeldByCurrentThread();
        wanted--;
    }

    boolean anyStarting() {
        assert lock.isHeldByCurrentThread();
        for (Worker w : workers.values()) {
            if (w.state == Worker.State.STARTING) {
                return true;
            }
        }
        return false;
    }

    boolean anyConnected() {
        assert lock.isHeldByCurrentThread();
        for (Worker w : workers.values()) {
            if (w.joined) {
                return true;
            }
        }
        return false;
    }

    /** A worker died before its handshake: how many have in a row now. */
    int startFailed() {
        assert lock.isHeldByCurrentThread();
        return ++startFailures;
    }

    int startFailures() {
        assert lock.isHeldByCurrentThread();
        return startFailures;
    }

    /** Each worker, for {@code stats()}; with the calls in flight that are not done. */
    List<PoolStats.Worker> stats(int[] waitingAndRunning) {
        assert lock.isHeldByCurrentThread();
        List<PoolStats.Worker> each = new ArrayList<>(workers.size());
        for (Worker w : workers.values()) {
            for (PoolCall c : w.inFlight) {
                if (!c.isDone()) {
                    waitingAndRunning[c.started ? 1 : 0]++;
                }
            }
            each.add(
                    new PoolStats.Worker(
                            w.name, w.pid(), w.state.name(), w.inFlight.size(), w.tasksCompleted));
        }
        return each;
    }
}
