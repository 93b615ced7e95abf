package dev.paralleltask.processor;

import com.palantir.javapoet.TypeName;

/**
 * A parameter of a task method.
 *
 * @param name its source name
 * @param type its declared type, for the proxy method
 * @param castType the type the invoker casts the decoded argument to: the erasure, or null when
 *     that is {@code Object} and no cast is needed
 */
record TaskParameter(String name, TypeName type, TypeName castType) {}
