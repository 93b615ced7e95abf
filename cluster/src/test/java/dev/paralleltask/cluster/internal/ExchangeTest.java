package dev.paralleltask.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every message of the session protocol reads back as it was written. */
class ExchangeTest {
    private static final UUID SESSION = UUID.randomUUID();

    @Test
    void eachMessageReadsBackAsWritten() throws IOException {
        Exchange.Send send =
                (Exchange.Send)
                        roundTrip(
                                new Exchange.Send(
                                        SESSION,
                                        7,
                                        9,
                                        20,
                                        List.of(new byte[] {1, 2, 3}, new byte[0], new byte[300])));
        assertEquals(SESSION, send.session());
        assertEquals(7, send.first());
        assertEquals(9, send.grant());
        assertEquals(20, send.waitMillis());
        assertEquals(3, send.requests().size());
        assertArrayEquals(new byte[] {1, 2, 3}, send.requests().get(0));
        assertEquals(300, send.requests().get(2).length);
        assertEquals(new Exchange.Poll(SESSION, 42), roundTrip(new Exchange.Poll(SESSION, 42)));
        assertEquals(
                new Exchange.Cancel(SESSION, 5, true),
                roundTrip(new Exchange.Cancel(SESSION, 5, true)));
        assertEquals(
                new Exchange.Withdraw(SESSION, 3), roundTrip(new Exchange.Withdraw(SESSION, 3)));
        assertEquals(new Exchange.Close(SESSION), roundTrip(new Exchange.Close(SESSION)));
    }

    @Test
    void aReplyReadsBackAsWritten() throws IOException {
        Exchange.Reply reply =
                new Exchange.Reply(
                        12,
                        1,
                        250,
                        true,
                        4,
                        List.of(
                                new Exchange.Answered(11, new byte[] {9, 8}),
                                new Exchange.Answered(12, new byte[1000])),
                        List.of(13L, 14L));
        Exchange.Reply read = Exchange.Reply.fromBytes(reply.toBytes());
        assertEquals(12, read.frontier());
        assertEquals(1, read.free());
        assertEquals(250, read.room());
        assertEquals(true, read.leaving());
        assertEquals(4, read.admitted());
        assertEquals(2, read.answers().size());
        assertEquals(11, read.answers().get(0).index());
        assertArrayEquals(new byte[] {9, 8}, read.answers().get(0).reply());
        assertEquals(1000, read.answers().get(1).reply().length);
        assertEquals(List.of(13L, 14L), read.returned());
    }

    @Test
    void bytesOfAnotherVersionAreRefusedSayingSo() {
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> Exchange.Message.fromBytes(new byte[] {0, 0, 0, 1, 2, 3, 4, 5}));
        assertEquals(
                "not a message of this version of paralleltask: the client and the node run"
                        + " different versions of paralleltask-cluster",
                e.getMessage());
    }

    @Test
    void everyCutShortMessageOrReplyIsRefusedAsMalformed() {
        byte[] send =
                new Exchange.Send(SESSION, 7, 9, 20, List.of(new byte[] {1, 2, 3}, new byte[40]))
                        .toBytes();
        byte[] reply =
                new Exchange.Reply(
                                12,
                                1,
                                250,
                                false,
                                2,
                                List.of(new Exchange.Answered(11, new byte[] {9, 8})),
                                List.of(13L))
                        .toBytes();
        for (int length = 0; length < send.length; length++) {
            byte[] cut = Arrays.copyOf(send, length);
            assertThrows(IOException.class, () -> Exchange.Message.fromBytes(cut), "" + length);
        }
        for (int length = 0; length < reply.length; length++) {
            byte[] cut = Arrays.copyOf(reply, length);
            assertThrows(IOException.class, () -> Exchange.Reply.fromBytes(cut), "" + length);
        }
    }

    private static Exchange.Message roundTrip(Exchange.Message message) throws IOException {
        return Exchange.Message.fromBytes(message.toBytes());
    }
}
