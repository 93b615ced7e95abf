package dev.paralleltask.processor;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import javax.lang.model.element.Modifier;

/** Writes the proxy of one {@link TaskClass}, with its nested invoker. */
final class ProxyWriter {
    private final boolean generatedAvailable;

    /**
     * @param generatedAvailable whether the user's code can see {@code
     *     javax.annotation.processing.Generated}
     */
    ProxyWriter(boolean generatedAvailable) {
        this.generatedAvailable = generatedAvailable;
    }

    JavaFile writeProxy(TaskClass taskClass) {
        // public final class PrimesTasks {
        //     private static final TaskInvoker INVOKER = new Invoker();
        //     private static final TaskMethod COUNT = new TaskMethod(INVOKER, 0, "Primes.count(int,
        // int)", ...);
        //     private final TaskExecutor executor;
        //     public PrimesTasks(TaskExecutor executor) { ... }
        //     public TaskFuture<Long> count(int from, int to) { ... }
        //     public static final class Invoker implements TaskInvoker { ... }
        // }
        TypeSpec.Builder proxy =
                TypeSpec.classBuilder(taskClass.proxyName())
                        .addOriginatingElement(taskClass.element())
                        .addModifiers(Modifier.FINAL)
                        .addTypeVariables(taskClass.proxyTypeVariables())
                        .addJavadoc(
                                "Runs the {@code @ParallelTask} methods of {@link $T} on a {@link $T}.\n\n"
                                        + "<p>Each method returns at once with a {@link $T}; the call runs where the executor runs it:\n"
                                        + "in a child JVM for a {@code ProcessPool}, on a thread for a {@code ThreadPool}.\n",
                                taskClass.className(),
                                RuntimeNames.TASK_EXECUTOR,
                                RuntimeNames.TASK_FUTURE);
        if (taskClass.isPublic()) {
            proxy.addModifiers(Modifier.PUBLIC);
        }
        if (taskClass.hasInstanceMethods() && !taskClass.lint().isEmpty()) {
            proxy.addAnnotation(suppress(taskClass.lint())); // its type parameters and target
        }
        if (generatedAvailable) {
            proxy.addAnnotation(
                    AnnotationSpec.builder(ClassName.bestGuess(RuntimeNames.GENERATED))
                            .addMember("value", "$S", ParallelTaskProcessor.class.getName())
                            .build());
        }
        proxy.addField(
                FieldSpec.builder(
                                RuntimeNames.TASK_INVOKER,
                                "INVOKER",
                                Modifier.PRIVATE,
                                Modifier.STATIC,
                                Modifier.FINAL)
                        .initializer("new $T()", invokerName(taskClass))
                        .build());
        for (TaskMethod method : taskClass.methods()) {
            proxy.addField(methodConstant(method));
        }
        proxy.addStaticBlock(openToTheRuntime(taskClass));
        proxy.addField(RuntimeNames.TASK_EXECUTOR, "executor", Modifier.PRIVATE, Modifier.FINAL);
        if (taskClass.hasInstanceMethods()) {
            proxy.addField(taskClass.targetType(), "target", Modifier.PRIVATE, Modifier.FINAL);
        }
        proxy.addMethod(constructor(taskClass));
        if (taskClass.hasInstanceMethods()) {
            proxy.addMethod(actorConstructor(taskClass, RuntimeNames.ACTOR, "actor"));
            proxy.addMethod(actorConstructor(taskClass, RuntimeNames.ACTOR_POOL, "actors"));
        }
        for (TaskMethod method : taskClass.methods()) {
            proxy.addMethod(proxyMethod(taskClass, method));
        }
        proxy.addType(invoker(taskClass));
        return JavaFile.builder(taskClass.proxyName().packageName(), proxy.build())
                .skipJavaLangImports(true)
                .indent("    ")
                .build();
    }

