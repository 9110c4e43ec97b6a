package dev.tokenauthority.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.AnnotationsProto;
import com.google.gson.Gson;
import com.google.protobuf.Any;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.JsonFormat.TypeRegistry;
import dev.tokenauthority.server.ServerConfig;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder;
import io.envoyproxy.envoy.extensions.filters.http.lua.v3.Lua;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * envoy/envoy.yaml parses strictly into Envoy's own {@link Bootstrap} (a misspelled field or an
 * unknown {@code @type} anywhere, typed_configs included, fails), and agrees with the rest of
 * the build: the descriptor set the proto module writes, the services with HTTP rules in it,
 * the server's default gRPC port, and the Lua filter next to it.
 */
class EnvoyConfigTest {
  /** The descriptor set, relative to the repo root (Envoy's working directory). */
  static final String DESCRIPTOR_PATH = "proto/target/descriptor/tokenauthority.pb";

  /** Every type that appears as a typed_config (or other Any) in envoy.yaml and envoy-tls.yaml. */
  static final TypeRegistry TYPES = TypeRegistry.newBuilder()
      .add(List.of(
          HttpConnectionManager.getDescriptor(),
          Cors.getDescriptor(),
          CorsPolicy.getDescriptor(),
          Lua.getDescriptor(),
          GrpcJsonTranscoder.getDescriptor(),
          Router.getDescriptor(),
          HttpProtocolOptions.getDescriptor(),
          UpstreamTlsContext.getDescriptor(),
          DownstreamTlsContext.getDescriptor()))
      .build();

  static final String CORS = "envoy.filters.http.cors";
  static final String LUA = "envoy.filters.http.lua";
  static final String TRANSCODER = "envoy.filters.http.grpc_json_transcoder";
  static final String ROUTER = "envoy.filters.http.router";

  static String yaml;
  static Bootstrap bootstrap;
  static HttpConnectionManager hcm;

  @BeforeAll
  static void parseTheConfig() throws Exception {
    yaml = Files.readString(RepoPaths.moduleDir().resolve("envoy.yaml"));
    bootstrap = parse(yaml);
    assertThat(bootstrap.getStaticResources().getListenersList()).hasSize(1);
    Listener listener = bootstrap.getStaticResources().getListeners(0);
    assertThat(listener.getFilterChainsList()).hasSize(1);
    assertThat(listener.getFilterChains(0).getFiltersList()).hasSize(1);
    assertThat(listener.getFilterChains(0).getFilters(0).getName())
        .isEqualTo("envoy.filters.network.http_connection_manager");
    hcm = listener.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
  }

  /** YAML → JSON → Bootstrap, as strictly as Envoy: unknown fields and unknown types throw. */
  static Bootstrap parse(String yamlText) throws InvalidProtocolBufferException {
    Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(yamlText);
    String json = new Gson().toJson(tree);
    Bootstrap.Builder builder = Bootstrap.newBuilder();
    JsonFormat.parser().usingTypeRegistry(TYPES).merge(json, builder);
    return builder.build();
  }

  @Test
  void listensOnPort10000AndKeepsAdminOnLoopback() {
    SocketAddress rest = bootstrap.getStaticResources().getListeners(0).getAddress().getSocketAddress();
    assertThat(rest.getAddress()).isEqualTo("0.0.0.0");
    assertThat(rest.getPortValue()).isEqualTo(10000);

    SocketAddress admin = bootstrap.getAdmin().getAddress().getSocketAddress();
    assertThat(admin.getAddress()).isEqualTo("127.0.0.1");
    assertThat(admin.getPortValue()).isEqualTo(9901);
  }

  @Test
  void filtersRunCorsLuaTranscoderRouterWithTheirOwnTypes() throws Exception {
    // Lua before the transcoder: on the response path filters run in reverse, so Lua sees the
    // transcoder's final 200 (the transcoder skips any response whose :status is not 200).
    assertThat(hcm.getHttpFiltersList()).extracting(HttpFilter::getName)
        .containsExactly(CORS, LUA, TRANSCODER, ROUTER);
    assertThat(filter(CORS).getTypedConfig().is(Cors.class)).isTrue();
    assertThat(filter(LUA).getTypedConfig().is(Lua.class)).isTrue();
    assertThat(filter(TRANSCODER).getTypedConfig().is(GrpcJsonTranscoder.class)).isTrue();
    assertThat(filter(ROUTER).getTypedConfig().is(Router.class)).isTrue();
  }

