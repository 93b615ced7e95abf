package dev.paralleltask.cluster.internal;

import dev.paralleltask.cluster.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Why a node refused a client's connection, or a node's join, when the network or TLS is why:
 * Ignite's thin client says only "Channel is closed", a joining node "Multiple connection attempts
 * failed". A connection and a handshake of the JDK's own with the node's port tell an address
 * nothing listens at, a node that speaks TLS to a party that does not (and the other way round), a
 * node whose certificate the party does not trust, and a node that does not trust the party's.
 * Nothing is sent past the handshake.
 */
public final class TlsProbe {
    private static final int TIMEOUT_MILLIS = 3_000;

    private TlsProbe() {}

    /** Who is refused, and what it is told to do. */
    private record Party(String name, String giveTls, String trustStore) {}

    private static final Party CLIENT =
            new Party("this client", "give the client tls(...)", "the client's trust store");
    private static final Party NODE =
            new Party(
                    "this node", "give this node --keystore and --truststore", "its --truststore");

    /** Why the nodes at {@code addresses} refused a client, for each that says; or null. */
    public static String clientRefusal(List<String> addresses, Tls tls) {
        return refusal(addresses, tls, CLIENT);
    }

    /** Why the nodes at {@code join} did not let a node join, for each that says; or null. */
    public static String joinRefusal(List<String> join, Tls tls) {
        return refusal(join, tls, NODE);
    }

    private static String refusal(List<String> addresses, Tls tls, Party party) {
        List<String> reasons = new ArrayList<>();
        for (String address : addresses) {
            String why = refusal(address, tls, party);
            if (why != null) {
                reasons.add(why);
            }
        }
        return reasons.isEmpty() ? null : String.join("; ", reasons);
    }

    private static String refusal(String address, Tls tls, Party party) {
        int colon = address.lastIndexOf(':');
        InetSocketAddress at =
                new InetSocketAddress(
                        address.substring(0, colon),
                        Integer.parseInt(address.substring(colon + 1)));
        Recording trust;
        KeyManager[] keys = null;
        String ours = null;
        try {
            if (tls == null) {
                trust = new Recording(null); // any certificate: only whether it speaks TLS
            } else {
                KeyStore keyStore = load(tls, true);
                KeyManagerFactory kmf =
                        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keyStore, tls.password());
                keys = kmf.getKeyManagers();
                ours = subject(keyStore);
                TrustManagerFactory tmf =
                        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(load(tls, false));
                trust = new Recording((X509TrustManager) tmf.getTrustManagers()[0]);
            }
        } catch (IOException | GeneralSecurityException e) {
            return null; // Tls.of read the stores; Ignite's own reason stands
        }
        boolean ended; // the node ended the connection before the party said anything
        try (Socket plain = new Socket()) {
            try {
                plain.connect(at, TIMEOUT_MILLIS);
            } catch (SocketTimeoutException e) {
                return "nothing answered at "
                        + address
                        + " within "
                        + TIMEOUT_MILLIS
                        + " ms (a wrong host, or a firewall)";
            } catch (IOException e) {
                return "cannot reach "
                        + address
                        + ": "
                        + e.getMessage()
                        + " (is a node running there, with that port?)";
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, new TrustManager[] {trust}, null);
            try (SSLSocket socket =
                    (SSLSocket)
                            context.getSocketFactory()
                                    .createSocket(plain, at.getHostString(), at.getPort(), false)) {
                socket.setSoTimeout(TIMEOUT_MILLIS);
                socket.startHandshake();
                // With TLS 1.3 a node refuses a certificate after the other side's handshake is
                // done: its alert, or its closing, comes on the first read. A node that accepted
                // waits for the party's first message instead.
                ended = socket.getInputStream().read() < 0;
            }
        } catch (SocketTimeoutException e) {
            ended = false; // it accepted the handshake and waits
        } catch (IOException e) {
            ended = true;
        } catch (GeneralSecurityException e) {
            return null;
        }
        if (trust.refused != null) {
            return party.name()
                    + " does not trust the certificate of the node at "
                    + address
                    + " ("
                    + trust.refused
                    + "); add it, or its issuer's, to "
                    + party.trustStore()
                    + " "
                    + tls.trustStore();
        }
        if (ended && trust.seen != null && tls != null) {
            return "the node at "
                    + address
                    + " refused "
                    + party.name()
                    + "'s certificate ("
                    + ours
                    + "); add it, or its issuer's, to the nodes' trust store (--truststore), or"
                    + " give "
                    + party.name()
                    + " a certificate they trust";
        }
        if (tls == null && trust.seen != null) {
            return "the node at "
                    + address
                    + " requires TLS; "
                    + party.giveTls()
                    + " with a certificate the nodes trust (the node's is "
                    + trust.seen
                    + ")";
        }
        if (tls != null && trust.seen == null && ended) {
            return "the node at "
                    + address
                    + " does not speak TLS, and "
                    + party.name()
                    + " was given a key store and trust store: give both or neither";
        }
        return null;
    }

    private static KeyStore load(Tls tls, boolean keys)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys ? tls.keyStore() : tls.trustStore())) {
            store.load(in, tls.password());
        }
        return store;
    }

    private static String subject(KeyStore keys) throws GeneralSecurityException {
        for (String alias : Collections.list(keys.aliases())) {
            if (keys.isKeyEntry(alias) && keys.getCertificate(alias) instanceof X509Certificate c) {
                return c.getSubjectX500Principal().getName();
            }
        }
        return "no certificate";
    }

    /** Trusts as {@code delegate} does (anything, if none), and remembers what it was shown. */
    private static final class Recording implements X509TrustManager {
        private final X509TrustManager delegate;
        volatile String seen;
        volatile String refused;

        Recording(X509TrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType)
                throws CertificateException {
            seen = chain[0].getSubjectX500Principal().getName();
            if (delegate != null) {
                try {
                    delegate.checkServerTrusted(chain, authType);
                } catch (CertificateException e) {
                    refused = seen;
                    throw e;
                }
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("a client's");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate == null ? new X509Certificate[0] : delegate.getAcceptedIssuers();
        }
    }
}
