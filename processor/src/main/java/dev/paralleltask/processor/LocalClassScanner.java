package dev.paralleltask.processor;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import java.util.Set;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/**
 * Reports {@code @ParallelTask} methods of local and anonymous classes. javac never shows such
 * classes to processors, so they are found in the source trees; where the compiler has no trees
 * (not javac), nothing is reported and the annotation is simply ignored there.
 */
final class LocalClassScanner {
    private final Trees trees;

    private LocalClassScanner(Trees trees) {
        this.trees = trees;
    }

    static LocalClassScanner create(ProcessingEnvironment env) {
        try {
            return new LocalClassScanner(Trees.instance(env));
        } catch (IllegalArgumentException | LinkageError e) {
            return new LocalClassScanner(null); // not javac
        }
    }

    /** Scans the sources of this round's root elements. */
    void scan(Set<? extends Element> roots) {
        if (trees == null) {
            return;
        }
        for (Element root : roots) {
            TreePath path = trees.getPath(root);
            if (path != null && path.getLeaf().getKind() != Tree.Kind.COMPILATION_UNIT) {
                new Scanner(path.getCompilationUnit()).scan(path, null);
            }
        }
    }

    private final class Scanner extends TreePathScanner<Void, Void> {
        private final CompilationUnitTree unit;

        Scanner(CompilationUnitTree unit) {
            this.unit = unit;
        }

        @Override
        public Void visitClass(ClassTree tree, Void unused) {
            Tree parent = getCurrentPath().getParentPath().getLeaf();
            boolean member = parent instanceof ClassTree || parent instanceof CompilationUnitTree;
            if (!member) {
                String what =
                        parent.getKind() == Tree.Kind.NEW_CLASS
                                ? "an anonymous class"
                                : "local class " + tree.getSimpleName();
                for (Tree m : tree.getMembers()) {
                    if (m instanceof MethodTree method && isAnnotated(method)) {
                        trees.printMessage(
                                Diagnostic.Kind.ERROR,
                                "[ParallelTaskLocalClass] @ParallelTask method "
                                        + method.getName()
                                        + " is in "
                                        + what
                                        + ", which a worker cannot create; move it to a top-level or static nested class",
                                method,
                                unit);
                    }
                }
            }
            return super.visitClass(tree, unused);
        }

        private boolean isAnnotated(MethodTree method) {
            for (AnnotationTree a : method.getModifiers().getAnnotations()) {
                String name = a.getAnnotationType().toString();
                if (name.equals("ParallelTask") || name.equals(RuntimeNames.PARALLEL_TASK)) {
                    return true;
                }
            }
            return false;
        }
    }
}
