package dev.paralleltask.it;

import dev.paralleltask.ParallelTask;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Answers a compromised worker could send: classes no signature names, and ones that are named. */
public final class Untrusted {
    private Untrusted() {}

    /** Stands for a gadget: named by no signature; counts how often the caller built one. */
    public static final class Payload implements Serializable {
        private static final long serialVersionUID = 1L;
        static int built;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            built++;
        }
    }

    public record Point(int x, int y) implements Serializable {}

    /** Named by a signature; holds Points, which no signature names but its fields do. */
    public static final class Shape implements Serializable {
        private static final long serialVersionUID = 1L;
        final Point first;
        final List<Point> rest;

        Shape(Point first, List<Point> rest) {
            this.first = first;
            this.rest = rest;
        }
    }

    @ParallelTask
    public static Object anything() {
        return new Payload();
    }

    @ParallelTask
    public static Serializable serializable() {
        return new Payload();
    }

    /** Declares Points, sends a Payload among them, as heap pollution or a hostile worker would. */
    @ParallelTask
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static List<Point> smuggled() {
        List points = new ArrayList<>(List.of(new Point(1, 2)));
        points.add(new Payload());
        return points;
    }

    @ParallelTask
    public static Object point() {
        return new Point(1, 2);
    }

    @ParallelTask
    public static Shape shape() {
        return new Shape(new Point(1, 2), new ArrayList<>(List.of(new Point(3, 4))));
    }
}
