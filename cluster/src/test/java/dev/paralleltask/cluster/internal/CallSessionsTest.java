package dev.paralleltask.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a node admits of a client's batch: calls by count, and bytes of calls waiting to start. */
class CallSessionsTest {
    private static final int KIB = 1024;

    /** Calls that never end: a node whose workers are all busy. */
    private final List<byte[]> started = Collections.synchronizedList(new ArrayList<>());

    private final CallStarter busy =
            (requests, ended) -> {
                started.addAll(requests);
                return requests.stream().map(r -> (Runnable) () -> {}).toList();
            };

    private static List<byte[]> requests(int count, int bytes) {
        List<byte[]> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(new byte[bytes]);
        }
        return requests;
    }

    @Test
    void callsWaitingToStartFillAtMostTheByteBoundAndTheRestGoBack() {
        CallSessions sessions = new CallSessions(2, 8 * KIB, busy);
        UUID session = UUID.randomUUID();
        Exchange.Reply reply =
                sessions.send(new Exchange.Send(session, 0, -1, 0, requests(20, KIB)), 0);
        assertEquals(8, reply.admitted(), "8 KiB of 1 KiB calls");
        assertEquals(0, reply.room(), "a node full of bytes has no room to offer");
        assertEquals(8 * KIB, sessions.waitingBytes());

        // Two start (the client grants them): their bytes leave the bound, and as many fit again.
        sessions.poll(new Exchange.Poll(session, 1), 0);
        assertEquals(2, started.size());
        assertEquals(6 * KIB, sessions.waitingBytes());
        reply = sessions.send(new Exchange.Send(session, 8, 1, 0, requests(12, KIB)), 0);
        assertEquals(2, reply.admitted());
        assertEquals(10, sessions.held());
    }

    @Test
    void aCallLargerThanTheBoundIsAdmittedWhenNothingWaits() {
        CallSessions sessions = new CallSessions(1, 8 * KIB, busy);
        UUID session = UUID.randomUUID();
        Exchange.Reply reply =
                sessions.send(new Exchange.Send(session, 0, -1, 0, requests(2, 20 * KIB)), 0);
        assertEquals(1, reply.admitted(), "the first alone: it could never run otherwise");
        assertEquals(0, reply.room());

        sessions.poll(new Exchange.Poll(session, 0), 0); // it starts: nothing waits
        assertEquals(0, sessions.waitingBytes());
        reply = sessions.send(new Exchange.Send(session, 1, 0, 0, requests(1, 20 * KIB)), 0);
        assertEquals(1, reply.admitted());
    }

    @Test
    void theCountBoundHoldsForSmallCallsAndWithdrawnCallsFreeTheirBytes() {
        int admits = Exchange.admits(1);
        CallSessions sessions = new CallSessions(1, busy);
        UUID session = UUID.randomUUID();
        Exchange.Reply reply =
                sessions.send(new Exchange.Send(session, 0, -1, 0, requests(admits + 10, 16)), 0);
        assertEquals(admits, reply.admitted());
        assertEquals(0, reply.room());
        assertEquals(admits * 16L, sessions.waitingBytes());

        reply = sessions.withdraw(new Exchange.Withdraw(session, 100));
        assertEquals(100, reply.returned().size());
        assertEquals((admits - 100) * 16L, sessions.waitingBytes());
        assertTrue(reply.room() >= 100, "room " + reply.room());
    }
}
