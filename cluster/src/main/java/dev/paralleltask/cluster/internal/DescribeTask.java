package dev.paralleltask.cluster.internal;

import dev.paralleltask.cluster.NodeInfo;
import java.util.List;
import java.util.Map;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.compute.ComputeJob;
import org.apache.ignite.compute.ComputeJobAdapter;
import org.apache.ignite.compute.ComputeJobResult;
import org.apache.ignite.compute.ComputeTaskAdapter;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * Reports the worker processes of the node the client chose, as {@link Wire.Workers}. Public
 * because thin clients start it by class name.
 */
public final class DescribeTask extends ComputeTaskAdapter<Object, byte[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public Map<? extends ComputeJob, ClusterNode> map(List<ClusterNode> subgrid, Object unused) {
        return Map.of(new DescribeJob(), subgrid.get(0));
    }

    @Override
    public byte[] reduce(List<ComputeJobResult> results) {
        return results.get(0).getData();
    }

    static final class DescribeJob extends ComputeJobAdapter {
        private static final long serialVersionUID = 1L;

        @IgniteInstanceResource private transient Ignite ignite;

        @Override
        public Object execute() {
            LocalNodes.LocalNode node = LocalNodes.get(ignite.name());
            List<NodeInfo.Worker> workers =
                    node == null
                            ? List.of()
                            : node.pool.workers().stream()
                                    .map(
                                            w ->
                                                    new NodeInfo.Worker(
                                                            w.name(),
                                                            w.pid(),
                                                            w.isAlive(),
                                                            w.tasksCompleted()))
                                    .toList();
            return new Wire.Workers(workers, node == null ? 0 : node.sessions.held()).toBytes();
        }
    }
}
