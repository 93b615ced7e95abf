package dev.paralleltask.processor;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeVariableName;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.TypeElement;

/**
 * A class with {@code @ParallelTask} methods, as the proxy writer needs it.
 *
 * @param element the class
 * @param className its name
 * @param proxyName the proxy's name
 * @param isPublic whether the proxy is public (it is when the class is)
 * @param typeVariables the class's type parameters, which the proxy repeats
 * @param targetType the class with its type parameters, the proxy's target type
 * @param rawTargetCast whether casting the target needs a raw type
 * @param lint the javac warnings the class's type parameters and type raise where the proxy repeats
 *     them (it does only when it has a target), for the proxy to suppress
 */
record TaskClass(
        TypeElement element,
        ClassName className,
        ClassName proxyName,
        boolean isPublic,
        List<TypeVariableName> typeVariables,
        TypeName targetType,
        boolean rawTargetCast,
        List<TaskMethod> methods,
        Set<String> lint) {

    boolean hasInstanceMethods() {
        return methods.stream().anyMatch(m -> !m.isStatic());
    }

    /**
     * The type parameters the proxy declares: the class's when it has a target of the class's type,
     * none when all its tasks are static (so {@code new ImmutableSetTasks(pool)} is not a raw
     * type).
     */
    List<TypeVariableName> proxyTypeVariables() {
        return hasInstanceMethods() ? typeVariables : List.of();
    }
}
