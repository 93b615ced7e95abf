package dev.paralleltask.processor;

import com.palantir.javapoet.ClassName;
import javax.lang.model.element.TypeElement;

/** The names of what the processor generates; the only place that computes them. */
final class GeneratedNames {
    private GeneratedNames() {}

    /**
     * {@code com.acme.Primes} -> {@code com.acme.PrimesTasks}; {@code Outer.Inner} -> {@code
     * Outer_InnerTasks}.
     */
    static ClassName proxyOf(TypeElement taskClass) {
        ClassName name = ClassName.get(taskClass);
        return ClassName.get(name.packageName(), String.join("_", name.simpleNames()) + "Tasks");
    }

    /** The proxy's nested class that runs methods by index in a worker. */
    static ClassName invokerOf(ClassName proxy) {
        return proxy.nestedClass("Invoker");
    }

    /** The constant describing a method: {@code countPrimes} -> {@code COUNT_PRIMES}. */
    static String constantOf(String methodName) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < methodName.length(); i++) {
            char c = methodName.charAt(i);
            if (Character.isUpperCase(c)
                    && i > 0
                    && !Character.isUpperCase(methodName.charAt(i - 1))) {
                s.append('_');
            }
            s.append(Character.toUpperCase(c));
        }
        return s.toString();
    }
}
