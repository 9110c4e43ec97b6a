package dev.tokenauthority.server.fuzz;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import dev.tokenauthority.v1.AccessTokensProto;
import dev.tokenauthority.v1.AccountApiTokensProto;
import dev.tokenauthority.v1.AuditProto;
import dev.tokenauthority.v1.DirectoryProto;
import dev.tokenauthority.v1.FaultTokensProto;
import dev.tokenauthority.v1.RecordTokensProto;
import dev.tokenauthority.v1.SigningKeysProto;
import dev.tokenauthority.v1.TokensProto;
import dev.tokenauthority.v1.WorkspaceTokensProto;
import io.grpc.protobuf.ProtoUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every create RPC of the API, read from the compiled descriptors (an RPC named
 * {@code Create*} or {@code Generate*}), with its HTTP rule: a new create RPC is fuzzed and
 * property-tested without anyone adding it here.
 */
public final class CreateRpcs {
  /** One create RPC: its method, HTTP rule and a dynamic gRPC method to call it with any message. */
  public record Rpc(MethodDescriptor method, HttpRule http,
      io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> grpc) {
    public String name() {
      return method.getService().getName() + "." + method.getName();
    }

    public Descriptor requestType() {
      return method.getInputType();
    }

    /** The message the HTTP body fills: the request ({@code body: "*"}) or one of its fields. */
    public Descriptor bodyType() {
      return http.getBody().equals("*") ? requestType() : requestType().findFieldByName(http.getBody()).getMessageType();
    }

    public String httpVerb() {
      return switch (http.getPatternCase()) {
        case POST -> "POST";
        case PUT -> "PUT";
        case PATCH -> "PATCH";
        case GET -> "GET";
        case DELETE -> "DELETE";
        default -> http.getCustom().getKind();
      };
    }

    public String httpPattern() {
      return switch (http.getPatternCase()) {
        case POST -> http.getPost();
        case PUT -> http.getPut();
        case PATCH -> http.getPatch();
        case GET -> http.getGet();
        case DELETE -> http.getDelete();
        default -> http.getCustom().getPath();
      };
    }

    /** The request fields bound by path variables ({@code {record}} binds {@code record}). */
    public List<FieldDescriptor> pathFields() {
      List<FieldDescriptor> fields = new ArrayList<>();
      Matcher m = VARIABLE.matcher(httpPattern());
      while (m.find()) {
        fields.add(requestType().findFieldByName(m.group(1)));
      }
      return fields;
    }
  }

  private static final Pattern VARIABLE = Pattern.compile("\\{([a-z_.]+)(=[^}]*)?}");

  private CreateRpcs() {}

  /** The API's files (every service lives in one of these). */
  public static List<FileDescriptor> files() {
    return List.of(AccessTokensProto.getDescriptor(), AccountApiTokensProto.getDescriptor(), AuditProto.getDescriptor(),
        DirectoryProto.getDescriptor(), FaultTokensProto.getDescriptor(), RecordTokensProto.getDescriptor(),
        SigningKeysProto.getDescriptor(), TokensProto.getDescriptor(), WorkspaceTokensProto.getDescriptor());
  }

  public static List<Rpc> all() {
    Map<String, Rpc> rpcs = new LinkedHashMap<>();
    for (FileDescriptor file : files()) {
      for (ServiceDescriptor service : file.getServices()) {
        for (MethodDescriptor method : service.getMethods()) {
          if (method.getName().startsWith("Create") || method.getName().startsWith("Generate")) {
            rpcs.put(method.getFullName(), new Rpc(method, method.getOptions().getExtension(AnnotationsProto.http),
                io.grpc.MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
                    .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName(io.grpc.MethodDescriptor.generateFullMethodName(service.getFullName(),
                        method.getName()))
                    .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
                    .setResponseMarshaller(ProtoUtils.marshaller(
                        DynamicMessage.getDefaultInstance(method.getOutputType())))
                    .build()));
          }
        }
      }
    }
    return List.copyOf(rpcs.values());
  }

  public static Rpc named(String name) {
    return all().stream().filter(r -> r.method().getName().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no create RPC " + name));
  }
}
