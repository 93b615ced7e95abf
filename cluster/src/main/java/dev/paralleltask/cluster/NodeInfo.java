package dev.paralleltask.cluster;

import java.util.List;

/**
 * A cluster node as a {@link ClusterExecutor} sees it.
 *
 * @param name the node's name ({@link ClusterNode.Builder#name})
 * @param id Ignite's id of this run of the node
 * @param addresses the addresses it can be reached at
 * @param capacity how many calls it runs at once: workers times threads per worker
 * @param running this executor's calls there now, sent and not yet answered
 * @param held the calls it holds now, all its clients together, running or waiting their turn, as
 *     it reported them when asked (-1 if it did not answer)
 * @param admits the most calls it holds at once: its capacity and a bounded queue; a client whose
 *     calls find it full sends them to another node, or waits
 * @param workers its worker processes, as the node reported them when asked
 */
public record NodeInfo(
        String name,
        String id,
        List<String> addresses,
        int capacity,
        int running,
        int held,
        int admits,
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
