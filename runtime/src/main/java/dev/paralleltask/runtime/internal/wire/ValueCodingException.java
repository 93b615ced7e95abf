package dev.paralleltask.runtime.internal.wire;

/** A value of a call could not be encoded or decoded; {@link #position()} says which. */
public final class ValueCodingException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The position of the target object of an instance method. */
    public static final int TARGET = -1;

    /** The position of a call's result. */
    public static final int RESULT = -2;

    private final int position;

    public ValueCodingException(int position, Throwable cause) {
        super(cause.toString(), cause);
        this.position = position;
    }

    /** {@link #TARGET}, {@link #RESULT}, or the index of the argument. */
    public int position() {
        return position;
    }
}
