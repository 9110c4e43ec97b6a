package dev.tokenauthority.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.ListWorkspaceTokensRequest;
import dev.tokenauthority.v1.Record;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hints the REST edge relies on: seeds 000, 002 and 004 answer 201, the others 200; the
 * seeds' nullable fields are named when unset.
 */
class RestEdgeHeadersTest {
  private static final Metadata.Key<String> STATUS =
      Metadata.Key.of("x-tokenauthority-http-status", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> NULLS =
      Metadata.Key.of("x-tokenauthority-json-nulls", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir Path dataDir;
  InProcessAuthority authority;

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir);
    authority.admin().createRecord(Record.newBuilder().setId("rec-1").build());
    authority.admin().createAccount(Account.newBuilder().setId("acc-1").setName("Acme").build());
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  /** The status header of the response to {@code call}, or null if the response had none. */
  private String statusHeaderOf(Consumer<TokenAuthorityClient> call) {
    return headerOf(STATUS, call);
  }

  /** Header {@code key} of the response to {@code call}, or null; never in the trailers. */
  private String headerOf(Metadata.Key<String> key, Consumer<TokenAuthorityClient> call) {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    var channel = ClientInterceptors.intercept(authority.channel(),
        MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
    call.accept(new TokenAuthorityClient(channel, Credentials.bearer(authority.adminSecret())));
    String inTrailers = trailers.get() == null ? null : trailers.get().get(key);
    assertThat(inTrailers).as("never in trailers").isNull();
    return headers.get() == null ? null : headers.get().get(key);
  }

  @Test
  void seedsDocumenting201GetTheHeader() {
    assertThat(statusHeaderOf(c -> c.createRecordToken("rec-1", null))).isEqualTo("201");
    assertThat(statusHeaderOf(c -> c.createApiToken(ApiToken.newBuilder()
        .setAccount(Account.newBuilder().setId("acc-1")).build()))).isEqualTo("201");
    assertThat(statusHeaderOf(c -> c.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName("t").addScopes("tokens:read").build()))).isEqualTo("201");
  }

  @Test
  void seedsDocumenting200DoNot() {
    assertThat(statusHeaderOf(c -> c.generateFaultToken(5))).isNull();
    assertThat(statusHeaderOf(c -> c.createAccessToken(AccessToken.newBuilder().setName("a").build()))).isNull();
  }

  @Test
  void aFailedCallNeverCarriesIt() {
    assertThat(statusHeaderOf(c -> assertThat(catchThrowable(() -> c.createRecordToken("missing", null)))
        .isInstanceOf(StatusRuntimeException.class))).isNull();
  }

  @Test
  void nullableFieldsAreNamedAsJsonPointersOfTheResponseType() {
    assertThat(headerOf(NULLS, c -> c.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName("no-expiry").addScopes("tokens:read").build()))).isEqualTo("/expires_at,/last_used_at");
    assertThat(headerOf(NULLS, c -> c.createAccessToken(AccessToken.newBuilder().setName("a").build())))
        .isEqualTo("/expiresAt");
    assertThat(headerOf(NULLS, c -> c.createApiToken(ApiToken.newBuilder()
        .setAccount(Account.newBuilder().setId("acc-1")).setIcon("star").build())))
        .isEqualTo("/description,/icon,/lastAccessAt");
    // a list names its elements' fields once, however many elements it has
    assertThat(headerOf(NULLS, c -> c.listWorkspaceTokens(ListWorkspaceTokensRequest.getDefaultInstance())))
        .isEqualTo("/tokens/*/expires_at,/tokens/*/last_used_at");
    assertThat(headerOf(NULLS, c -> c.generateFaultToken(5))).isNull();
    assertThat(headerOf(NULLS, c -> c.createRecordToken("rec-1", null))).isNull();
  }
}
