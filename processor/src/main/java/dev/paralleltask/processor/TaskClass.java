package dev.paralleltask.processor;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeVariableName;
import java.util.List;
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
 */
record TaskClass(
        TypeElement element,
        ClassName className,
        ClassName proxyName,
        boolean isPublic,
        List<TypeVariableName> typeVariables,
        TypeName targetType,
        boolean rawTargetCast,
        List<TaskMethod> methods) {

    boolean hasInstanceMethods() {
        return methods.stream().anyMatch(m -> !m.isStatic());
    }
}
