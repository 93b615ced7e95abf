package dev.paralleltask.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A node reads a run of requests for one method by their shared header: the header ends where the
 * body begins, requests of one method share it byte for byte, and malformed bytes are refused.
 */
class WireTest {
    private static byte[] request(String invoker, int method, long timeout, byte[] body) {
        return new Wire.Request(invoker, method, "Primes.count", timeout, body).toBytes();
    }

    @Test
    void requestsOfOneMethodShareTheirHeaderAndKeepTheirBodies() throws IOException {
        byte[] a = request("app.PrimesInvoker", 3, 0, new byte[] {1, 2, 3});
        byte[] b = request("app.PrimesInvoker", 3, 0, new byte[] {7});
        int header = Wire.Request.headerLength(a);
        assertEquals(header, Wire.Request.headerLength(b));
        assertTrue(Arrays.equals(a, 0, header, b, 0, header));
        assertArrayEquals(new byte[] {1, 2, 3}, Wire.Request.body(a, header));
        assertArrayEquals(new byte[] {7}, Wire.Request.body(b, header));
        assertArrayEquals(new byte[] {7}, Wire.Request.fromBytes(b).body());
    }

    @Test
    void anotherMethodOrTimeoutIsAnotherHeader() {
        byte[] a = request("app.PrimesInvoker", 3, 0, new byte[0]);
        int header = Wire.Request.headerLength(a);
        for (byte[] other :
                new byte[][] {
                    request("app.PrimesInvoker", 4, 0, new byte[0]),
                    request("app.PrimesInvoker", 3, 500, new byte[0]),
                    request("app.PrimesInvokes", 3, 0, new byte[0]),
                }) {
            assertEquals(header, Wire.Request.headerLength(other));
            assertFalse(Arrays.equals(a, 0, header, other, 0, header));
        }
    }

    @Test
    void malformedRequestsAreRefused() {
        byte[] a = request("app.PrimesInvoker", 3, 0, new byte[] {1, 2, 3});
        int header = Wire.Request.headerLength(a);
        assertEquals(-1, Wire.Request.headerLength(new byte[] {1, 2}));
        assertEquals(-1, Wire.Request.headerLength(Arrays.copyOf(a, 10)));
        byte[] otherVersion = a.clone();
        otherVersion[0]++;
        assertEquals(-1, Wire.Request.headerLength(otherVersion));
        assertThrows(
                IOException.class, () -> Wire.Request.body(Arrays.copyOf(a, a.length - 1), header));
        assertThrows(
                IOException.class, () -> Wire.Request.body(Arrays.copyOf(a, header + 2), header));
    }
}
