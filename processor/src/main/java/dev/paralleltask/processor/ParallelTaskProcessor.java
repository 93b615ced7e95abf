package dev.paralleltask.processor;

import com.google.auto.service.AutoService;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.tools.Diagnostic;

/**
 * Writes a proxy ({@code <Class>Tasks}) for every class with {@code @ParallelTask} methods, after
 * checking each method can run in another process.
 *
 * <ul>
 *   <li>Every problem of a class is reported, each on the element at fault, tagged ({@code
 *       [ParallelTaskPrivate]} and so on) and saying what to change; then that class is skipped and
 *       the others are still processed.
 *   <li>A class whose methods mention types not yet generated (by another processor) is retried in
 *       later rounds and reported only if they never appear.
 *   <li>It is isolating, in Gradle's terms: each proxy depends only on its own class.
 *   <li>It claims no annotation, like AutoValue: javac's {@code -Xlint:processing} then notes every
 *       annotation no processor claimed (JUnit's {@code @Test} as much as ours); compile with
 *       {@code -Xlint:all,-processing}.
 * </ul>
 */
@AutoService(Processor.class)
public final class ParallelTaskProcessor extends AbstractProcessor {
    /** Classes waiting for types another processor may still generate, by qualified name. */
    private final Set<String> deferred = new LinkedHashSet<>();

    private SerializabilityJudge judge;
    private ModelReader reader;
    private TaskValidator validator;
    private ProxyWriter writer;
    private LocalClassScanner localClasses;

    @Override
    public synchronized void init(ProcessingEnvironment env) {
        super.init(env);
        judge = new SerializabilityJudge(env.getTypeUtils(), env.getElementUtils());
        reader = new ModelReader(env.getTypeUtils(), env.getElementUtils());
        validator = new TaskValidator(env.getMessager(), env.getElementUtils(), judge, reader);
        boolean generatedVisible =
                env.getSourceVersion().compareTo(SourceVersion.RELEASE_8) > 0
                        && env.getElementUtils().getTypeElement(RuntimeNames.GENERATED) != null;
        writer = new ProxyWriter(generatedVisible);
        localClasses = LocalClassScanner.create(env);
    }

    /**
     * All of them: javac calls a processor only when its annotations appear where javac looks, and
     * javac never looks inside method bodies, where local and anonymous classes live.
     */
    @Override
    public Set<String> getSupportedAnnotationTypes() {
        return Set.of("*");
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    /** Never claims an annotation, so other processors see them all. */
    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        try {
            localClasses.scan(round.getRootElements());
        } catch (RuntimeException e) {
            processingEnv
                    .getMessager()
                    .printMessage(
                            Diagnostic.Kind.WARNING,
                            "paralleltask could not look for @ParallelTask in local classes: " + e);
        }
        Map<TypeElement, List<ExecutableElement>> classes = new LinkedHashMap<>();
        for (String name : deferred) {
            TypeElement type = processingEnv.getElementUtils().getTypeElement(name);
            if (type != null) {
                classes.put(type, annotatedMethods(type));
            }
        }
        deferred.clear();
        TypeElement annotation =
                processingEnv.getElementUtils().getTypeElement(RuntimeNames.PARALLEL_TASK);
        if (annotation != null) {
            for (Element e : round.getElementsAnnotatedWith(annotation)) {
                if (e.getKind() == ElementKind.METHOD) {
                    TypeElement type = (TypeElement) e.getEnclosingElement();
                    classes.computeIfAbsent(type, this::annotatedMethods);
                }
            }
        }
        for (Map.Entry<TypeElement, List<ExecutableElement>> c : classes.entrySet()) {
            processClass(c.getKey(), c.getValue(), round.processingOver());
        }
        return false;
    }

    private void processClass(
            TypeElement type, List<ExecutableElement> methods, boolean lastRound) {
        try {
            // 1. Wait for types another processor may still generate.
            // 2. Report every problem; skip the class if there was one.
            // 3. Read the model and write the proxy.
            if (hasUnresolvedTypes(methods)) {
                if (lastRound) {
                    error(
                            type,
                            "[ParallelTaskUnresolvedType] a @ParallelTask method of %s mentions a type that does not exist; "
                                    + "fix the type, or the processor that should generate it",
                            type.getSimpleName());
                } else {
                    deferred.add(type.getQualifiedName().toString());
                }
                return;
            }
            if (!validator.validate(type, methods)) {
                return;
            }
            writer.writeProxy(reader.read(type, methods)).writeTo(processingEnv.getFiler());
        } catch (IOException e) {
            error(
                    type,
                    "[ParallelTaskWriteFailed] could not write the proxy of %s: %s",
                    type.getSimpleName(),
                    e);
        } catch (RuntimeException e) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            error(
                    type,
                    "[ParallelTaskInternalError] the paralleltask processor failed on %s; please report it:\n%s",
                    type.getSimpleName(),
                    trace);
        }
    }

    /** The class's annotated methods, in source order. */
    private List<ExecutableElement> annotatedMethods(TypeElement type) {
        List<ExecutableElement> methods = new ArrayList<>();
        for (ExecutableElement m : ElementFilter.methodsIn(type.getEnclosedElements())) {
            if (Annotations.has(m, RuntimeNames.PARALLEL_TASK)) {
                methods.add(m);
            }
        }
        return methods;
    }

    private static boolean hasUnresolvedTypes(List<ExecutableElement> methods) {
        for (ExecutableElement m : methods) {
            if (isError(m.getReturnType())
                    || m.getParameters().stream().anyMatch(p -> isError(p.asType()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isError(TypeMirror type) {
        return type.getKind() == TypeKind.ERROR;
    }

    private void error(Element element, String format, Object... args) {
        processingEnv
                .getMessager()
                .printMessage(Diagnostic.Kind.ERROR, String.format(format, args), element);
    }
}
