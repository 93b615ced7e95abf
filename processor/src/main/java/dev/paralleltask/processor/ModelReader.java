package dev.paralleltask.processor;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeVariableName;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.TypeParameterElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.IntersectionType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.WildcardType;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/** Reads a validated class and its {@code @ParallelTask} methods into a {@link TaskClass}. */
final class ModelReader {
    private static final String INVOKER_CONSTANT = "INVOKER";

    private final Types types;
    private final Elements elements;

    ModelReader(Types types, Elements elements) {
        this.types = types;
        this.elements = elements;
    }

    TaskClass read(TypeElement type, List<ExecutableElement> methods) {
        List<TypeVariableName> typeVariables =
                type.getTypeParameters().stream()
                        .map(TypeVariableName::get)
                        .collect(Collectors.toList());
        ClassName className = ClassName.get(type);
        TypeName targetType =
                typeVariables.isEmpty()
                        ? className
                        : ParameterizedTypeName.get(
                                className, typeVariables.toArray(TypeName[]::new));
        Set<String> constants = new HashSet<>(Set.of(INVOKER_CONSTANT));
        List<TaskMethod> model = new ArrayList<>();
        for (ExecutableElement method : methods) {
            model.add(readMethod(type, method, model.size(), constants));
        }
        return new TaskClass(
                type,
                className,
                GeneratedNames.proxyOf(type),
                type.getModifiers().contains(Modifier.PUBLIC),
                typeVariables,
                targetType,
                !typeVariables.isEmpty(),
                model,
                lintOf(type.asType(), type.getTypeParameters()));
    }

    private TaskMethod readMethod(
            TypeElement type, ExecutableElement method, int index, Set<String> constants) {
        String name = method.getSimpleName().toString();
        String constant = GeneratedNames.constantOf(name);
        for (int n = 2; !constants.add(constant); n++) {
            constant = GeneratedNames.constantOf(name) + "_" + n;
        }
        boolean unchecked = false;
        List<TaskParameter> parameters = new ArrayList<>();
        for (VariableElement p : method.getParameters()) {
            TypeMirror declared = p.asType();
            TypeMirror erased = types.erasure(declared);
            boolean isObject =
                    erased.getKind() == TypeKind.DECLARED
                            && ((TypeElement) types.asElement(erased))
                                    .getQualifiedName()
                                    .contentEquals("java.lang.Object");
            unchecked |= !types.isSameType(declared, erased);
            parameters.add(
                    new TaskParameter(
                            p.getSimpleName().toString(),
                            TypeName.get(declared),
                            isObject ? null : TypeName.get(erased)));
        }
        boolean isStatic = method.getModifiers().contains(Modifier.STATIC);
        unchecked |= !isStatic && !type.getTypeParameters().isEmpty();
        TypeMirror returnType = method.getReturnType();
        boolean returnsVoid = returnType.getKind() == TypeKind.VOID;
        boolean genericVarargs =
                method.isVarArgs()
                        && !isReifiable(
                                ((ArrayType)
                                                method.getParameters()
                                                        .get(method.getParameters().size() - 1)
                                                        .asType())
                                        .getComponentType());
        boolean safeVarargs = Annotations.has(method, "java.lang.SafeVarargs");
        Map<String, Object> values = annotationValues(method);
        List<TypeMirror> answerTypes = answerTypesOf(method);
        return new TaskMethod(
                method,
                name,
                index,
                constant,
                isStatic,
                method.getModifiers().contains(Modifier.PUBLIC),
                method.getTypeParameters().stream()
                        .map(TypeVariableName::get)
                        .collect(Collectors.toList()),
                parameters,
                method.isVarArgs(),
                returnsVoid ? ClassName.get(Void.class) : TypeName.get(returnType).box(),
                returnsVoid,
                (Long) values.get("timeoutMillis"),
                (Integer) values.get("retries"),
                simpleNestedName(type) + "." + name + "(" + parameterList(method, true) + ")",
                name + "(" + parameterList(method, false) + ")",
                unchecked,
                genericVarargs,
                safeVarargs,
                elements.isDeprecated(method) || elements.isDeprecated(type),
                answerTypes.stream().map(TypeName::get).collect(Collectors.toList()),
                deprecationsOf(answerTypes),
                summaryOf(method),
                lintOf(method));
    }