  @Test
  void transcoderReadsTheDescriptorTheProtoModuleWrites() throws Exception {
    GrpcJsonTranscoder transcoder = transcoder();
    assertThat(transcoder.getProtoDescriptor()).isEqualTo(DESCRIPTOR_PATH);

    Path onDisk = RepoPaths.repoRoot().resolve(transcoder.getProtoDescriptor());
    assertThat(onDisk).as("the proto module's build writes it (Envoy reads it from the repo root)")
        .isRegularFile();
    try (InputStream packaged = descriptorResource()) {
      assertThat(Files.readAllBytes(onDisk)).as("the file Envoy reads is the one on the classpath")
          .isEqualTo(packaged.readAllBytes());
    }
  }

  @Test
  void transcoderListsExactlyTheServicesWithHttpRules() throws Exception {
    Set<String> withRules = servicesWithHttpRules();
    // Guard the derivation itself: these six carry rules today.
    assertThat(withRules).contains(
        "tokenauthority.v1.RecordTokenService",
        "tokenauthority.v1.FaultTokenService",
        "tokenauthority.v1.AccountApiTokenService",
        "tokenauthority.v1.AccessTokenService",
        "tokenauthority.v1.WorkspaceTokenService",
        "tokenauthority.v1.DirectoryService");

    assertThat(transcoder().getServicesList()).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(withRules);
  }

  @Test
  void transcoderMapsErrorsRejectsWhatNoRuleKnowsAndPrintsTheSeedsShapes() throws Exception {
    GrpcJsonTranscoder transcoder = transcoder();
    assertThat(transcoder.getConvertGrpcStatus()).isTrue();
    assertThat(transcoder.getAutoMapping()).isFalse();
    assertThat(transcoder.getRequestValidationOptions().getRejectUnknownMethod()).isTrue();
    assertThat(transcoder.getRequestValidationOptions().getRejectUnknownQueryParameters()).isTrue();
    assertThat(transcoder.getIgnoreUnknownQueryParameters()).isFalse();

    GrpcJsonTranscoder.PrintOptions print = transcoder.getPrintOptions();
    assertThat(print.getAlwaysPrintPrimitiveFields()).as("empty lists, zeros and false as the seeds show").isTrue();
    assertThat(print.getPreserveProtoFieldNames()).as("json_name carries the seeds' names").isFalse();
    assertThat(print.getAlwaysPrintEnumsAsInts()).isFalse();
    assertThat(print.getAddWhitespace()).isFalse();
  }

