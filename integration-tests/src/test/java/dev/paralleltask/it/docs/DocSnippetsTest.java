package dev.paralleltask.it.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every Java example in README.md and docs/ is code that compiles and runs in CI: each paragraph of
 * each example (its lines between blank lines) appears, spaces aside, in a source that the build
 * compiles: {@link Snippets} and the classes beside it here, the samples, the cluster's {@code
 * ClusterSnippets}, or the outside check's project. The tests below run them.
 */
@Timeout(300)
class DocSnippetsTest {
    /** The repository's root: Surefire runs in the module's directory. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    /** A Java example of a page. */
    record Example(String page, int line, String text) {}

    static List<Example> examples() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        List<Example> found = new ArrayList<>();
        for (Path page : pages) {
            List<String> lines = Files.readAllLines(page);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).equals("```java")) {
                    continue;
                }
                int start = i + 1;
                StringBuilder text = new StringBuilder();
                for (i = start; !lines.get(i).startsWith("```"); i++) {
                    text.append(lines.get(i)).append('\n');
                }
                found.add(new Example(ROOT.relativize(page).toString(), start, text.toString()));
            }
        }
        return found;
    }

    /** The sources the build compiles that examples may come from, spaces removed. */
    static List<String> sources() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String dir :
                List.of(
                        "integration-tests/src/test/java/dev/paralleltask/it/docs",
                        "cluster/src/test/java/dev/paralleltask/cluster/docs",
                        "samples/src/main/java/dev/paralleltask/samples")) {
            try (Stream<Path> sources = Files.list(ROOT.resolve(dir))) {
                sources.forEach(files::add);
            }
        }
        files.add(ROOT.resolve(".ci/outside-check"));
        List<String> texts = new ArrayList<>();
        for (Path f : files) {
            texts.add(Files.readString(f).replaceAll("\\s+", ""));
        }
        return texts;
    }

    @Test
    void everyExampleInTheDocsIsCodeTheBuildCompiles() throws IOException {
        List<Example> examples = examples();
        assertTrue(examples.size() >= 10, "examples found: " + examples.size());
        List<String> sources = sources();
        List<String> missing = new ArrayList<>();
        for (Example e : examples) {
            for (String paragraph : e.text().split("\n\\s*\n")) {
                String code = paragraph.replaceAll("(?m)^(package|import) .*$", "");
                String bare = code.replaceAll("\\s+", "");
                if (!bare.isEmpty() && sources.stream().noneMatch(s -> s.contains(bare))) {
                    missing.add(e.page() + ":" + e.line() + ":\n" + paragraph);
                }
            }
        }
        assertEquals(
                List.of(),
                missing,
                "examples that no compiled source holds: put each in Snippets (or beside it)");
    }

    @Test
    void theReadmeExamplesRun() throws Exception {
        Snippets.fiveLines();
        Snippets.thePool();
    }

    @Test
    void theActorExampleRuns() throws Exception {
        Snippets.anActor();
    }

    @Test
    void thePoolPagesExamplesRun() throws Exception {
        long below100k = 9_592;
        assertEquals(below100k + 4 + 4, Snippets.callOptionsAndProgress());
    }

    @Test
    void theBarrierExampleRuns() throws Exception {
        Snippets.aBarrier(); // four parts, 100 steps each in lockstep: none failed or broke
    }

    @Test
    void theConditionMapAndPipeExamplesRun() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            Snippets.aConditionAndAPipe();
        } finally {
            System.setOut(out);
        }
        assertEquals(
                List.of("the worker got 42", "3", "PING", "PONG"),
                printed.toString(StandardCharsets.UTF_8).lines().toList());
    }
}
