package dev.paralleltask.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
        try {
            Process python =
                    new ProcessBuilder("python3", "-c", script)
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
