package dev.paralleltask.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreeScanner;
import com.sun.source.util.Trees;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.lang.model.element.Modifier;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real code through the processor: every static method of commons-lang3 (its sources jar, from
 * Maven Central) gets {@code @ParallelTask}, placed by the JDK's own parser, and the library is
 * compiled with the processor jar under {@code -Xlint:all}. The processor must not crash, and the
 * code it generates must raise no diagnostic at all. What the processor refuses is reported on the
 * library's own lines; those methods lose their annotation and the library is compiled again, which
 * must succeed.
 */
@Timeout(600)
class RealLibraryTest {
    private static final String ANNOTATION = "@dev.paralleltask.ParallelTask ";
    private static final Pattern TAG = Pattern.compile("^\\[(ParallelTask\\w+)\\]");

    /** The type a refusal names: "has type T, ..." or "returns T, ...". */
    private static final Pattern REFUSED_TYPE = Pattern.compile("(has type|returns) ([^,]+),");

    @TempDir Path work;

    /** An annotated method: where its annotation went, and the range of source it spans. */
    private record Annotated(Path file, long start, long end) {}

    @Test
    void everyStaticMethodOfALibraryCompilesThroughTheProcessorCleanly() throws Exception {
        Path sources = work.resolve("src");
        List<Path> files =
                unpack(Path.of(System.getProperty("paralleltask.library.sources")), sources);
        List<Annotated> annotated = annotateStaticMethods(files);
        assertTrue(
                annotated.size() > 1_000, "only " + annotated.size() + " methods were annotated");

        List<Diagnostic<? extends JavaFileObject>> first = compile(files, work.resolve("out1"));
        assertNoCrashAndCleanGeneratedCode(first);
        // What the processor refused, by tag: each must be on the library's own source.
        Map<String, Integer> refused = new TreeMap<>();
        Map<String, Integer> refusedTypes = new TreeMap<>();
        List<Annotated> rejected = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : first) {
            Matcher tag = TAG.matcher(d.getMessage(null));
            if (d.getKind() == Diagnostic.Kind.ERROR && tag.find()) {
                refused.merge(tag.group(1), 1, Integer::sum);
                Matcher type = REFUSED_TYPE.matcher(d.getMessage(null));
                refusedTypes.merge(type.find() ? type.group(2) : tag.group(1), 1, Integer::sum);
                Path file = Path.of(d.getSource().toUri());
                annotated.stream()
                        .filter(
                                a ->
                                        a.file().equals(file)
                                                && a.start() <= d.getPosition()
                                                && d.getPosition() <= a.end())
                        .forEach(rejected::add);
            }
        }
        List<String> otherErrors =
                first.stream()
                        .filter(
                                d ->
                                        d.getKind() == Diagnostic.Kind.ERROR
                                                && !TAG.matcher(d.getMessage(null)).find())
                        .map(d -> d.toString())
                        .limit(20)
                        .collect(Collectors.toList());
        System.out.printf(
                "RealLibraryTest: %d static methods annotated in %d files; refused: %s, for the types %s;"
                        + " warnings: %s%n",
                annotated.size(), files.size(), refused, refusedTypes, countWarnings(first));
        if (refused.isEmpty()) {
            assertTrue(
                    otherErrors.isEmpty(),
                    () -> "errors that are not the processor's: " + otherErrors);
            return;
        }

