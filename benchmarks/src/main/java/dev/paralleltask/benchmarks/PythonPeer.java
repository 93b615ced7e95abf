package dev.paralleltask.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/** Python's {@code concurrent.futures}, measured on this machine in the same run, where there. */
final class PythonPeer {
    private PythonPeer() {}

    /**
     * The median time, in ms, of echoing {@code bytes} through a {@code ProcessPoolExecutor} of one
     * worker; -1 if there is no python3 here.
     */
    static double echoMillis(int bytes, int rounds) throws InterruptedException {
        String script =
                String.join(
                        "\n",
                        "import os, sys, time, statistics",
                        "from concurrent.futures import ProcessPoolExecutor",
                        "def echo(b): return b",
                        "if __name__ == '__main__':",
                        "    data = os.urandom(" + bytes + ")",
                        "    with ProcessPoolExecutor(max_workers=1) as pool:",
                        "        pool.submit(echo, data).result()",
                        "        times = []",
                        "        for _ in range(" + rounds + "):",
                        "            t0 = time.perf_counter()",
                        "            assert pool.submit(echo, data).result() == data",
                        "            times.append((time.perf_counter() - t0) * 1000)",
                        "    print(statistics.median(times))");
        return run(script);
    }

    /**
     * The time, in ms, a fresh Python takes to start a {@code ProcessPoolExecutor} of 2 spawned
     * workers until both answered a call, from before the pool is made; -1 without python3.
     */
    static double spawnPoolMillis() throws InterruptedException {
        return run(
                String.join(
                        "\n",
                        "import time, multiprocessing",
                        "from concurrent.futures import ProcessPoolExecutor",
                        "def noop(i): return i",
                        "if __name__ == '__main__':",
                        "    t0 = time.perf_counter()",
                        "    ctx = multiprocessing.get_context('spawn')",
                        "    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:",
                        "        a = pool.submit(noop, 1)",
                        "        b = pool.submit(noop, 2)",
                        "        a.result()",
                        "        b.result()",
                        "        print((time.perf_counter() - t0) * 1000)"));
    }

    /**
     * The median time, in microseconds, of one call through a {@code multiprocessing} {@code
     * Manager} proxy to an object in the manager's process (Python's nearest thing to an actor),
     * over {@code rounds} rounds of {@code calls}; -1 without python3.
     */
    static double managerProxyMicros(int rounds, int calls) throws InterruptedException {
        return run(
                String.join(
                        "\n",
                        "import time, statistics",
                        "from multiprocessing.managers import BaseManager",
                        "class Count:",
                        "    def __init__(self): self.n = 0",
                        "    def bump(self):",
                        "        self.n += 1",
                        "        return self.n",
                        "class Actors(BaseManager): pass",
                        "Actors.register('Count', Count)",
                        "if __name__ == '__main__':",
                        "    with Actors() as m:",
                        "        c = m.Count()",
                        "        for _ in range(" + calls + "): c.bump()",
                        "        times = []",
                        "        for _ in range(" + rounds + "):",
                        "            t0 = time.perf_counter()",
                        "            for _ in range(" + calls + "): c.bump()",
                        "            times.append((time.perf_counter() - t0) / "
                                + calls
                                + " * 1e6)",
                        "    print(statistics.median(times))"));
    }