  @Test
  void clusterIsTheGrpcServerOverHttp2() throws Exception {
    List<Cluster> clusters = bootstrap.getStaticResources().getClustersList();
    assertThat(clusters).extracting(Cluster::getName).containsExactly("token_authority");
    Cluster cluster = clusters.get(0);

    List<SocketAddress> endpoints = cluster.getLoadAssignment().getEndpointsList().stream()
        .flatMap(locality -> locality.getLbEndpointsList().stream())
        .map(lb -> lb.getEndpoint().getAddress().getSocketAddress())
        .toList();
    assertThat(endpoints).hasSize(1);
    assertThat(endpoints.get(0).getAddress()).isEqualTo("127.0.0.1");
    assertThat(endpoints.get(0).getPortValue()).isEqualTo(ServerConfig.DEFAULT_GRPC_PORT);

    Any options = cluster.getTypedExtensionProtocolOptionsOrThrow("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
    HttpProtocolOptions http = options.unpack(HttpProtocolOptions.class);
    assertThat(http.getExplicitHttpConfig().hasHttp2ProtocolOptions()).as("gRPC needs HTTP/2").isTrue();

    // Envoy routes only to servers whose gRPC health service answers SERVING for "".
    assertThat(cluster.getHealthChecksList()).singleElement().satisfies(check -> {
      assertThat(check.hasGrpcHealthCheck()).isTrue();
      assertThat(check.getGrpcHealthCheck().getServiceName()).isEmpty();
      assertThat(check.getTimeout().getSeconds()).isPositive();
      assertThat(check.getInterval().getSeconds()).isPositive();
    });

    // Every request is routed there, with an explicit timeout.
    VirtualHost host = onlyVirtualHost();
    assertThat(host.getDomainsList()).containsExactly("*");
    assertThat(host.getRoutesList()).hasSize(1);
    Route route = host.getRoutes(0);
    assertThat(route.getMatch().getPrefix()).isEqualTo("/");
    assertThat(route.getRoute().getCluster()).isEqualTo(cluster.getName());
    assertThat(route.getRoute().getTimeout().getSeconds()).isGreaterThanOrEqualTo(30);
  }

  @Test
  void luaFilterLoadsTheFileNextToThisConfig() throws Exception {
    Lua lua = filter(LUA).getTypedConfig().unpack(Lua.class);
    assertThat(lua.getInlineCode()).isEmpty();
    String filename = lua.getDefaultSourceCode().getFilename();
    assertThat(filename).isEqualTo("envoy/rest_edge.lua");
    assertThat(RepoPaths.repoRoot().resolve(filename)).isRegularFile()
        .isEqualTo(RepoPaths.moduleDir().resolve("rest_edge.lua"));
    assertThat(Files.readString(RepoPaths.repoRoot().resolve(filename)))
        .contains("function envoy_on_response(")
        .contains("x-tokenauthority-http-status");
  }

  @Test
  void corsAllowsTheDashboardOriginAndTheApisMethodsAndHeaders() throws Exception {
    Map<String, Any> perFilter = onlyVirtualHost().getTypedPerFilterConfigMap();
    assertThat(perFilter).containsOnlyKeys(CORS);
    CorsPolicy cors = perFilter.get(CORS).unpack(CorsPolicy.class);

    assertThat(cors.getAllowOriginStringMatchList()).hasSize(1);
    assertThat(cors.getAllowOriginStringMatch(0).getExact()).isEqualTo("https://dashboard.example.com");
    assertThat(cors.getAllowMethods().split(",\\s*"))
        .containsExactly("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    assertThat(cors.getAllowHeaders().split(",\\s*"))
        .containsExactly("authorization", "x-api-key", "content-type");
    assertThat(cors.getMaxAge()).isEqualTo("600");
  }

  /** Proof the parse above is strict: each broken copy must be rejected. */
  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
      // misspelled fields: inside a typed_config (Any), a nested message, the top level
      "convert_grpc_status, convert_grpc_statuz",
      "reject_unknown_query_parameters, reject_unknown_query_params",
      "always_print_primitive_fields, always_print_primitives",
      "default_source_code, default_source",
      "allow_origin_string_match, allow_origins",
      "http2_protocol_options, http2_options",
      "static_resources, static_resource",
      // unknown @type
      "envoy.extensions.filters.http.router.v3.Router, envoy.extensions.filters.http.router.v3.Routr",
      "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions,"
          + " type.googleapis.com/envoy.extensions.upstreams.http.v4.HttpProtocolOptions",
  })
  void aBrokenCopyIsRejected(String original, String broken) {
    assertThat(yaml).as("the original must contain what is broken").contains(original);
    String copy = yaml.replace(original, broken);

    assertThatThrownBy(() -> parse(copy)).isInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void aTypedConfigWhoseTypeIsNotRegisteredIsRejected() {
    // The registry is what makes typed_configs strict: a known Envoy type it lacks is unknown.
    TypeRegistry withoutLua = TypeRegistry.newBuilder()
        .add(List.of(HttpConnectionManager.getDescriptor(), Cors.getDescriptor(), CorsPolicy.getDescriptor(),
            GrpcJsonTranscoder.getDescriptor(), Router.getDescriptor(), HttpProtocolOptions.getDescriptor()))
        .build();
    Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    String json = new Gson().toJson(tree);

    assertThatThrownBy(() -> JsonFormat.parser().usingTypeRegistry(withoutLua).merge(json, Bootstrap.newBuilder()))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }

  private static HttpFilter filter(String name) {
    return hcm.getHttpFiltersList().stream().filter(f -> f.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no http filter " + name));
  }

  private static GrpcJsonTranscoder transcoder() throws InvalidProtocolBufferException {
    return filter(TRANSCODER).getTypedConfig().unpack(GrpcJsonTranscoder.class);
  }

  private static VirtualHost onlyVirtualHost() {
    assertThat(hcm.getRouteConfig().getVirtualHostsList()).hasSize(1);
    return hcm.getRouteConfig().getVirtualHosts(0);
  }

  private static InputStream descriptorResource() {
    InputStream in = EnvoyConfigTest.class.getResourceAsStream("/tokenauthority.pb");
    assertThat(in).as("tokenauthority.pb packaged in the proto jar").isNotNull();
    return in;
  }

  /** Full names of the services in tokenauthority.pb with at least one google.api.http rule. */
  static Set<String> servicesWithHttpRules() throws IOException {
    ExtensionRegistry registry = ExtensionRegistry.newInstance();
    registry.add(AnnotationsProto.http);
    FileDescriptorSet set;
    try (InputStream in = descriptorResource()) {
      set = FileDescriptorSet.parseFrom(in, registry);
    }
    Set<String> services = new TreeSet<>();
    for (FileDescriptorProto file : set.getFileList()) {
      for (ServiceDescriptorProto service : file.getServiceList()) {
        for (MethodDescriptorProto method : service.getMethodList()) {
          if (method.getOptions().hasExtension(AnnotationsProto.http)) {
            services.add(file.getPackage() + "." + service.getName());
          }
        }
      }
    }
    return services;
  }
}
