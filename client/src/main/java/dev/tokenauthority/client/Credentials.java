package dev.tokenauthority.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.Objects;
import java.util.concurrent.Executor;

/** Call credentials carrying a Token Authority secret, as a bearer token or as an API key. */
public final class Credentials extends CallCredentials {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private final Metadata.Key<String> header;
  private final String value;

  private Credentials(Metadata.Key<String> header, String value) {
    this.header = header;
    this.value = value;
  }

  /** Sends {@code authorization: Bearer <secret>}. */
  public static Credentials bearer(String secret) {
    return new Credentials(AUTHORIZATION, "Bearer " + Objects.requireNonNull(secret, "secret"));
  }

  /** Sends {@code x-api-key: <secret>}. */
  public static Credentials apiKey(String secret) {
    return new Credentials(API_KEY, Objects.requireNonNull(secret, "secret"));
  }

  @Override
  public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    Metadata headers = new Metadata();
    headers.put(header, value);
    applier.apply(headers);
  }

  @Override
  public String toString() {
    return "Credentials[" + header.name() + "]"; // never the secret
  }
}
