package dev.paralleltask.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Mutual TLS for a cluster: a key store with this party's key and certificate, and a trust store
 * with the certificates (or their issuer's) of the parties it accepts. Nodes use it between each
 * other and towards clients, and require a trusted certificate from both; a client uses it towards
 * the nodes. Both stores are PKCS #12 files ({@code keytool}'s default) and share one password.
 *
 * <pre>{@code
 * Tls tls = Tls.of(Path.of("node.p12"), Path.of("trust.p12"), password);
 * }</pre>
 */
public final class Tls {
    private final Path keyStore;
    private final Path trustStore;
    private final char[] password;

    private Tls(Path keyStore, Path trustStore, char[] password) {
        this.keyStore = keyStore;
        this.trustStore = trustStore;
        this.password = password;
    }

    /**
     * @throws IllegalArgumentException if a store is not a readable file
     */
    public static Tls of(Path keyStore, Path trustStore, char[] password) {
        Objects.requireNonNull(password, "password");
        return new Tls(
                readable("key store", keyStore),
                readable("trust store", trustStore),
                password.clone());
    }

    private static Path readable(String what, Path path) {
        Objects.requireNonNull(path, what);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new IllegalArgumentException(
                    "the TLS " + what + " " + path.toAbsolutePath() + " is not a readable file");
        }
        return path.toAbsolutePath();
    }

    public Path keyStore() {
        return keyStore;
    }

    public Path trustStore() {
        return trustStore;
    }

    /** A copy of the stores' password. */
    public char[] password() {
        return password.clone();
    }

    @Override
    public String toString() {
        return "Tls[keyStore=" + keyStore + ", trustStore=" + trustStore + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tls t
                && keyStore.equals(t.keyStore)
                && trustStore.equals(t.trustStore)
                && Arrays.equals(password, t.password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyStore, trustStore);
    }
}
