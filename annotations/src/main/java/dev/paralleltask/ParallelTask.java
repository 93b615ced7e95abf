package dev.paralleltask;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method to be run in a pool of child JVMs through a generated proxy.
 *
 * <p>For a class {@code com.acme.Primes} with annotated methods, the paralleltask annotation
 * processor writes {@code com.acme.PrimesTasks}: one method per annotated method, with the same
 * name, type parameters and parameters, returning a {@code TaskFuture} of the boxed result.
 *
 * <ul>
 *   <li>The method must not be private or abstract, and its class must not be local, anonymous or a
 *       non-static inner class.
 *   <li>An instance method needs a {@link java.io.Serializable} class: the object is carried to the
 *       worker with each call.
 *   <li>Parameters and the result travel between processes, so a type that can never be serialized
 *       (such as {@code Thread} or {@code InputStream}) is a compile error.
 * </ul>
 *
 * <pre>{@code
 * public class Primes {
 *     @ParallelTask(timeoutMillis = 5_000)
 *     public static long count(int from, int to) { ... }
 * }
 *
 * try (ProcessPool pool = ProcessPool.builder().workers(4).build()) {
 *     long n = new PrimesTasks(pool).count(0, 10_000_000).get();
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface ParallelTask {
    /**
     * How long one run of the call may take, in milliseconds, measured from when a worker starts
     * it. Past it the worker is killed and replaced, and the call fails with {@code
     * TaskTimeoutException}. 0 (the default) means the executor's default timeout, which is none
     * unless the pool sets one.
     */
    long timeoutMillis() default 0;

    /**
     * How many times a call is run again after the worker running it died (crashed, was killed, or
     * ran out of memory). A call whose task threw an exception is never re-run.
     */
    int retries() default 0;
}
