package dev.paralleltask.it;

import dev.paralleltask.ParallelTask;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One @ParallelTask method per signature shape the processor must handle. */
public class Shapes implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String greeting;

    public Shapes(String greeting) {
        this.greeting = greeting;
    }

    public record Point(int x, int y) implements Serializable {}

    public enum Color {
        RED,
        GREEN,
        BLUE
    }

    /** An instance method: the object travels with the call. */
    @ParallelTask
    public String greet(String name) {
        return greeting + ", " + name;
    }

    /** Package-private. */
    @ParallelTask
    static int add(int a, int b) {
        return a + b;
    }

    @ParallelTask
    public static String primitives(
            byte b, short s, char c, int i, long l, float f, double d, boolean z) {
        return b + " " + s + " " + c + " " + i + " " + l + " " + f + " " + d + " " + z;
    }

    @ParallelTask
    public static String boxes(Integer i, Long l, Double d, Boolean z, Character c) {
        return i + " " + l + " " + d + " " + z + " " + c;
    }

    @ParallelTask
    public static void nothing() {}

    @ParallelTask
    public static int[] reverse(int[] xs) {
        int[] r = new int[xs.length];
        for (int i = 0; i < xs.length; i++) {
            r[i] = xs[xs.length - 1 - i];
        }
        return r;
    }

    @ParallelTask
    public static String[][] transpose(String[][] grid) {
        String[][] t = new String[grid[0].length][grid.length];
        for (int i = 0; i < grid.length; i++) {
            for (int j = 0; j < grid[i].length; j++) {
                t[j][i] = grid[i][j];
            }
        }
        return t;
    }

    @ParallelTask
    public static int sum(int... xs) {
        int s = 0;
        for (int x : xs) {
            s += x;
        }
        return s;
    }

    @ParallelTask
    public static String join(String separator, String... parts) {
        return String.join(separator, parts);
    }

    @ParallelTask
    public static String describe(int x) {
        return "int " + x;
    }

    @ParallelTask
    public static String describe(String x) {
        return "String " + x;
    }

    @ParallelTask
    public static String describe(List<Integer> x) {
        return "List " + x;
    }

    @ParallelTask
    public static <T extends Comparable<T>> T max(List<T> xs) {
        return Collections.max(xs);
    }

    @ParallelTask
    public static <K, V> Map<V, K> invert(Map<K, V> map) {
        Map<V, K> inverted = new HashMap<>();
        map.forEach((k, v) -> inverted.put(v, k));
        return inverted;
    }

    @SafeVarargs
    @ParallelTask
    public static <T> List<T> listOf(T... xs) {
        List<T> list = new ArrayList<>();
        for (T x : xs) {
            list.add(x);
        }
        return list;
    }

    @ParallelTask
    public static Point mirror(Point p) {
        return new Point(p.y(), p.x());
    }

    @ParallelTask
    public static Color next(Color c) {
        return Color.values()[(c.ordinal() + 1) % Color.values().length];
    }

    @ParallelTask
    public static String read(String path) throws IOException {
        throw new IOException("cannot read " + path);
    }

    /** Static nested class: its proxy is Shapes_NestedTasks. */
    public static class Nested {
        @ParallelTask
        public static String where() {
            return "nested";
        }

        public static class Deeper {
            @ParallelTask
            public static String where() {
                return "deeper";
            }
        }
    }
}
