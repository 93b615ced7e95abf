package dev.paralleltask.processor;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.Elements;
import javax.tools.Diagnostic;

/**
 * Checks a class and its {@code @ParallelTask} methods against every rule, reporting each problem
 * on the most precise element with a tag, what is wrong, and what to do.
 */
final class TaskValidator {
    /**
     * The tag of the warning for a functional-interface parameter or result, and the key that
     * suppresses it in {@code @SuppressWarnings} on the parameter, the method or a class around it.
     */
    static final String FUNCTIONAL_INTERFACE = "ParallelTaskFunctionalInterface";

    private final Messager messager;
    private final Elements elements;
    private final SerializabilityJudge judge;
    private final ModelReader reader;
    private boolean valid;

    TaskValidator(
            Messager messager, Elements elements, SerializabilityJudge judge, ModelReader reader) {
        this.messager = messager;
        this.elements = elements;
        this.judge = judge;
        this.reader = reader;
    }

    /** Reports every problem of the class and its methods; true if there was none. */
    boolean validate(TypeElement type, List<ExecutableElement> methods) {
        valid = true;
        validateClass(type, methods);
        for (ExecutableElement method : methods) {
            validateMethod(type, method);
        }
        return valid;
    }

    private void validateClass(TypeElement type, List<ExecutableElement> methods) {
        // Local and anonymous classes never get here: javac hides them, LocalClassScanner finds
        // them.
        if (type.getKind() == ElementKind.INTERFACE) {
            for (ExecutableElement method : methods) {
                if (!method.getModifiers().contains(Modifier.STATIC)) {
                    error(
                            method,
                            "ParallelTaskInterfaceMethod",
                            "@ParallelTask method %s is an instance method of interface %s, which a"
                                    + " worker has no object to run on; annotate the implementing"
                                    + " class's method, or make it static",
                            method.getSimpleName(),
                            type.getSimpleName());
                }
            }
        }
        for (Element e = type; e instanceof TypeElement t; e = e.getEnclosingElement()) {
            if (t.getModifiers().contains(Modifier.PRIVATE)) {
                error(
                        t,
                        "ParallelTaskPrivateClass",
                        "class %s holds @ParallelTask methods but %s is private, so the generated %s "
                                + "cannot reach it; make it package-private or public",
                        type.getSimpleName(),
                        t.getSimpleName(),
                        GeneratedNames.proxyOf(type).simpleName());
            }
            if (t.getNestingKind() == NestingKind.MEMBER
                    && !t.getModifiers().contains(Modifier.STATIC)
                    && t.getKind() == ElementKind.CLASS) {
                error(
                        t,
                        "ParallelTaskInnerClass",
                        "class %s holds @ParallelTask methods but %s is an inner class, which needs "
                                + "an enclosing instance a worker does not have; make it static",
                        type.getSimpleName(),
                        t.getSimpleName());
            }
        }
        String proxy = GeneratedNames.proxyOf(type).canonicalName();
        TypeElement existing = elements.getTypeElement(proxy);
        if (existing != null && !isOurs(existing)) {
            error(
                    type,
                    "ParallelTaskNameClash",
                    "cannot generate %s for the @ParallelTask methods of %s: a class of that name "
                            + "already exists; rename that class",
                    proxy,
                    type.getSimpleName());
        }
    }

