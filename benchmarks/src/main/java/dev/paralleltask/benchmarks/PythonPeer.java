package dev.paralleltask.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
     * Runs a Python script from a file (spawned workers import the main module by its file);
     * returns the number it printed, or -1.
     */
    private static double run(String script) throws InterruptedException {
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
                return -1;
            }
            return Double.parseDouble(out.trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
