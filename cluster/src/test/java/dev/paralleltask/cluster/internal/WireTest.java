package dev.paralleltask.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.internal.TaskInvoker;
import dev.paralleltask.runtime.internal.TaskMethod;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node reads a run of requests for one method by their shared header: the header ends where the
 * body begins, requests of one method share it byte for byte, and malformed bytes are refused.
 */
class WireTest {
    private static byte[] request(String invoker, int method, long timeout, byte[] body) {
        return new CallRequest(invoker, method, "Primes.count", timeout, body).toBytes();
    }

    @Test
    void requestsOfOneMethodShareTheirHeaderAndKeepTheirBodies() throws IOException {
        byte[] a = request("app.PrimesInvoker", 3, 0, new byte[] {1, 2, 3});
        byte[] b = request("app.PrimesInvoker", 3, 0, new byte[] {7});
        int header = CallRequest.headerLength(a);
        assertEquals(header, CallRequest.headerLength(b));
        assertTrue(Arrays.equals(a, 0, header, b, 0, header));
        assertArrayEquals(new byte[] {1, 2, 3}, CallRequest.body(a, header));
        assertArrayEquals(new byte[] {7}, CallRequest.body(b, header));
        assertArrayEquals(new byte[] {7}, CallRequest.fromBytes(b).body());
    }

    @Test
    void anotherMethodOrTimeoutIsAnotherHeader() {
        byte[] a = request("app.PrimesInvoker", 3, 0, new byte[0]);
        int header = CallRequest.headerLength(a);
        for (byte[] other :
                new byte[][] {
                    request("app.PrimesInvoker", 4, 0, new byte[0]),
                    request("app.PrimesInvoker", 3, 500, new byte[0]),
                    request("app.PrimesInvokes", 3, 0, new byte[0]),
                }) {
            assertEquals(header, CallRequest.headerLength(other));
            assertFalse(Arrays.equals(a, 0, header, other, 0, header));
        }
    }

    /** An invoker of this test's methods: nothing runs them here. */
    static final class Invoker implements TaskInvoker {
        @Override
        public Object invoke(int method, Object target, Object[] args) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void anEncodedCallIsTheRequestOfItsMethodWhicheverMethodCameBefore() throws Exception {
        TaskMethod count =
                new TaskMethod(new Invoker(), 0, "Primes.count(int)", List.of("n"), 0, 0);
        TaskMethod square =
                new TaskMethod(new Invoker(), 1, "Maths.square(long, Ünits)", List.of("x"), 0, 0);
        for (TaskMethod m : List.of(count, count, square, count, square, square)) {
            long timeout = m == count ? 0 : 1_500;
            Object arg = m == count ? (Object) 7 : (Object) 9L;
            CallRequest read =
                    CallRequest.fromBytes(CallRequest.encode(m, null, new Object[] {arg}, timeout));
            assertEquals(Invoker.class.getName(), read.invokerClass());
            assertEquals(m.index(), read.method());
            assertEquals(m.displayName(), read.displayName());
            assertEquals(timeout, read.timeoutMillis());
            assertTrue(read.body().length > 0);
        }
    }

    @Test
    void answersReadBackAsWrittenAndMalformedOnesAreRefused() throws IOException {
        Wire.Answer answer =
                new Wire.Answer(
                        Wire.Answer.UNSENDABLE, true, 3, "ça n'a pas pu ✓", new byte[] {4, 5});
        Wire.Answer read = (Wire.Answer) Wire.Reply.fromBytes(answer.toBytes());
        assertEquals(answer.kind(), read.kind());
        assertEquals(true, read.fatal());
        assertEquals(3, read.position());
        assertEquals(answer.message(), read.message());
        assertArrayEquals(answer.body(), read.body());
        byte[] bytes = answer.toBytes();
        assertThrows(IOException.class, () -> Wire.Reply.fromBytes(Arrays.copyOf(bytes, 9)));
        assertThrows(
                IOException.class,
                () -> Wire.Reply.fromBytes(Arrays.copyOf(bytes, bytes.length + 1)));
        byte[] overlong = bytes.clone();
        overlong[bytes.length - 3]++; // the body's length, one byte more than there is
        assertThrows(IOException.class, () -> Wire.Reply.fromBytes(overlong));
    }

    @Test
    void malformedRequestsAreRefused() {
        byte[] a = request("app.PrimesInvoker", 3, 0, new byte[] {1, 2, 3});
        int header = CallRequest.headerLength(a);
        assertEquals(-1, CallRequest.headerLength(new byte[] {1, 2}));
        assertEquals(-1, CallRequest.headerLength(Arrays.copyOf(a, 10)));
        byte[] otherVersion = a.clone();
        otherVersion[0]++;
        assertEquals(-1, CallRequest.headerLength(otherVersion));
        assertThrows(
                IOException.class, () -> CallRequest.body(Arrays.copyOf(a, a.length - 1), header));
        assertThrows(
                IOException.class, () -> CallRequest.body(Arrays.copyOf(a, header + 2), header));
    }
}
