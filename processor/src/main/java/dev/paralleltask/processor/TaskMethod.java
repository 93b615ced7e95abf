package dev.paralleltask.processor;

import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeVariableName;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.ExecutableElement;

/**
 * One {@code @ParallelTask} method, as the proxy writer needs it.
 *
 * @param element the method
 * @param index its index in the invoker's switch
 * @param constant the name of the proxy's constant describing it
 * @param resultType the boxed result type ({@code Void} for void)
 * @param displayName how runtime messages name it, e.g. {@code Primes.count(int, int)}
 * @param javadocLink the target of a javadoc link to it, e.g. {@code count(int, int)}
 * @param needsUncheckedCasts whether the invoker casts to a raw type to call it
 * @param genericVarargs whether its varargs element type is not reifiable ({@code T...})
 * @param safeVarargs whether it is annotated {@code @SafeVarargs}, which the proxy then repeats
 * @param deprecated whether it or its class is deprecated
 * @param answerTypes the erased classes its result type, type arguments and declared exceptions
 *     name, for the runtime's check of what a worker sends back
 * @param answerLint the javac warnings the class literals of {@code answerTypes} raise
 * @param summary the first sentence of its javadoc, links made plain code; empty if it has none
 * @param lint the javac warnings its signature, copied into the proxy, would raise there ({@code
 *     rawtypes}, {@code deprecation}, {@code removal}), for the proxy to suppress
 */
record TaskMethod(
        ExecutableElement element,
        String name,
        int index,
        String constant,
        boolean isStatic,
        boolean isPublic,
        List<TypeVariableName> typeVariables,
        List<TaskParameter> parameters,
        boolean varargs,
        TypeName resultType,
        boolean returnsVoid,
        long timeoutMillis,
        int retries,
        String displayName,
        String javadocLink,
        boolean needsUncheckedCasts,
        boolean genericVarargs,
        boolean safeVarargs,
        boolean deprecated,
        List<TypeName> answerTypes,
        Set<String> answerLint,
        String summary,
        Set<String> lint) {}
