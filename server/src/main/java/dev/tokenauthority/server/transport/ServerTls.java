package dev.tokenauthority.server.transport;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.ServerConfig.TlsClientAuth;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS material, read once at start from the PEM files of {@code --tls-cert},
 * {@code --tls-key} and {@code --tls-client-ca} (BouncyCastle's PEMParser: PKCS#8, PKCS#1
 * and SEC1 keys, as openssl writes them), and checked before anything listens: the files are
 * readable, the key belongs to the certificate, and the certificate is valid now (an expired or
 * not yet valid certificate is refused: every client would refuse it anyway). A problem is an
 * {@link InvalidTlsFiles} with a one-line message naming the flag and the file.
 *
 * <p>It configures both listeners the same way: TLS 1.3 and 1.2 only (1.3 preferred), and,
 * with client auth, the client CA bundle as the only trust anchors for client certificates.
 * The files are not watched: a renewed certificate takes effect on restart.
 */
public final class ServerTls {
  private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
  /** The protocols both listeners accept, most preferred first. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  /** A certificate expiring sooner than this is logged as a warning at start. */
  static final Duration EXPIRY_WARNING = Duration.ofDays(14);

  /** A TLS file that is missing, unreadable, malformed, mismatched or expired: a usage error. */
  public static final class InvalidTlsFiles extends IllegalArgumentException {
    InvalidTlsFiles(String message) {
      super(message);
    }
  }

  private final PrivateKey key;
  private final X509Certificate[] chain;
  private final X509Certificate[] clientCas;
  private final TlsClientAuth clientAuth;

  private ServerTls(PrivateKey key, X509Certificate[] chain, X509Certificate[] clientCas, TlsClientAuth clientAuth) {
    this.key = key;
    this.chain = chain;
    this.clientCas = clientCas;
    this.clientAuth = clientAuth;
  }

  /** The TLS material of {@code config}, checked at {@code clock}'s now; null when it serves plaintext. */
  public static ServerTls load(ServerConfig config, Clock clock) {
    if (!config.tlsEnabled()) {
      return null;
    }
    List<X509Certificate> chain = certificates("--tls-cert", config.tlsCert());
    PrivateKey key = privateKey(config.tlsKey());
    X509Certificate leaf = chain.get(0);
    if (!belongsTo(key, leaf)) {
      throw new InvalidTlsFiles("--tls-key " + config.tlsKey() + " is not the private key of the certificate in --tls-cert "
          + config.tlsCert() + " (" + subject(leaf) + ")");
    }
    Instant now = clock.instant();
    try {
      leaf.checkValidity(Date.from(now));
    } catch (CertificateExpiredException e) {
      throw new InvalidTlsFiles("the certificate in --tls-cert " + config.tlsCert() + " (" + subject(leaf)
          + ") expired at " + leaf.getNotAfter().toInstant() + ": renew it; clients refuse an expired certificate");
    } catch (CertificateNotYetValidException e) {
      throw new InvalidTlsFiles("the certificate in --tls-cert " + config.tlsCert() + " (" + subject(leaf)
          + ") is not valid before " + leaf.getNotBefore().toInstant() + " (check this machine's clock)");
    }
    if (leaf.getNotAfter().toInstant().isBefore(now.plus(EXPIRY_WARNING))) {
      LOG.warn("The TLS certificate " + subject(leaf) + " expires at " + leaf.getNotAfter().toInstant()
          + "; renew it and restart the server");
    }
    List<X509Certificate> cas = config.tlsClientCa() == null ? List.of()
        : certificates("--tls-client-ca", config.tlsClientCa());
    return new ServerTls(key, chain.toArray(X509Certificate[]::new), cas.toArray(X509Certificate[]::new),
        config.tlsClientAuth());
  }

