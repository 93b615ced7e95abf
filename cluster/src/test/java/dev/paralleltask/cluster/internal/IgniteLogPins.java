package dev.paralleltask.cluster.internal;

import java.util.ArrayList;
import java.util.List;

/** The starts of Ignite's messages that {@link IgniteLog} quiets, for tests that pin them. */
public final class IgniteLogPins {
    private IgniteLogPins() {}

    public static List<String> quieted() {
        List<String> all = new ArrayList<>(IgniteLog.ADVICE);
        all.addAll(IgniteLog.PEER_GONE);
        all.addAll(IgniteLog.START_FAILED);
        return all;
    }
}
