package dev.paralleltask.cluster;

import java.util.List;

/**
 * A cluster node as a {@link ClusterExecutor} sees it.
 *
 * @param name the node's name ({@link ClusterNode.Builder#name})
 * @param id Ignite's id of this run of the node
 * @param addresses the addresses it can be reached at
 * @param capacity how many calls it runs at once: workers times threads per worker; the executor
 *     sends it no more than that
 * @param running this executor's calls there now
 * @param workers its worker processes, as the node reported them when asked
 */
public record NodeInfo(
        String name,
        String id,
        List<String> addresses,
        int capacity,
        int running,
        List<Worker> workers) {

    public NodeInfo {
        addresses = List.copyOf(addresses);
        workers = List.copyOf(workers);
    }

    /**
     * One worker JVM of a node.
     *
     * @param name its name in the node's pool
     * @param pid its process id on the node's machine
     * @param alive whether it was running when asked
     * @param tasksCompleted the calls it finished
     */
    public record Worker(String name, long pid, boolean alive, long tasksCompleted) {}
}