  /** The gRPC port's TLS (grpc-netty-shaded: ALPN h2 and gRPC's cipher suites, via GrpcSslContexts). */
  public SslContext grpcContext() {
    SslContextBuilder builder = GrpcSslContexts.configure(SslContextBuilder.forServer(key, chain))
        .protocols(PROTOCOLS);
    if (clientAuth != TlsClientAuth.NONE) {
      builder.trustManager(clientCas).clientAuth(clientAuth == TlsClientAuth.REQUIRE ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
    }
    try {
      return builder.build();
    } catch (SSLException e) {
      throw new InvalidTlsFiles("cannot serve TLS with --tls-cert and --tls-key: " + e.getMessage());
    }
  }

  /** The REST gateway's HTTPS: the same certificate, protocols and client auth, on the JDK's TLS. */
  public HttpsConfigurator httpsConfigurator() {
    SSLContext context = jdkContext();
    return new HttpsConfigurator(context) {
      @Override
      public void configure(HttpsParameters parameters) {
        SSLParameters ssl = context.getDefaultSSLParameters();
        ssl.setProtocols(PROTOCOLS.toArray(String[]::new));
        if (clientAuth == TlsClientAuth.REQUIRE) {
          ssl.setNeedClientAuth(true);
        } else if (clientAuth == TlsClientAuth.OPTIONAL) {
          ssl.setWantClientAuth(true);
        }
        parameters.setSSLParameters(ssl);
      }
    };
  }

  private SSLContext jdkContext() {
    try {
      char[] password = new char[32];
      SecureRandom random = new SecureRandom();
      for (int i = 0; i < password.length; i++) {
        password[i] = (char) ('a' + random.nextInt(26)); // an in-memory store's password, never kept
      }
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("server", key, password, chain);
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, password);
      TrustManager[] trustManagers = null;
      if (clientAuth != TlsClientAuth.NONE) {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        for (int i = 0; i < clientCas.length; i++) {
          trusted.setCertificateEntry("client-ca-" + i, clientCas[i]);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        trustManagers = factory.getTrustManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), trustManagers, null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new InvalidTlsFiles("cannot serve HTTPS with --tls-cert and --tls-key: " + e.getMessage());
    }
  }

  private static List<X509Certificate> certificates(String flag, Path file) {
    List<X509Certificate> certificates = new ArrayList<>();
    try (PEMParser parser = new PEMParser(reader(flag, file))) {
      JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof X509CertificateHolder holder) {
          certificates.add(converter.getCertificate(holder));
        }
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      if (e instanceof InvalidTlsFiles invalid) {
        throw invalid;
      }
      throw new InvalidTlsFiles(flag + " " + file + " is not a PEM certificate file: " + e.getMessage());
    }
    if (certificates.isEmpty()) {
      throw new InvalidTlsFiles(flag + " " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    return certificates;
  }

  private static PrivateKey privateKey(Path file) {
    try (PEMParser parser = new PEMParser(reader("--tls-key", file))) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate(); // PKCS#1 (RSA) or SEC1 (EC)
        }
        if (object instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info); // PKCS#8
        }
        if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new InvalidTlsFiles("--tls-key " + file + " is encrypted; give an unencrypted key "
              + "(openssl pkey -in key.pem -out plain.pem) and protect the file (chmod 600)");
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidTlsFiles invalid) {
        throw invalid;
      }
      throw new InvalidTlsFiles("--tls-key " + file + " is not a PEM private key file: " + e.getMessage());
    }
    throw new InvalidTlsFiles("--tls-key " + file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
  }

  private static Reader reader(String flag, Path file) {
    if (Files.isDirectory(file)) {
      throw new InvalidTlsFiles(flag + " " + file + " cannot be read: it is a directory, not a PEM file");
    }
    try {
      return Files.newBufferedReader(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new InvalidTlsFiles(flag + " " + file + ": no such file");
    } catch (IOException e) {
      throw new InvalidTlsFiles(flag + " " + file + " cannot be read: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
  }

  /** Whether {@code key} is the private half of {@code certificate}'s public key: it signs, the certificate verifies. */
  private static boolean belongsTo(PrivateKey key, X509Certificate certificate) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      throw new InvalidTlsFiles("--tls-key: unsupported key type " + key.getAlgorithm() + " (use RSA, EC or Ed25519)");
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false; // a key of another type or curve than the certificate's
    }
  }

  private static String subject(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName();
  }
}
