package dev.paralleltask.it;

import static dev.paralleltask.it.Futures.await;
import static dev.paralleltask.it.Futures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paralleltask.runtime.ProcessPool;
import dev.paralleltask.runtime.WorkerCrashedException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A Flight Recorder recording sees the pool's calls and workers. */
@Timeout(120)
class FlightRecorderTest {
    @TempDir Path temp;

    @Test
    void callsAndWorkersAreRecorded() throws Exception {
        Path file = temp.resolve("pool.jfr");
        long pid;
        try (Recording recording = new Recording()) {
            for (String event :
                    List.of(
                            "CallQueued",
                            "CallStarted",
                            "CallFinished",
                            "WorkerStarted",
                            "WorkerExited")) {
                recording.enable("dev.paralleltask." + event);
            }
            recording.start();
            try (ProcessPool pool =
                    ProcessPool.builder().workers(1).namePrefix("recorded-").build()) {
                FaultsTasks tasks = new FaultsTasks(pool);
                pid = await(tasks.pid());
                failure(tasks.exit(7), WorkerCrashedException.class);
                await(tasks.sleep(20));
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events =
                RecordingFile.readAllEvents(file).stream()
                        .sorted(
                                java.util.Comparator.comparing(
                                        RecordedEvent
                                                ::getStartTime)) // the file keeps them by thread
                        .collect(Collectors.toList());
        List<String> finished =
                events.stream()
                        .filter(
                                e ->
                                        e.getEventType()
                                                .getName()
                                                .equals("dev.paralleltask.CallFinished"))
                        .map(
                                e ->
                                        e.getString("method")
                                                + " "
                                                + e.getString("worker")
                                                + " "
                                                + e.getString("outcome"))
                        .collect(Collectors.toList());
        assertEquals(
                List.of(
                        "Faults.pid() recorded-1 result",
                        "Faults.exit(int) recorded-1 " + WorkerCrashedException.class.getName(),
                        "Faults.sleep(long) recorded-2 result"),
                finished);
        RecordedEvent slept =
                events.stream()
                        .filter(
                                e ->
                                        e.getEventType()
                                                        .getName()
                                                        .equals("dev.paralleltask.CallFinished")
                                                && e.getString("method")
                                                        .equals("Faults.sleep(long)"))
                        .findFirst()
                        .orElseThrow();
        assertTrue(
                slept.getDuration("ran").toMillis() >= 20, () -> "ran " + slept.getDuration("ran"));
        assertEquals(3, count(events, "dev.paralleltask.CallQueued"));
        assertEquals(3, count(events, "dev.paralleltask.CallStarted"));
        assertEquals(2, count(events, "dev.paralleltask.WorkerStarted"));
        RecordedEvent crash =
                events.stream()
                        .filter(
                                e ->
                                        e.getEventType()
                                                        .getName()
                                                        .equals("dev.paralleltask.WorkerExited")
                                                && e.getLong("pid") == pid)
                        .findFirst()
                        .orElseThrow();
        assertEquals(7, crash.getInt("exitCode"));
        assertTrue(crash.getBoolean("crashed"));
    }

    @Test
    void aRecordingStartedAfterThePoolWasBuiltSeesItsCalls() throws Exception {
        Path file = temp.resolve("later.jfr");
        try (Recording recording = new Recording()) {
            try (ProcessPool pool = ProcessPool.builder().workers(1).namePrefix("later-").build()) {
                FaultsTasks tasks = new FaultsTasks(pool);
                await(tasks.pid());
                recording.enable("dev.paralleltask.CallFinished");
                recording.start();
                await(tasks.increment());
            } // closed: every call's finish recorded
            recording.stop();
            recording.dump(file);
        }
        List<String> finished =
                RecordingFile.readAllEvents(file).stream()
                        .filter(
                                e ->
                                        e.getEventType()
                                                .getName()
                                                .equals("dev.paralleltask.CallFinished"))
                        .map(e -> e.getString("method") + " " + e.getString("outcome"))
                        .collect(Collectors.toList());
        // A call's event is committed just after its future completes, on the thread that
        // completed it: the recording may start in between and catch pid()'s, never an earlier one.
        assertEquals(
                "Faults.increment() result", finished.get(finished.size() - 1), finished::toString);
        assertTrue(
                finished.equals(List.of("Faults.increment() result"))
                        || finished.equals(
                                List.of("Faults.pid() result", "Faults.increment() result")),
                finished::toString);
    }

    /**
     * The first use of an event class sets up the JDK's recorder, 115-145 ms in a fresh JVM: a
     * program that records nothing must not pay it.
     */
    @Test
    void aProgramThatRecordsNothingLoadsNoEventClass() throws Exception {
        String out = ShortProgram.runFresh("-Xlog:class+load=info");
        assertTrue(out.contains("pid "), out);
        List<String> jfr =
                out.lines()
                        .filter(
                                l ->
                                        l.contains("jdk.jfr.internal.")
                                                || l.matches(".*PoolMonitor\\$(Call|Worker).*"))
                        .collect(Collectors.toList());
        assertEquals(List.of(), jfr);
    }

    private static long count(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).count();
    }
}