    private void validateMethod(TypeElement type, ExecutableElement method) {
        String name = method.getSimpleName().toString();
        if (type.getKind() == ElementKind.INTERFACE
                && !method.getModifiers().contains(Modifier.STATIC)) {
            return; // reported with the class
        }
        if (method.getModifiers().contains(Modifier.PRIVATE)) {
            error(
                    method,
                    "ParallelTaskPrivate",
                    "@ParallelTask method %s must not be private; make it package-private or public",
                    name);
        }
        if (method.getModifiers().contains(Modifier.ABSTRACT)) {
            error(
                    method,
                    "ParallelTaskAbstract",
                    "@ParallelTask method %s must not be abstract; annotate a method with a body, "
                            + "which is what the worker runs",
                    name);
        }
        boolean concrete = !method.getModifiers().contains(Modifier.ABSTRACT);
        if (concrete
                && !method.getModifiers().contains(Modifier.STATIC)
                && !judge.isSerializable(type.asType())) {
            error(
                    method,
                    "ParallelTaskNotSerializable",
                    "@ParallelTask method %s is an instance method, so its %s object is sent to "
                            + "the worker with each call, but %s does not implement java.io.Serializable; implement it, or make the method static",
                    name,
                    type.getSimpleName(),
                    type.getSimpleName());
        }
        for (VariableElement p : method.getParameters()) {
            Optional<SerializabilityJudge.Verdict> verdict = judge.judge(p.asType());
            verdict.ifPresent(
                    v ->
                            report(
                                    v,
                                    p,
                                    "ParallelTaskUnserializableParameter",
                                    "parameter %s of @ParallelTask method %s has type %s, %s; %s",
                                    p.getSimpleName(),
                                    name,
                                    p.asType(),
                                    v.reason(),
                                    v.fix()));
        }
        if (judge.isFuture(method.getReturnType())) {
            error(
                    method,
                    "ParallelTaskFutureResult",
                    "@ParallelTask method %s returns %s, which is already asynchronous; "
                            + "return the value itself, and the proxy returns a TaskFuture of it",
                    name,
                    method.getReturnType());
        } else {
            judge.judge(method.getReturnType())
                    .ifPresent(
                            v ->
                                    report(
                                            v,
                                            method,
                                            "ParallelTaskUnserializableResult",
                                            "@ParallelTask method %s returns %s, %s; %s",
                                            name,
                                            method.getReturnType(),
                                            v.reason(),
                                            v.fix()));
        }
        AnnotationMirror mirror = ModelReader.parallelTaskMirror(method);
        Map<String, Object> values = reader.annotationValues(method);
        if ((Long) values.get("timeoutMillis") < 0) {
            error(
                    method,
                    mirror,
                    "ParallelTaskNegativeTimeout",
                    "@ParallelTask(timeoutMillis = %s) on %s must not be negative; "
                            + "use 0 for the executor's default",
                    values.get("timeoutMillis"),
                    name);
        }
        if ((Integer) values.get("retries") < 0) {
            error(
                    method,
                    mirror,
                    "ParallelTaskNegativeRetries",
                    "@ParallelTask(retries = %s) on %s must not be negative; "
                            + "use 0 for no retries",
                    values.get("retries"),
                    name);
        }
    }

    /**
     * Whether a class of the proxy's name is one this processor wrote, say by an earlier build
     * whose classes are on the classpath: it has our nested invoker.
     */
    private static boolean isOurs(TypeElement existing) {
        return existing.getEnclosedElements().stream()
                .filter(e -> e instanceof TypeElement && e.getSimpleName().contentEquals("Invoker"))
                .flatMap(e -> ((TypeElement) e).getInterfaces().stream())
                .anyMatch(i -> i.toString().equals(RuntimeNames.TASK_INVOKER.canonicalName()));
    }

    /** An error for a certain verdict; else a warning, unless suppressed where the user put it. */
    private void report(
            SerializabilityJudge.Verdict verdict,
            Element element,
            String errorTag,
            String format,
            Object... args) {
        if (verdict.certain()) {
            error(element, errorTag, format, args);
        } else if (!isSuppressed(element, FUNCTIONAL_INTERFACE)) {
            messager.printMessage(
                    Diagnostic.Kind.WARNING,
                    "[" + FUNCTIONAL_INTERFACE + "] " + String.format(format, args),
                    element);
        }
    }

    /** Whether {@code @SuppressWarnings(key)} is on the element or one enclosing it. */
    private static boolean isSuppressed(Element element, String key) {
        for (Element e = element; e != null; e = e.getEnclosingElement()) {
            SuppressWarnings suppress = e.getAnnotation(SuppressWarnings.class);
            if (suppress != null && List.of(suppress.value()).contains(key)) {
                return true;
            }
        }
        return false;
    }

    private void error(Element element, String tag, String format, Object... args) {
        valid = false;
        messager.printMessage(
                Diagnostic.Kind.ERROR, "[" + tag + "] " + String.format(format, args), element);
    }

    private void error(
            Element element, AnnotationMirror mirror, String tag, String format, Object... args) {
        valid = false;
        messager.printMessage(
                Diagnostic.Kind.ERROR,
                "[" + tag + "] " + String.format(format, args),
                element,
                mirror);
    }
}
