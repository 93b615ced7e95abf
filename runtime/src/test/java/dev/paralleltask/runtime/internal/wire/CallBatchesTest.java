package dev.paralleltask.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The packing of a batch's calls and of a worker's answers to them. */
class CallBatchesTest {
    @Test
    void callsComeOutAsTheyWentIn() throws Exception {
        List<byte[]> bodies = List.of(new byte[] {1, 2, 3}, new byte[0], new byte[] {4});
        List<byte[]> back = CallBatches.unpackCalls(CallBatches.packCalls(bodies));
        assertEquals(3, back.size());
        for (int i = 0; i < bodies.size(); i++) {
            assertArrayEquals(bodies.get(i), back.get(i));
        }
    }

    @Test
    void answersComeOutAsTheyWentInEachNumberedByItsPlace() throws Exception {
        List<Frame.Answer> answers =
                List.of(
                        new Frame.Result(17, new byte[] {9}),
                        new Frame.Failure(18, false, new byte[] {8, 7}),
                        new Frame.Unsendable(19, 2, "could not be serialized: ünïcode"));
        List<Frame.Answer> back = CallBatches.unpackAnswers(CallBatches.packAnswers(answers));
        assertEquals(0, back.get(0).id());
        assertArrayEquals(new byte[] {9}, ((Frame.Result) back.get(0)).body());
        assertArrayEquals(new byte[] {8, 7}, ((Frame.Failure) back.get(1)).body());
        assertEquals(new Frame.Unsendable(2, 2, "could not be serialized: ünïcode"), back.get(2));
    }

    @Test
    void aFatalFailureIsNotAnAnswerABatchCarries() {
        assertThrows(
                IllegalArgumentException.class,
                () -> CallBatches.packAnswers(List.of(new Frame.Failure(1, true, new byte[0]))));
    }

    /** A worker's answers are not trusted: a length past the end allocates nothing. */
    @Test
    void answersCutShortOrClaimingMoreThanTheyHoldAreRefused() {
        byte[] packed = CallBatches.packAnswers(List.of(new Frame.Result(0, new byte[] {1, 2})));
        byte[] cut = java.util.Arrays.copyOf(packed, packed.length - 1);
        assertThrows(ProtocolException.class, () -> CallBatches.unpackAnswers(cut));
        byte[] huge =
                ByteBuffer.allocate(13)
                        .putInt(1)
                        .put((byte) 0)
                        .putInt(0)
                        .putInt(Integer.MAX_VALUE)
                        .array();
        assertThrows(ProtocolException.class, () -> CallBatches.unpackAnswers(huge));
        byte[] negative =
                ByteBuffer.allocate(13).putInt(1).put((byte) 0).putInt(0).putInt(-5).array();
        assertThrows(ProtocolException.class, () -> CallBatches.unpackAnswers(negative));
    }
}
