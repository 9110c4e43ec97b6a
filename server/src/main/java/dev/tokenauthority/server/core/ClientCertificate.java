package dev.tokenauthority.server.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * The identity of a verified TLS client certificate (mutual TLS): who a service-to-service
 * caller is, as its certificate says, besides the token it presents. Never a secret.
 *
 * @param subject the subject DN (RFC 2253, e.g. {@code CN=billing,O=Example})
 * @param uris the subjectAltName URIs (e.g. SPIFFE IDs {@code spiffe://example.org/billing})
 * @param dnsNames the subjectAltName DNS names
 * @param sha256 the SHA-256 thumbprint of the DER certificate, 64 lowercase hex digits
 */
public record ClientCertificate(String subject, List<String> uris, List<String> dnsNames, String sha256) {
  private static final int URI = 6;
  private static final int DNS = 2;

  public ClientCertificate {
    uris = List.copyOf(uris);
    dnsNames = List.copyOf(dnsNames);
  }

  /** The identity of {@code certificate} (the leaf of a verified chain). */
  public static ClientCertificate of(X509Certificate certificate) {
    List<String> uris = new ArrayList<>();
    List<String> dnsNames = new ArrayList<>();
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (name.size() >= 2 && name.get(1) instanceof String value) {
            int type = (Integer) name.get(0);
            if (type == URI) {
              uris.add(value);
            } else if (type == DNS) {
              dnsNames.add(value);
            }
          }
        }
      }
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return new ClientCertificate(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253), uris,
          dnsNames, HexFormat.of().formatHex(digest));
    } catch (CertificateParsingException | CertificateEncodingException e) {
      throw new IllegalArgumentException("unreadable client certificate", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * One line for the audit log's details: {@code cert_sha256=<hex> cert_subject="<DN>"} plus
   * {@code cert_uri=...} / {@code cert_dns=...} when the certificate has such names.
   */
  public String describe() {
    StringBuilder text = new StringBuilder("cert_sha256=").append(sha256)
        .append(" cert_subject=\"").append(subject.replace("\"", "\\\"")).append('"');
    if (!uris.isEmpty()) {
      text.append(" cert_uri=").append(String.join(",", uris));
    }
    if (!dnsNames.isEmpty()) {
      text.append(" cert_dns=").append(String.join(",", dnsNames));
    }
    return text.toString();
  }
}