    /**
     * In a named module, the proxy opens the module's packages to the runtime, as {@code opens ...
     * to dev.paralleltask.runtime} would: the runtime rebuilds the module's values (records,
     * serializable classes) and loads its invokers by reflection. Only code of a module may open
     * its packages at run time, hence here; in the unnamed module it does nothing.
     */
    private static CodeBlock openToTheRuntime(TaskClass taskClass) {
        // static {
        //     Module module = PrimesTasks.class.getModule();
        //     if (module.isNamed()) {
        //         for (String p : module.getPackages()) {
        //             module.addOpens(p, TaskExecutor.class.getModule());
        //         }
        //     }
        // }
        return CodeBlock.builder()
                .addStatement(
                        "$T module = $T.class.getModule()", Module.class, taskClass.proxyName())
                .beginControlFlow("if (module.isNamed())")
                .beginControlFlow("for ($T p : module.getPackages())", String.class)
                .addStatement(
                        "module.addOpens(p, $T.class.getModule())", RuntimeNames.TASK_EXECUTOR)
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    private static ClassName invokerName(TaskClass taskClass) {
        return GeneratedNames.invokerOf(taskClass.proxyName());
    }

    private FieldSpec methodConstant(TaskMethod method) {
        // private static final TaskMethod COUNT =
        //         new TaskMethod(INVOKER, 0, "Primes.count(int, int)", List.of("from", "to"),
        // 5000L, 0);
        CodeBlock names =
                method.parameters().stream()
                        .map(p -> CodeBlock.of("$S", p.name()))
                        .collect(CodeBlock.joining(", "));
        CodeBlock answerTypes =
                method.answerTypes().stream()
                        .map(t -> CodeBlock.of("$T.class", t))
                        .collect(CodeBlock.joining(", "));
        FieldSpec.Builder constant =
                FieldSpec.builder(
                                RuntimeNames.TASK_METHOD,
                                method.constant(),
                                Modifier.PRIVATE,
                                Modifier.STATIC,
                                Modifier.FINAL)
                        .initializer(
                                "new $T(INVOKER, $L, $S, $T.of($L), $LL, $L, $T.of($L))",
                                RuntimeNames.TASK_METHOD,
                                method.index(),
                                method.displayName(),
                                List.class,
                                names,
                                method.timeoutMillis(),
                                method.retries(),
                                List.class,
                                answerTypes);
        if (!method.answerLint().isEmpty()) {
            constant.addAnnotation(suppress(method.answerLint()));
        }
        return constant.build();
    }

    private MethodSpec constructor(TaskClass taskClass) {
        // public PrimesTasks(TaskExecutor executor[, Primes target]) {
        //     this.executor = Objects.requireNonNull(executor, "executor");
        //     [this.target = Objects.requireNonNull(target, "target");]
        // }
        MethodSpec.Builder constructor =
                MethodSpec.constructorBuilder()
                        .addParameter(RuntimeNames.TASK_EXECUTOR, "executor")
                        .addStatement(
                                "this.executor = $T.requireNonNull(executor, $S)",
                                Objects.class,
                                "executor");
        if (taskClass.isPublic()) {
            constructor.addModifiers(Modifier.PUBLIC);
        }
        if (taskClass.hasInstanceMethods()) {
            constructor
                    .addParameter(taskClass.targetType(), "target")
                    .addStatement(
                            "this.target = $T.requireNonNull(target, $S)", Objects.class, "target")
                    .addJavadoc(
                            "Runs the tasks of {@code target} on {@code executor}: the object is sent with each call,\n"
                                    + "as it is when the call is made.\n");
        } else {
            constructor.addJavadoc("Runs the tasks on {@code executor}.\n");
        }
        return constructor.build();
    }

    private static MethodSpec actorConstructor(
            TaskClass taskClass, ClassName actorType, String parameter) {
        // public CounterTasks(Actor<Counter> actor) {
        //     this.executor = ActorCalls.executor(actor);
        //     this.target = null;
        // }
        boolean pool = actorType.equals(RuntimeNames.ACTOR_POOL);
        MethodSpec.Builder constructor =
                MethodSpec.constructorBuilder()
                        .addParameter(
                                ParameterizedTypeName.get(actorType, taskClass.targetType()),
                                parameter)
                        .addStatement(
                                "this.executor = $T.executor($N)",
                                RuntimeNames.ACTOR_CALLS,
                                parameter)
                        .addStatement("this.target = null")
                        .addJavadoc(
                                pool
                                        ? "Runs each call on the actor of {@code actors} with the fewest calls outstanding.\n"
                                        : "Runs the calls on the object that lives in {@code actor}, in the order made: each sees\n"
                                                + "what the earlier ones did to it.\n");
        if (taskClass.isPublic()) {
            constructor.addModifiers(Modifier.PUBLIC);
        }
        return constructor.build();
    }

    private MethodSpec proxyMethod(TaskClass taskClass, TaskMethod method) {
        // public TaskFuture<Long> count(int from, int to) {
        //     return this.executor.submit(PrimesTasks.COUNT, null, new Object[] {from, to});
        // }
        MethodSpec.Builder proxy =
                MethodSpec.methodBuilder(method.name())
                        .addTypeVariables(method.typeVariables())
                        .returns(
                                ParameterizedTypeName.get(
                                        RuntimeNames.TASK_FUTURE, method.resultType()))
                        .varargs(method.varargs())
                        .addJavadoc(javadoc(taskClass, method));
        if (method.isPublic()) {
            proxy.addModifiers(Modifier.PUBLIC);
        }
        for (TaskParameter p : method.parameters()) {
            proxy.addParameter(ParameterSpec.builder(p.type(), p.name()).build());
        }
        Set<String> suppressed = new TreeSet<>(method.lint());
        if (hasOverloadOfSameArity(taskClass, method)) {
            // Overloads that take different lambdas in one position are as ambiguous to callers of
            // the proxy as to callers of the method: javac's warning belongs to the user's code.
            suppressed.add("overloads");
        }
        if (method.genericVarargs()) {
            // The proxy hands the array to the method as it is, so it is exactly as safe as calling
            // the method directly: @SafeVarargs when the method says so, the same warning
            // otherwise.
            if (method.safeVarargs()) {
                proxy.addModifiers(Modifier.FINAL).addAnnotation(SafeVarargs.class);
                suppressed.add("varargs");
            } else {
                suppressed.add("unchecked");
            }
        }
        if (!suppressed.isEmpty()) {
            proxy.addAnnotation(suppress(suppressed));
        }
        if (method.deprecated()) {
            proxy.addAnnotation(Deprecated.class);
        }
        CodeBlock args =
                method.parameters().stream()
                        .map(p -> CodeBlock.of("$N", p.name()))
                        .collect(CodeBlock.joining(", "));
        proxy.addStatement(
                "return this.executor.submit($T.$N, $L, new $T[] {$L})",
                taskClass.proxyName(),
                method.constant(),
                method.isStatic() ? "null" : "this.target",
                Object.class,
                args);
        return proxy.build();
    }

    private static CodeBlock javadoc(TaskClass taskClass, TaskMethod method) {
        // Counts the primes in [from, to).
        //
        // <p>Runs {@link Primes#count(int, int)} on the executor.
        // Timeout: 5000 ms. Run again up to 2 times if its worker dies under it.
        //
        // @return the future of the call: ...
        CodeBlock.Builder doc = CodeBlock.builder();
        if (!method.summary().isEmpty()) {
            doc.add("$L\n\n<p>", method.summary());
        }
        doc.add(
                "Runs {@link $T#$L} on the executor.\n",
                taskClass.className(),
                method.javadocLink());
        doc.add(
                method.timeoutMillis() > 0
                        ? "Timeout: " + method.timeoutMillis() + " ms."
                        : "Timeout: the executor's default.");
        if (method.retries() > 0) {
            doc.add(
                    " Run again up to $L $L if its worker dies under it.",
                    method.retries(),
                    method.retries() == 1 ? "time" : "times");
        }
        return doc.add(
                        "\n\n@return the future of the call: its result, or what the method threw, or"
                                + " why the call failed\n")
                .build();
    }

    private static boolean hasOverloadOfSameArity(TaskClass taskClass, TaskMethod method) {
        return taskClass.methods().stream()
                .anyMatch(
                        m ->
                                m != method
                                        && m.name().equals(method.name())
                                        && m.parameters().size() == method.parameters().size());
    }

    private TypeSpec invoker(TaskClass taskClass) {
        // public static final class Invoker implements TaskInvoker {
        //     @Override
        //     public Object invoke(int method, Object target, Object[] args) throws Throwable {
        //         switch (method) {
        //             case 0:
        //                 return Primes.count((int) args[0], (int) args[1]);
        //             ...
        //         }
        //     }
        // }
        CodeBlock.Builder body = CodeBlock.builder().beginControlFlow("switch (method)");
        boolean unchecked = false;
        boolean deprecated = false;
        for (TaskMethod method : taskClass.methods()) {
            unchecked |= method.needsUncheckedCasts();
            deprecated |= method.deprecated();
            body.add("case $L:\n", method.index()).indent();
            CodeBlock call =
                    CodeBlock.of(
                            "$L.$N($L)",
                            receiver(taskClass, method),
                            method.name(),
                            arguments(method));
            if (method.returnsVoid()) {
                body.addStatement("$L", call).addStatement("return null");
            } else {
                body.addStatement("return $L", call);
            }
            body.unindent();
        }
        body.add("default:\n")
                .indent()
                .addStatement(
                        "throw new $T($S + method)",
                        IllegalArgumentException.class,
                        "no @ParallelTask method of "
                                + taskClass.className().canonicalName()
                                + " has index ")
                .unindent()
                .endControlFlow();
        MethodSpec.Builder invoke =
                MethodSpec.methodBuilder("invoke")
                        .addAnnotation(Override.class)
                        .addModifiers(Modifier.PUBLIC)
                        .returns(Object.class)
                        .addParameter(int.class, "method")
                        .addParameter(Object.class, "target")
                        .addParameter(Object[].class, "args")
                        .addException(Throwable.class)
                        .addCode(body.build());
        Set<String> suppressed = new TreeSet<>();
        taskClass.methods().forEach(m -> suppressed.addAll(m.lint())); // the casts name the types
        if (deprecated) {
            suppressed.add("deprecation");
        }
        if (unchecked) {
            suppressed.add("rawtypes"); // arguments arrive as Object: casts go to the erasure
            suppressed.add("unchecked");
        }
        if (!suppressed.isEmpty()) {
            invoke.addAnnotation(suppress(suppressed));
        }
        return TypeSpec.classBuilder(invokerName(taskClass))
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addSuperinterface(RuntimeNames.TASK_INVOKER)
                .addJavadoc(
                        "Runs the methods of {@link $T} by index in a worker; used by the runtime, not API.\n",
                        taskClass.className())
                .addMethod(invoke.build())
                .build();
    }

    /** {@code @SuppressWarnings("a")} or {@code @SuppressWarnings({"a", "b"})}. */
    private static AnnotationSpec suppress(Set<String> warnings) {
        CodeBlock names =
                warnings.stream()
                        .map(w -> CodeBlock.of("$S", w))
                        .collect(
                                CodeBlock.joining(
                                        ", ",
                                        warnings.size() == 1 ? "" : "{",
                                        warnings.size() == 1 ? "" : "}"));
        return AnnotationSpec.builder(SuppressWarnings.class).addMember("value", names).build();
    }

    private static CodeBlock receiver(TaskClass taskClass, TaskMethod method) {
        if (method.isStatic()) {
            return CodeBlock.of("$T", taskClass.className());
        }
        return CodeBlock.of("(($T) target)", taskClass.className());
    }

    private static CodeBlock arguments(TaskMethod method) {
        List<CodeBlock> args = new ArrayList<>();
        List<TaskParameter> parameters = method.parameters();
        for (int i = 0; i < parameters.size(); i++) {
            TypeName cast = parameters.get(i).castType();
            args.add(
                    cast == null
                            ? CodeBlock.of("args[$L]", i)
                            : CodeBlock.of("($T) args[$L]", cast, i));
        }
        return CodeBlock.join(args, ", ");
    }
}