    /**
     * Python's {@code multiprocessing} waits between two processes, each the median of {@code
     * rounds}, in microseconds: a {@code Queue} ping-pong round trip, the wake-up of a consumer
     * that idled 5 ms (put to get, by the monotonic clock), a {@code Lock} hand-off between two
     * processes taking turns on a {@code Value}, a round of a {@code Barrier} of 2; and the put +
     * get pairs per second of a {@code Manager().dict()} from another process; each -1 without
     * python3.
     */
    static double[] syncMicros(int rounds, int pingPongs, int wakeUps, int handOffs, int meetings)
            throws InterruptedException {
        String script =
                String.join(
                        "\n",
                        "import time, statistics, multiprocessing as mp",
                        "def pong(a, b, n):",
                        "    for _ in range(n): b.put(a.get())",
                        "def ping(a, b, n, out):",
                        "    t0 = time.perf_counter()",
                        "    for i in range(n):",
                        "        a.put(i)",
                        "        assert b.get() == i",
                        "    out.put((time.perf_counter() - t0) / n * 1e6)",
                        "def stamp(q, n):",
                        "    for _ in range(n):",
                        "        time.sleep(0.005)",
                        "        q.put(time.monotonic_ns())",
                        "def lateness(q, n, out):",
                        "    late = sorted(-q.get() + time.monotonic_ns() for _ in range(n))",
                        "    out.put(late[n // 2] / 1e3)",
                        "def turns(lock, turn, side, n, out):",
                        "    t0 = time.perf_counter()",
                        "    done = 0",
                        "    while done < n:",
                        "        with lock:",
                        "            if turn.value % 2 == side:",
                        "                turn.value += 1",
                        "                done += 1",
                        "    out.put((time.perf_counter() - t0) / (2 * n) * 1e6)",
                        "def meet(b, n, out):",
                        "    t0 = time.perf_counter()",
                        "    for _ in range(n): b.wait()",
                        "    out.put((time.perf_counter() - t0) / n * 1e6)",
                        "def put_get(d, n, out):",
                        "    t0 = time.perf_counter()",
                        "    for i in range(n):",
                        "        k = 'k' + str(i % 1000)",
                        "        d[k] = i",
                        "        assert d[k] == i",
                        "    out.put(n / (time.perf_counter() - t0))",
                        "def run(pairs, out, pick):",
                        "    ps = [mp.Process(target=f, args=a) for f, a in pairs]",
                        "    for p in ps: p.start()",
                        "    got = [out.get() for _ in range(pick)]",
                        "    for p in ps: p.join()",
                        "    return max(got)",
                        "if __name__ == '__main__':",
                        "    out = mp.Queue()",
                        "    figures = [[], [], [], [], []]",
                        "    manager = mp.Manager()",
                        "    for r in range(-1, " + rounds + "):",
                        "        a, b = mp.Queue(), mp.Queue()",
                        "        n = " + pingPongs,
                        "        figures[0].append(run([(pong, (a, b, n)), (ping, (a, b, n, out))], out, 1))",
                        "        q = mp.Queue()",
                        "        n = " + (wakeUps / rounds),
                        "        figures[1].append(run([(lateness, (q, n, out)), (stamp, (q, n))], out, 1))",
                        "        lock, turn = mp.Lock(), mp.Value('q', 0, lock=False)",
                        "        n = " + handOffs,
                        "        figures[2].append(run([(turns, (lock, turn, 0, n, out)), (turns, (lock, turn, 1, n, out))], out, 2))",
                        "        b = mp.Barrier(2)",
                        "        n = " + meetings,
                        "        figures[3].append(run([(meet, (b, n, out)), (meet, (b, n, out))], out, 2))",
                        "        d = manager.dict()",
                        "        figures[4].append(run([(put_get, (d, 5000, out))], out, 1))",
                        "    print(' '.join(str(statistics.median(f[1:])) for f in figures))");
        double[] figures = runAll(script);
        return figures.length == 5 ? figures : new double[] {-1, -1, -1, -1, -1};
    }

    /**
     * Runs a Python script from a file (spawned workers import the main module by its file);
     * returns the number it printed, or -1.
     */
    private static double run(String script) throws InterruptedException {
        double[] numbers = runAll(script);
        return numbers.length == 1 ? numbers[0] : -1;
    }

    /** Runs a Python script as {@link #run} does; the numbers it printed, or none. */
    private static double[] runAll(String script) throws InterruptedException {
        try {
            Path file = Files.createTempFile("paralleltask-peer-", ".py");
            Files.writeString(file, script);
            file.toFile().deleteOnExit();
            Process python =
                    new ProcessBuilder("python3", file.toString())
                            .redirectError(ProcessBuilder.Redirect.DISCARD)
                            .start();
            String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!python.waitFor(5, TimeUnit.MINUTES) || python.exitValue() != 0) {
                python.destroyForcibly();
                return new double[0];
            }
            return Arrays.stream(out.trim().split("\\s+"))
                    .mapToDouble(Double::parseDouble)
                    .toArray();
        } catch (IOException | NumberFormatException e) {
            return new double[0];
        }
    }
}
