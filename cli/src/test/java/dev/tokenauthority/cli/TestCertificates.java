package dev.tokenauthority.cli;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * (A copy of the server tests' testing/TestCertificates: test classes are not shared between modules.)
 * Throwaway certificates for TLS tests, made at run time (EC P-256, BouncyCastle): a CA, and
 * server and client certificates it signs, written as PEM files (keys as unencrypted PKCS#8)
 * in a directory of the test's.
 */
public final class TestCertificates {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A certificate, its key pair, and the PEM files they were written to. */
  public record Issued(X509Certificate certificate, KeyPair keys, Path certFile, Path keyFile) {}

  private final Issued ca;
  private final Path dir;

  private TestCertificates(Issued ca, Path dir) {
    this.ca = ca;
    this.dir = dir;
  }

  /** A new self-signed CA named {@code name}, its files in {@code dir} ({@code <name>-ca.pem}, ...). */
  public static TestCertificates newCa(String name, Path dir) {
    KeyPair keys = keyPair();
    X500Principal subject = new X500Principal("CN=" + name + " test CA,O=Token Authority tests");
    Instant now = Instant.now();
    X509Certificate certificate = sign(subject, keys, subject, keys, now.minus(Duration.ofHours(1)),
        now.plus(Duration.ofDays(1)), true, null, null, null);
    return new TestCertificates(write(certificate, keys, dir, name + "-ca"), dir);
  }

  public Issued ca() {
    return ca;
  }

  /** The CA certificate's PEM file (what clients trust, and the server's --tls-client-ca). */
  public Path caFile() {
    return ca.certFile();
  }

  /** A server certificate for localhost and 127.0.0.1, valid from an hour ago for a day. */
  public Issued server(String fileName) {
    Instant now = Instant.now();
    return issue("CN=localhost,O=Token Authority tests", fileName, now.minus(Duration.ofHours(1)),
        now.plus(Duration.ofDays(1)), KeyPurposeId.id_kp_serverAuth, null);
  }

  /** A server certificate for localhost that expired an hour ago. */
  public Issued expiredServer(String fileName) {
    Instant now = Instant.now();
    return issue("CN=localhost,O=Token Authority tests", fileName, now.minus(Duration.ofDays(2)),
        now.minus(Duration.ofHours(1)), KeyPurposeId.id_kp_serverAuth, null);
  }

  /** A client certificate with subject {@code CN=<commonName>,O=...} and the SAN URI {@code uri} (e.g. a SPIFFE ID). */
  public Issued client(String commonName, String uri) {
    Instant now = Instant.now();
    return issue("CN=" + commonName + ",O=Token Authority tests", commonName, now.minus(Duration.ofHours(1)),
        now.plus(Duration.ofDays(1)), KeyPurposeId.id_kp_clientAuth, uri);
  }

  private Issued issue(String subject, String fileName, Instant notBefore, Instant notAfter, KeyPurposeId purpose,
      String uri) {
    KeyPair keys = keyPair();
    X509Certificate certificate = sign(new X500Principal(subject), keys, ca.certificate().getSubjectX500Principal(),
        ca.keys(), notBefore, notAfter, false, purpose, uri, ca.certificate());
    return write(certificate, keys, dir, fileName);
  }

  /** An SSLContext trusting this CA, presenting {@code client} if not null (java.net.http clients). */
  public SSLContext sslContext(Issued client) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(client == null ? null : new KeyManager[] {keyManager(client)}, trustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Trust managers trusting this CA only. */
  public TrustManager[] trustManagers() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trust);
      return trustManagers.getTrustManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A key manager that presents {@code client} whatever CAs the server names (see {@link #alwaysPresent}). */
  public static X509ExtendedKeyManager keyManager(Issued client) {
    try {
      char[] password = "test".toCharArray();
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("client", client.keys().getPrivate(), password, new X509Certificate[] {client.certificate()});
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, password);
      return alwaysPresent((X509KeyManager) keyManagers.getKeyManagers()[0]);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An SSLContext trusting {@code trusted}'s CA and presenting {@code client}, whichever CA signed it. */
  public static SSLContext sslContextWith(TestCertificates trusted, Issued client) {
    return trusted.sslContext(client);
  }

  /**
   * The JDK sends a client certificate only if the server's CertificateRequest names its
   * issuer; this key manager sends it whatever the server asks, as a misconfigured or hostile
   * client would, so that tests see the server itself refuse a certificate of another CA.
   */
  private static X509ExtendedKeyManager alwaysPresent(X509KeyManager keys) {
    return new X509ExtendedKeyManager() {
      @Override
      public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {"client"};
      }

      @Override
      public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return "client";
      }

      @Override
      public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return "client";
      }

      @Override
      public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
      }

      @Override
      public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
      }

      @Override
      public X509Certificate[] getCertificateChain(String alias) {
        return keys.getCertificateChain(alias);
      }

      @Override
      public PrivateKey getPrivateKey(String alias) {
        return keys.getPrivateKey(alias);
      }
    };
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(X500Principal subject, KeyPair subjectKeys, X500Principal issuer,
      KeyPair issuerKeys, Instant notBefore, Instant notAfter, boolean isCa, KeyPurposeId purpose, String uri,
      X509Certificate issuerCertificate) {
    try {
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).abs(),
          Date.from(notBefore), Date.from(notAfter), subject, subjectKeys.getPublic());
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      builder.addExtension(Extension.subjectKeyIdentifier, false,
          extensions.createSubjectKeyIdentifier(subjectKeys.getPublic()));
      if (isCa) {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        builder.addExtension(Extension.authorityKeyIdentifier, false,
            extensions.createAuthorityKeyIdentifier(issuerCertificate));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        GeneralNames names = purpose == KeyPurposeId.id_kp_serverAuth
            ? new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")})
            : uri == null ? null : new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
        if (names != null) {
          builder.addExtension(Extension.subjectAlternativeName, false, names);
        }
      }
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Issued write(X509Certificate certificate, KeyPair keys, Path dir, String name) {
    try {
      Files.createDirectories(dir);
      Path certFile = dir.resolve(name + ".pem");
      Path keyFile = dir.resolve(name + "-key.pem");
      try (Writer out = Files.newBufferedWriter(certFile, StandardCharsets.US_ASCII);
          JcaPEMWriter pem = new JcaPEMWriter(out)) {
        pem.writeObject(certificate);
      }
      try (Writer out = Files.newBufferedWriter(keyFile, StandardCharsets.US_ASCII);
          JcaPEMWriter pem = new JcaPEMWriter(out)) {
        pem.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
      }
      return new Issued(certificate, keys, certFile, keyFile);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
