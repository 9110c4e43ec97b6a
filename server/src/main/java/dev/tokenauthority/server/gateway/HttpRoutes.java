package dev.tokenauthority.server.gateway;

import com.google.api.AnnotationsProto;
import com.google.api.FieldBehaviorProto;
import dev.tokenauthority.v1.ApiOptionsProto;
import com.google.api.HttpRule;
import com.google.api.pathtemplate.PathTemplate;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.ExtensionRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The REST routes, read from the {@code google.api.http} rules of the descriptor set the
 * build writes (the same file Envoy's transcoder reads). No route is written by hand: an
 * RPC with an HTTP rule is served as soon as it is in the descriptor set.
 */
final class HttpRoutes {

  /** One HTTP rule (a method may have several through {@code additional_bindings}). */
  record Route(String verb, PathTemplate template, String pattern, MethodDescriptor method, String body,
      String responseBody) {}

  /** What a request resolves to: a route with its path variables, or why there is none. */
  sealed interface Resolution permits Match, NoSuchPath, WrongVerb {}

  record Match(Route route, Map<String, String> variables) implements Resolution {}

  record NoSuchPath() implements Resolution {}

  record WrongVerb(Set<String> allowed) implements Resolution {}

  private final List<Route> routes;
  private final List<Descriptors.Descriptor> messageTypes;

  private HttpRoutes(List<Route> routes, List<Descriptors.Descriptor> messageTypes) {
    this.routes = routes;
    this.messageTypes = messageTypes;
  }

  /** Reads the descriptor set at {@code resource} on the classpath. */
  static HttpRoutes fromClasspath(String resource) {
    ExtensionRegistry registry = ExtensionRegistry.newInstance();
    AnnotationsProto.registerAllExtensions(registry);
    ApiOptionsProto.registerAllExtensions(registry); // so the routes' methods carry our options too
    FieldBehaviorProto.registerAllExtensions(registry); // REQUIRED / OUTPUT_ONLY, for the OpenAPI document
    try (InputStream in = HttpRoutes.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("descriptor set " + resource + " is not on the classpath");
      }
      return from(FileDescriptorSet.parseFrom(in, registry));
    } catch (IOException | DescriptorValidationException e) {
      throw new IllegalStateException("descriptor set " + resource + " cannot be read", e);
    }
  }

  static HttpRoutes from(FileDescriptorSet set) throws DescriptorValidationException {
    Map<String, FileDescriptorProto> protos = new HashMap<>();
    set.getFileList().forEach(f -> protos.put(f.getName(), f));
    Map<String, FileDescriptor> built = new HashMap<>();
    List<Route> routes = new ArrayList<>();
    List<Descriptors.Descriptor> messageTypes = new ArrayList<>();
    for (FileDescriptorProto proto : set.getFileList()) {
      FileDescriptor file = build(proto.getName(), protos, built);
      messageTypes.addAll(file.getMessageTypes());
      for (Descriptors.ServiceDescriptor service : file.getServices()) {
        for (MethodDescriptor method : service.getMethods()) {
          if (!method.getOptions().hasExtension(AnnotationsProto.http)) {
            continue;
          }
          HttpRule rule = method.getOptions().getExtension(AnnotationsProto.http);
          List<HttpRule> bindings = new ArrayList<>();
          bindings.add(rule);
          bindings.addAll(rule.getAdditionalBindingsList());
          for (HttpRule binding : bindings) {
            routes.add(route(binding, method));
          }
        }
      }
    }
    return new HttpRoutes(List.copyOf(routes), List.copyOf(messageTypes));
  }

  private static FileDescriptor build(String name, Map<String, FileDescriptorProto> protos,
      Map<String, FileDescriptor> built) throws DescriptorValidationException {
    FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    FileDescriptorProto proto = protos.get(name);
    if (proto == null) {
      throw new IllegalStateException("the descriptor set lacks " + name + " (build it with imports included)");
    }
    List<FileDescriptor> dependencies = new ArrayList<>();
    for (String dependency : proto.getDependencyList()) {
      dependencies.add(build(dependency, protos, built));
    }
    FileDescriptor file = FileDescriptor.buildFrom(proto, dependencies.toArray(FileDescriptor[]::new));
    built.put(name, file);
    return file;
  }

  private static Route route(HttpRule rule, MethodDescriptor method) {
    String verb;
    String pattern;
    switch (rule.getPatternCase()) {
      case GET -> { verb = "GET"; pattern = rule.getGet(); }
      case POST -> { verb = "POST"; pattern = rule.getPost(); }
      case PUT -> { verb = "PUT"; pattern = rule.getPut(); }
      case PATCH -> { verb = "PATCH"; pattern = rule.getPatch(); }
      case DELETE -> { verb = "DELETE"; pattern = rule.getDelete(); }
      case CUSTOM -> { verb = rule.getCustom().getKind(); pattern = rule.getCustom().getPath(); }
      default -> throw new IllegalStateException(method.getFullName() + " has an HTTP rule without a pattern");
    }
    // PathTemplate matches resource names, which carry no leading slash.
    return new Route(verb, PathTemplate.create(pattern.substring(1)), pattern, method, rule.getBody(),
        rule.getResponseBody());
  }

  /** The route for {@code verb} on {@code path} (which starts with a slash). */
  Resolution resolve(String verb, String path) {
    String name = path.startsWith("/") ? path.substring(1) : path;
    Set<String> allowed = new LinkedHashSet<>();
    for (Route route : routes) {
      Map<String, String> variables = route.template().match(name);
      if (variables == null) {
        continue;
      }
      if (route.verb().equals(verb)) {
        return new Match(route, variables);
      }
      allowed.add(route.verb());
    }
    return allowed.isEmpty() ? new NoSuchPath() : new WrongVerb(allowed);
  }

  List<Route> routes() {
    return routes;
  }

  /** Every message type of the descriptor set: what {@code Any} details may hold. */
  List<Descriptors.Descriptor> messageTypes() {
    return messageTypes;
  }
}
