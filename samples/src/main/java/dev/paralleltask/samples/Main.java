package dev.paralleltask.samples;

/** Runs a sample by name: {@code primes} (the default), {@code tour} or {@code pipeline}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        String sample = args.length == 0 ? "primes" : args[0];
        switch (sample) {
            case "primes":
                PrimesDemo.main(new String[0]);
                break;
            case "tour":
                IsolationTour.main(new String[0]);
                break;
            case "pipeline":
                Pipeline.main(new String[0]);
                break;
            default:
                System.err.println(
                        "unknown sample '" + sample + "'; choose primes, tour or pipeline");
                System.exit(2);
        }
    }
}