        unannotate(rejected);
        List<Diagnostic<? extends JavaFileObject>> second = compile(files, work.resolve("out2"));
        assertNoCrashAndCleanGeneratedCode(second);
        List<String> errors =
                second.stream()
                        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                        .map(d -> d.toString())
                        .limit(20)
                        .collect(Collectors.toList());
        assertEquals(
                List.of(), errors, "the library with the refused methods unannotated must compile");
    }

    private static Map<String, Long> countWarnings(
            List<Diagnostic<? extends JavaFileObject>> diagnostics) {
        return diagnostics.stream()
                .filter(
                        d ->
                                d.getKind() == Diagnostic.Kind.WARNING
                                        || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING)
                .map(
                        d -> {
                            Matcher tag = TAG.matcher(d.getMessage(null));
                            return tag.find() ? tag.group(1) : "library's own";
                        })
                .collect(Collectors.groupingBy(t -> t, TreeMap::new, Collectors.counting()));
    }

    private void assertNoCrashAndCleanGeneratedCode(
            List<Diagnostic<? extends JavaFileObject>> diagnostics) {
        List<String> crashes =
                diagnostics.stream()
                        .filter(
                                d ->
                                        d.getMessage(null).contains("[ParallelTaskInternalError]")
                                                || d.getMessage(null)
                                                        .contains("[ParallelTaskWriteFailed]"))
                        .map(d -> d.getMessage(null))
                        .limit(5)
                        .collect(Collectors.toList());
        assertEquals(List.of(), crashes);
        List<String> inGenerated =
                diagnostics.stream()
                        .filter(
                                d ->
                                        d.getSource() != null
                                                && Path.of(d.getSource().toUri())
                                                        .startsWith(work.resolve("generated")))
                        .map(d -> d.toString())
                        .limit(20)
                        .collect(Collectors.toList());
        assertEquals(List.of(), inGenerated, "diagnostics in generated code");
    }

    private List<Diagnostic<? extends JavaFileObject>> compile(List<Path> files, Path out)
            throws IOException {
        Path generated = work.resolve("generated").resolve(out.getFileName());
        Files.createDirectories(out);
        Files.createDirectories(generated);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fileManager =
                javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options =
                    List.of(
                            "--release",
                            "17",
                            "-Xlint:all,-processing",
                            "-Xmaxerrs",
                            "100000",
                            "-Xmaxwarns",
                            "100000",
                            "-processorpath",
                            System.getProperty("paralleltask.processor.jar"),
                            "-classpath",
                            System.getProperty("paralleltask.annotations.jar")
                                    + File.pathSeparator
                                    + System.getProperty("paralleltask.runtime.jar"),
                            "-d",
                            out.toString(),
                            "-s",
                            generated.toString());
            javac.getTask(
                            null,
                            fileManager,
                            diagnostics,
                            options,
                            null,
                            fileManager.getJavaFileObjectsFromPaths(files))
                    .call();
        }
        return diagnostics.getDiagnostics();
    }

    /** Puts {@code @ParallelTask} on every static method of every class a proxy could reach. */
    private static List<Annotated> annotateStaticMethods(List<Path> files) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<Annotated> annotated = new ArrayList<>();
        try (StandardJavaFileManager fileManager =
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            JavacTask task =
                    (JavacTask)
                            javac.getTask(
                                    null,
                                    fileManager,
                                    d -> {},
                                    List.of("--release", "17", "-proc:none"),
                                    null,
                                    fileManager.getJavaFileObjectsFromPaths(files));
            SourcePositions positions = Trees.instance(task).getSourcePositions();
            for (CompilationUnitTree unit : task.parse()) {
                Path file = Path.of(unit.getSourceFile().toUri());
                List<long[]> methods = new ArrayList<>(); // {annotation position, end}
                new TreeScanner<Void, Void>() {
                    @Override
                    public Void visitClass(ClassTree type, Void unused) {
                        if (type.getModifiers().getFlags().contains(Modifier.PRIVATE)
                                || type.getKind() == Tree.Kind.ANNOTATION_TYPE) {
                            return null; // a proxy cannot reach it, or it has no methods with
                            // bodies
                        }
                        for (Tree member : type.getMembers()) {
                            if (member instanceof ClassTree nested
                                    && (nested.getModifiers().getFlags().contains(Modifier.STATIC)
                                            || nested.getKind() != Tree.Kind.CLASS
                                            || type.getKind() == Tree.Kind.INTERFACE)) {
                                visitClass(nested, null);
                            } else if (member instanceof MethodTree method
                                    && method.getModifiers().getFlags().contains(Modifier.STATIC)
                                    && !method.getModifiers()
                                            .getFlags()
                                            .contains(Modifier.PRIVATE)) {
                                long start = positions.getStartPosition(unit, method);
                                methods.add(
                                        new long[] {start, positions.getEndPosition(unit, method)});
                            }
                        }
                        return null; // local and anonymous classes are not reached: no method
                        // bodies are scanned
                    }
                }.scan(unit, null);
                insertAnnotations(file, methods, annotated);
            }
        }
        return annotated;
    }

    /** Inserts the annotation before each method, from the end of the file backwards. */
    private static void insertAnnotations(
            Path file, List<long[]> methods, List<Annotated> annotated) throws IOException {
        if (methods.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder(Files.readString(file, StandardCharsets.UTF_8));
        methods.sort((a, b) -> Long.compare(b[0], a[0]));
        for (long[] m : methods) {
            text.insert((int) m[0], ANNOTATION);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
        // Positions after the insertions: each method moves by the annotations before it, its own
        // included.
        methods.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 0; i < methods.size(); i++) {
            long shift = (long) ANNOTATION.length() * i;
            annotated.add(
                    new Annotated(
                            file,
                            methods.get(i)[0] + shift,
                            methods.get(i)[1] + shift + ANNOTATION.length()));
        }
    }

    private static void unannotate(List<Annotated> rejected) throws IOException {
        Map<Path, List<Annotated>> byFile =
                rejected.stream().distinct().collect(Collectors.groupingBy(Annotated::file));
        for (Map.Entry<Path, List<Annotated>> e : byFile.entrySet()) {
            StringBuilder text =
                    new StringBuilder(Files.readString(e.getKey(), StandardCharsets.UTF_8));
            List<Annotated> sorted = new ArrayList<>(e.getValue());
            sorted.sort((a, b) -> Long.compare(b.start(), a.start()));
            for (Annotated a : sorted) {
                int at = (int) a.start();
                assertEquals(ANNOTATION, text.substring(at, at + ANNOTATION.length()));
                // Blanks keep every other position as it was.
                text.replace(at, at + ANNOTATION.length(), " ".repeat(ANNOTATION.length()));
            }
            Files.writeString(e.getKey(), text, StandardCharsets.UTF_8);
        }
    }

    private static List<Path> unpack(Path jar, Path into) throws IOException {
        List<Path> files = new ArrayList<>();
        try (InputStream in = Files.newInputStream(jar);
                ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                String name = entry.getName();
                if (entry.isDirectory()
                        || !name.endsWith(".java")
                        || name.endsWith("module-info.java")) {
                    continue;
                }
                Path file = into.resolve(name).normalize();
                assertTrue(file.startsWith(into), name);
                Files.createDirectories(file.getParent());
                Files.copy(zip, file);
                files.add(file);
            }
        }
        return files;
    }
}