    /**
     * The first sentence of the method's javadoc, as the proxy's javadoc repeats it: block tags
     * dropped, whitespace collapsed, and {@code {@link X}} made {@code {@code X}}, since the
     * proxy's file does not import what the user's does.
     */
    private String summaryOf(ExecutableElement method) {
        String doc = elements.getDocComment(method);
        if (doc == null) {
            return "";
        }
        String text = BLOCK_TAG.split(doc, 2)[0].replaceAll("\\s+", " ").strip();
        Matcher end = SENTENCE_END.matcher(text);
        if (end.find()) {
            text = text.substring(0, end.start() + 1);
        }
        return LINK.matcher(text)
                .replaceAll(
                        m ->
                                Matcher.quoteReplacement(
                                        m.group(3) != null && m.group(1) != null
                                                ? m.group(3).strip()
                                                : "{@code " + m.group(2) + "}"));
    }

    private static final Pattern BLOCK_TAG = Pattern.compile("(?m)^\\s*@\\w");
    private static final Pattern SENTENCE_END = Pattern.compile("\\.(\\s|$)");
    private static final Pattern LINK =
            Pattern.compile("\\{@link(plain)?\\s+([^}\\s]+)(\\s+[^}]*)?}");

    /**
     * The classes a worker's answer to the method may be: its result type erased, with the type
     * arguments in it, and the exceptions it declares; {@code Object} and primitives left out.
     */
    private List<TypeMirror> answerTypesOf(ExecutableElement method) {
        Map<String, TypeMirror> found = new java.util.LinkedHashMap<>();
        collectClasses(method.getReturnType(), found);
        method.getThrownTypes().forEach(t -> collectClasses(t, found));
        found.remove("java.lang.Object");
        return List.copyOf(found.values());
    }

    private void collectClasses(TypeMirror type, Map<String, TypeMirror> found) {
        switch (type.getKind()) {
            case ARRAY:
                collectClasses(((ArrayType) type).getComponentType(), found);
                break;
            case DECLARED:
                TypeMirror erased = types.erasure(type);
                if (found.putIfAbsent(erased.toString(), erased) == null) {
                    ((DeclaredType) type).getTypeArguments().forEach(a -> collectClasses(a, found));
                }
                break;
            case TYPEVAR:
                collectClasses(types.erasure(type), found);
                break;
            case WILDCARD:
                WildcardType wildcard = (WildcardType) type;
                if (wildcard.getExtendsBound() != null) {
                    collectClasses(wildcard.getExtendsBound(), found);
                }
                break;
            case INTERSECTION:
                ((IntersectionType) type).getBounds().forEach(b -> collectClasses(b, found));
                break;
            default:
                break; // primitives and void
        }
    }

    /** The deprecation warnings class literals of these types raise (raw literals raise none). */
    private Set<String> deprecationsOf(List<TypeMirror> types) {
        Set<String> lint = lintOf(types, List.of());
        lint.retainAll(Set.of("deprecation", "removal"));
        return lint;
    }

    /** What the method's parameter and result types and its type parameters' bounds raise. */
    private Set<String> lintOf(ExecutableElement method) {
        List<TypeMirror> signature = new ArrayList<>();
        method.getParameters().forEach(p -> signature.add(p.asType()));
        signature.add(method.getReturnType());
        return lintOf(signature, method.getTypeParameters());
    }

    private Set<String> lintOf(
            TypeMirror type, List<? extends TypeParameterElement> typeParameters) {
        return lintOf(List.of(type), typeParameters);
    }

    /**
     * The javac warnings that writing {@code types} and declaring {@code typeParameters} would
     * raise in generated code: {@code rawtypes} for a raw generic type, {@code deprecation} or
     * {@code removal} for a deprecated one.
     */
    private Set<String> lintOf(
            List<TypeMirror> types, List<? extends TypeParameterElement> typeParameters) {
        Set<String> lint = new TreeSet<>();
        types.forEach(t -> scan(t, lint));
        typeParameters.forEach(p -> p.getBounds().forEach(b -> scan(b, lint)));
        return lint;
    }

