package dev.paralleltask.processor;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Decides at compile time whether values of a type can never be serialized.
 *
 * <p>Only certain verdicts are given: a type is rejected when no value of it could ever be
 * serialized (a final class that is not {@code Serializable}, a type of the JDK that stands for a
 * thread, a stream, a socket or the like). A functional interface that is not {@code Serializable}
 * gets a verdict that is not certain: what callers pass for it is usually a lambda, which does not
 * serialize, but serializable instances exist. Types that cannot be judged ({@code Object}, most
 * interfaces, non-final classes) pass, and are checked when the call is made.
 */
final class SerializabilityJudge {
    /** Types whose instances hold threads, OS resources or code, and never serialize. */
    private static final List<String> NEVER_SERIALIZABLE =
            List.of(
                    "java.lang.Thread",
                    "java.lang.ThreadGroup",
                    "java.lang.ClassLoader",
                    "java.lang.Process",
                    "java.lang.ProcessHandle",
                    "java.lang.ref.Reference",
                    "java.io.InputStream",
                    "java.io.OutputStream",
                    "java.io.Reader",
                    "java.io.Writer",
                    "java.io.Console",
                    "java.io.RandomAccessFile",
                    "java.net.Socket",
                    "java.net.ServerSocket",
                    "java.net.DatagramSocket",
                    "java.nio.channels.Channel",
                    "java.nio.Buffer",
                    "java.util.stream.BaseStream",
                    "java.util.concurrent.ExecutorService",
                    "java.util.concurrent.Future",
                    "java.util.concurrent.CompletionStage",
                    "java.sql.Connection",
                    "java.sql.Statement",
                    "java.sql.ResultSet");

    /**
     * Why a type cannot be sent: for certain ({@code certain}, a compile error), or only likely (a
     * warning: a functional interface, whose serializable instances do exist, such as {@code
     * String.CASE_INSENSITIVE_ORDER}, while the lambdas callers usually pass never serialize).
     */
    record Verdict(String reason, String fix, boolean certain) {}

    private final Types types;
    private final Elements elements;
    private final TypeMirror serializable;
    private final List<TypeMirror> never;

    SerializabilityJudge(Types types, Elements elements) {
        this.types = types;
        this.elements = elements;
        this.serializable = elements.getTypeElement("java.io.Serializable").asType();
        this.never =
                NEVER_SERIALIZABLE.stream()
                        .map(elements::getTypeElement)
                        .filter(Objects::nonNull)
                        .map(e -> types.erasure(e.asType()))
                        .collect(Collectors.toList());
    }

    /** Whether values of {@code type} can never be serialized, and why. */
    Optional<Verdict> judge(TypeMirror type) {
        switch (type.getKind()) {
            case ARRAY:
                return judge(((ArrayType) type).getComponentType());
            case TYPEVAR:
            case INTERSECTION:
                return judge(types.erasure(type));
            case DECLARED:
                return judgeDeclared((DeclaredType) types.erasure(type));
            default:
                return Optional.empty(); // primitives, void
        }
    }

    private Optional<Verdict> judgeDeclared(DeclaredType type) {
        TypeElement element = (TypeElement) type.asElement();
        Optional<TypeMirror> resource =
                never.stream().filter(n -> types.isSubtype(type, n)).findFirst();
        if (resource.isPresent()) {
            return Optional.of(
                    new Verdict(
                            "which stands for a live resource ("
                                    + resource.get()
                                    + ") and can never be serialized",
                            "pass the data it would give instead (for example a byte[], a String or a path)",
                            true));
        }
        if (types.isAssignable(type, serializable)) {
            return Optional.empty();
        }
        if (isFunctionalInterface(element)) {
            return Optional.of(
                    new Verdict(
                            "a functional interface that is not Serializable: a lambda or method reference passed"
                                    + " for it cannot be serialized, and such a call fails with"
                                    + " TaskSerializationException (serializable instances, such as"
                                    + " String.CASE_INSENSITIVE_ORDER, work)",
                            "pass data and build the function in the task, declare an interface that extends"
                                    + " both "
                                    + element.getSimpleName()
                                    + " and java.io.Serializable, or, if callers pass serializable"
                                    + " instances, add @SuppressWarnings(\""
                                    + TaskValidator.FUNCTIONAL_INTERFACE
                                    + "\")",
                            false));
        }
        boolean isFinal =
                element.getModifiers().contains(Modifier.FINAL)
                        || element.getKind() == ElementKind.RECORD
                        || element.getKind() == ElementKind.ENUM;
        if (isFinal && element.getKind() != ElementKind.INTERFACE) {
            return Optional.of(
                    new Verdict(
                            "a final class that does not implement java.io.Serializable",
                            "make " + element.getSimpleName() + " implement java.io.Serializable",
                            true));
        }
        return Optional.empty(); // an interface or an open class: a subclass may be Serializable
    }

    private boolean isFunctionalInterface(TypeElement element) {
        if (element.getKind() != ElementKind.INTERFACE) {
            return false;
        }
        String pkg = elements.getPackageOf(element).getQualifiedName().toString();
        return pkg.equals("java.util.function")
                || Stream.of("java.lang.Runnable", "java.util.concurrent.Callable")
                        .anyMatch(n -> element.getQualifiedName().contentEquals(n))
                || Annotations.has(element, "java.lang.FunctionalInterface");
    }

    boolean isSerializable(TypeMirror type) {
        return types.isAssignable(types.erasure(type), serializable);
    }

    /** Whether {@code type} is a future or a completion stage. */
    boolean isFuture(TypeMirror type) {
        if (type.getKind() != TypeKind.DECLARED) {
            return false;
        }
        return Stream.of("java.util.concurrent.Future", "java.util.concurrent.CompletionStage")
                .map(elements::getTypeElement)
                .anyMatch(f -> types.isSubtype(types.erasure(type), types.erasure(f.asType())));
    }
}
