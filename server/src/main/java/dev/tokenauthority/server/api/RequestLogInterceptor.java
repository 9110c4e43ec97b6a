package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.ClientCertificate;
import dev.tokenauthority.server.core.Principal;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request log: one INFO line per finished call to the API services, on logger
 * {@value #LOGGER}, with the fields as key=value pairs (JSON fields in the json format):
 * {@code method code latency_ms tenant principal transport peer client_cert client_subject}
 * ({@code client_cert}, the SHA-256 thumbprint, and {@code client_subject}: only on calls that came with a
 * verified TLS client certificate). {@code principal} is the
 * token id (or, without one, the user id) of the authenticated caller, {@code -} when the
 * call was refused or the method is public. Never a metadata value, a message body or a secret.
 *
 * <p>It is the outermost interceptor, so refused calls (UNAUTHENTICATED, closed by the
 * {@link AuthInterceptor}) are logged too. The auth interceptor runs inside it and hands the
 * principal out through a holder this interceptor puts in the call's Context
 * ({@link #recordPrincipal}). Health checks and reflection are not API services: not logged.
 */
public final class RequestLogInterceptor implements ServerInterceptor {
  public static final String LOGGER = "dev.tokenauthority.request";
  /** Set by the embedded REST gateway on the calls it makes: the log says transport=rest. */
  public static final Metadata.Key<String> TRANSPORT =
      Metadata.Key.of("x-tokenauthority-transport", Metadata.ASCII_STRING_MARSHALLER);
  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
  private static final Context.Key<AtomicReference<Principal>> PRINCIPAL = Context.key("dev.tokenauthority.request-log");
  private static final Context.Key<AtomicReference<ClientCertificate>> CERTIFICATE =
      Context.key("dev.tokenauthority.request-log-certificate");

  private final ClientAddresses addresses;

  RequestLogInterceptor(ClientAddresses addresses) {
    this.addresses = addresses;
  }

  /** Tells the request log of the current call who the caller is (the auth interceptor calls it). */
  static void recordPrincipal(Principal principal) {
    AtomicReference<Principal> holder = PRINCIPAL.get();
    if (holder != null) {
      holder.set(principal);
    }
  }

  /** Tells the request log of the current call the client certificate it came with (the auth interceptor calls it). */
  static void recordCertificate(ClientCertificate certificate) {
    AtomicReference<ClientCertificate> holder = CERTIFICATE.get();
    if (holder != null && certificate != null) {
      holder.set(certificate);
    }
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    if (!LOG.isInfoEnabled()) {
      return next.startCall(call, headers);
    }
    long started = System.nanoTime();
    AtomicReference<Principal> principal = new AtomicReference<>();
    AtomicReference<ClientCertificate> certificate = new AtomicReference<>();
    AtomicBoolean logged = new AtomicBoolean();
    String transport = "rest".equals(headers.get(TRANSPORT)) ? "rest" : "grpc";
    String peer = addresses.of(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
        headers.getAll(ClientAddresses.FORWARDED_FOR));
    String method = call.getMethodDescriptor().getFullMethodName();
    Runnable onCancel = () -> {
      if (logged.compareAndSet(false, true)) {
        log(method, Status.Code.CANCELLED, started, principal.get(), certificate.get(), transport, peer);
      }
    };
    ServerCall<Q, R> logging = new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        if (logged.compareAndSet(false, true)) {
          log(method, status.getCode(), started, principal.get(), certificate.get(), transport, peer);
        }
        super.close(status, trailers);
      }
    };
    ServerCall.Listener<Q> listener =
        Contexts.interceptCall(
        Context.current().withValue(PRINCIPAL, principal).withValue(CERTIFICATE, certificate), logging, headers, next);
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onCancel() {
        onCancel.run();
        super.onCancel();
      }
    };
  }

  private static void log(String method, Status.Code code, long started, Principal principal,
      ClientCertificate certificate, String transport, String peer) {
    double latencyMillis = Math.round((System.nanoTime() - started) / 100_000.0) / 10.0;
    org.slf4j.spi.LoggingEventBuilder line = LOG.atInfo()
        .addKeyValue("method", method)
        .addKeyValue("code", code.name())
        .addKeyValue("latency_ms", latencyMillis)
        .addKeyValue("tenant", principal == null ? "-" : principal.tenantId())
        .addKeyValue("principal", principal == null ? "-" : principalId(principal))
        .addKeyValue("transport", transport)
        .addKeyValue("peer", peer);
    if (certificate != null) { // only calls that came with a verified TLS client certificate
      line = line.addKeyValue("client_cert", certificate.sha256()).addKeyValue("client_subject", certificate.subject());
    }
    line.log("call");
  }

  private static String principalId(Principal principal) {
    if (principal.tokenId() != null) {
      return principal.tokenId();
    }
    return principal.userId() == null ? "-" : principal.userId();
  }
}
