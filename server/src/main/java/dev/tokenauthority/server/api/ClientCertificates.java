package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.ClientCertificate;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.inprocess.AnonymousInProcessSocketAddress;
import io.grpc.inprocess.InProcessSocketAddress;
import java.io.ByteArrayInputStream;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The verified TLS client certificate of a call (mutual TLS), captured once per call by the
 * auth interceptor:
 *
 * <ul>
 *   <li>on the gRPC port with TLS: the leaf certificate of the call's TLS session
 *       ({@link Grpc#TRANSPORT_ATTR_SSL_SESSION}), which the handshake has verified against
 *       {@code --tls-client-ca};
 *   <li>through the embedded REST gateway: the gateway's HTTPS session verified it, and the
 *       gateway forwards its DER in {@link #FORWARDED_CERTIFICATE}. That header is believed only
 *       on in-process calls (the gateway's own channel, inside this JVM); a caller on a network
 *       port cannot set it, and the gateway never copies it from an HTTP request.
 * </ul>
 */
public final class ClientCertificates {
  /** The gateway's forwarded client certificate (DER), trusted only from in-process peers. */
  public static final Metadata.Key<byte[]> FORWARDED_CERTIFICATE =
      Metadata.Key.of("x-tokenauthority-client-cert-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private ClientCertificates() {}

  /** The verified client certificate of a call with {@code attributes} and {@code headers}, or null. */
  static ClientCertificate of(Attributes attributes, Metadata headers) {
    SSLSession session = attributes.get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session != null) {
      return of(session);
    }
    SocketAddress peer = attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    byte[] forwarded = headers.get(FORWARDED_CERTIFICATE);
    if (forwarded == null
        || !(peer instanceof InProcessSocketAddress || peer instanceof AnonymousInProcessSocketAddress)) {
      return null;
    }
    try {
      Certificate certificate = CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(forwarded));
      return certificate instanceof X509Certificate x509 ? ClientCertificate.of(x509) : null;
    } catch (CertificateException | IllegalArgumentException e) {
      return null; // only the gateway sets it, from a certificate its handshake verified
    }
  }

  /** The verified client certificate of a TLS {@code session}, or null when the client sent none. */
  public static ClientCertificate of(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? ClientCertificate.of(leaf) : null;
    } catch (SSLPeerUnverifiedException e) {
      return null; // no client certificate (client auth none, or optional and not sent)
    }
  }

  /** The DER of the leaf client certificate of {@code session}, or null: what the gateway forwards. */
  public static byte[] leafDer(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 ? chain[0].getEncoded() : null;
    } catch (SSLPeerUnverifiedException | java.security.cert.CertificateEncodingException e) {
      return null;
    }
  }
}