    private void scan(TypeMirror type, Set<String> lint) {
        switch (type.getKind()) {
            case ARRAY:
                scan(((ArrayType) type).getComponentType(), lint);
                break;
            case DECLARED:
                DeclaredType declared = (DeclaredType) type;
                TypeElement element = (TypeElement) declared.asElement();
                if (!element.getTypeParameters().isEmpty()
                        && declared.getTypeArguments().isEmpty()) {
                    lint.add("rawtypes");
                }
                if (elements.isDeprecated(element)) {
                    Deprecated deprecated = element.getAnnotation(Deprecated.class);
                    lint.add(
                            deprecated != null && deprecated.forRemoval()
                                    ? "removal"
                                    : "deprecation");
                }
                declared.getTypeArguments().forEach(a -> scan(a, lint));
                scan(declared.getEnclosingType(), lint);
                break;
            case WILDCARD:
                WildcardType wildcard = (WildcardType) type;
                if (wildcard.getExtendsBound() != null) {
                    scan(wildcard.getExtendsBound(), lint);
                }
                if (wildcard.getSuperBound() != null) {
                    scan(wildcard.getSuperBound(), lint);
                }
                break;
            case INTERSECTION:
                ((IntersectionType) type).getBounds().forEach(b -> scan(b, lint));
                break;
            default:
                break; // primitives, void, type variables (their bounds are scanned where declared)
        }
    }

    /** The annotation's values, defaults included, by name. */
    Map<String, Object> annotationValues(ExecutableElement method) {
        AnnotationMirror mirror = parallelTaskMirror(method);
        return elements.getElementValuesWithDefaults(mirror).entrySet().stream()
                .collect(
                        Collectors.toMap(
                                e -> e.getKey().getSimpleName().toString(),
                                e -> ((AnnotationValue) e.getValue()).getValue()));
    }

    static AnnotationMirror parallelTaskMirror(ExecutableElement method) {
        return Annotations.find(method, RuntimeNames.PARALLEL_TASK)
                .orElseThrow(() -> new AssertionError("no @ParallelTask on " + method));
    }

    /** {@code Outer.Inner} for a nested class, {@code Primes} for a top-level one. */
    static String simpleNestedName(TypeElement type) {
        return String.join(".", ClassName.get(type).simpleNames());
    }

    /**
     * The parameter types: for messages as the source names them, without type arguments ({@code
     * T}, {@code List}); for javadoc links erased and qualified, as javadoc wants them.
     */
    private String parameterList(ExecutableElement method, boolean forMessages) {
        return method.getParameters().stream()
                .map(
                        p ->
                                forMessages
                                        ? typeName(p.asType(), true)
                                        : typeName(types.erasure(p.asType()), false))
                .collect(Collectors.joining(", "));
    }

    private String typeName(TypeMirror type, boolean simple) {
        if (type.getKind() == TypeKind.ARRAY) {
            return typeName(((ArrayType) type).getComponentType(), simple) + "[]";
        }
        if (type.getKind() == TypeKind.DECLARED) {
            TypeElement e = (TypeElement) ((DeclaredType) type).asElement();
            return simple ? simpleNestedName(e) : e.getQualifiedName().toString();
        }
        return type.toString(); // primitives, and type variables by name
    }

    private boolean isReifiable(TypeMirror type) {
        switch (type.getKind()) {
            case TYPEVAR:
                return false;
            case ARRAY:
                return isReifiable(((ArrayType) type).getComponentType());
            case DECLARED:
                return ((DeclaredType) type)
                        .getTypeArguments().stream()
                                .allMatch(
                                        a ->
                                                a.getKind() == TypeKind.WILDCARD
                                                        && ((javax.lang.model.type.WildcardType) a)
                                                                        .getExtendsBound()
                                                                == null
                                                        && ((javax.lang.model.type.WildcardType) a)
                                                                        .getSuperBound()
                                                                == null);
            default:
                return true;
        }
    }
}
