package dev.tokenauthority.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters.TlsProtocol;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * envoy/envoy-tls.yaml parses as strictly as envoy.yaml (EnvoyConfigTest's parser and type
 * registry), is envoy.yaml plus TLS and nothing else (same HTTP connection manager, routes,
 * filters, cluster, health checks), and its TLS is what the server needs: HTTP/2 by ALPN,
 * TLS 1.2+, the servers' CA as the only trust anchor with the name checked, and a client
 * certificate for mutual TLS.
 */
class EnvoyTlsConfigTest {
  static Bootstrap plain;
  static Bootstrap tls;
  static String tlsYaml;

  @BeforeAll
  static void parseBoth() throws Exception {
    plain = EnvoyConfigTest.parse(Files.readString(RepoPaths.moduleDir().resolve("envoy.yaml")));
    tlsYaml = Files.readString(RepoPaths.moduleDir().resolve("envoy-tls.yaml"));
    tls = EnvoyConfigTest.parse(tlsYaml);
  }

  private static Listener listener(Bootstrap bootstrap) {
    assertThat(bootstrap.getStaticResources().getListenersList()).hasSize(1);
    return bootstrap.getStaticResources().getListeners(0);
  }

  private static Cluster cluster(Bootstrap bootstrap) {
    assertThat(bootstrap.getStaticResources().getClustersList()).hasSize(1);
    return bootstrap.getStaticResources().getClusters(0);
  }

  @Test
  void itIsEnvoyYamlPlusTlsAndNothingElse() {
    assertThat(tls.getAdmin()).isEqualTo(plain.getAdmin());
    FilterChain chain = listener(tls).getFilterChains(0);
    assertThat(listener(tls).getFilterChainsList()).hasSize(1);
    assertThat(chain.getFiltersList()).as("the same HTTP connection manager, routes and filters")
        .isEqualTo(listener(plain).getFilterChains(0).getFiltersList());
    assertThat(listener(tls).getAddress().getSocketAddress().getPortValue()).isEqualTo(10443);
    assertThat(cluster(tls).toBuilder().clearTransportSocket().build()).as("the same cluster, endpoints, health checks")
        .isEqualTo(cluster(plain));
    assertThat(cluster(plain).hasTransportSocket()).isFalse();
  }

  @Test
  void upstreamTlsSpeaksH2ToTheServerTrustsOnlyItsCaAndPresentsAClientCertificate() throws Exception {
    assertThat(cluster(tls).getTransportSocket().getName()).isEqualTo("envoy.transport_sockets.tls");
    UpstreamTlsContext upstream = cluster(tls).getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    CommonTlsContext common = upstream.getCommonTlsContext();
    assertThat(common.getAlpnProtocolsList()).as("gRPC needs HTTP/2, chosen by ALPN").containsExactly("h2");
    assertThat(common.getTlsParams().getTlsMinimumProtocolVersion()).isEqualTo(TlsProtocol.TLSv1_2);
    assertThat(common.getValidationContext().getTrustedCa().getFilename()).isEqualTo("certs/ca.pem");
    assertThat(common.getValidationContext().getMatchTypedSubjectAltNamesList()).singleElement()
        .satisfies(san -> {
          assertThat(san.getSanType()).isEqualTo(SubjectAltNameMatcher.SanType.DNS);
          assertThat(san.getMatcher().getExact()).isEqualTo(upstream.getSni()).isEqualTo("localhost");
        });
    assertThat(common.getTlsCertificatesList()).singleElement().satisfies(cert -> {
      assertThat(cert.getCertificateChain().getFilename()).isEqualTo("certs/envoy.pem");
      assertThat(cert.getPrivateKey().getFilename()).isEqualTo("certs/envoy-key.pem");
    });
  }

  @Test
  void theListenerServesTls12OrNewer() throws Exception {
    FilterChain chain = listener(tls).getFilterChains(0);
    assertThat(chain.getTransportSocket().getName()).isEqualTo("envoy.transport_sockets.tls");
    DownstreamTlsContext downstream = chain.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class);
    CommonTlsContext common = downstream.getCommonTlsContext();
    assertThat(common.getTlsParams().getTlsMinimumProtocolVersion()).isEqualTo(TlsProtocol.TLSv1_2);
    assertThat(common.getAlpnProtocolsList()).containsExactly("h2", "http/1.1");
    assertThat(common.getTlsCertificatesList()).singleElement().satisfies(cert -> {
      assertThat(cert.getCertificateChain().getFilename()).isEqualTo("certs/edge.pem");
      assertThat(cert.getPrivateKey().getFilename()).isEqualTo("certs/edge-key.pem");
    });
  }

  @Test
  void aMisspelledTlsFieldIsRejected() {
    String broken = tlsYaml.replace("alpn_protocols: [\"h2\"]", "alpn_protocol: [\"h2\"]");
    assertThat(broken).isNotEqualTo(tlsYaml);
    assertThatThrownBy(() -> EnvoyConfigTest.parse(broken)).isInstanceOf(InvalidProtocolBufferException.class);
  }
}
