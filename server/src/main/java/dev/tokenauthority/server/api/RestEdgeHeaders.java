package dev.tokenauthority.server.api;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.tokenauthority.v1.ApiOptionsProto;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the REST edge (Envoy's Lua filter envoy/rest_edge.lua, the embedded gateway) needs to
 * know about a response and cannot see in the transcoded JSON, as headers it consumes and
 * removes:
 * <ul>
 *   <li>{@value #STATUS}: the HTTP status, when it is not what the transcoder would answer:
 *       the method's {@code (tokenauthority.v1.http_success_status)} (e.g. 201), or one the
 *       service chose for this call through {@link RestResponse} (e.g. 302, or 410 on an error);
 *   <li>{@value #JSON_NULLS}: where the response type has fields marked
 *       {@code (tokenauthority.v1.json_null_when_unset)}, as comma-separated JSON Pointers
 *       (RFC 6901) in which {@code *} stands for every element of an array, e.g.
 *       {@code /tokens/*}{@code /expires_at}. The edge puts {@code "key": null} into each object
 *       so addressed that lacks the key (proto3 JSON omits exactly the unset ones). The list
 *       depends on the type only, so it is computed once per method and its size is bounded
 *       however long a list response is;
 *   <li>{@value #ERROR_BODY}: on an error of a service marked
 *       {@code (tokenauthority.v1.altostrat_error_body)}, the whole body REST callers get
 *       ({@link AltostratErrors}).
 * </ul>
 * Headers a service set through {@link RestResponse} ({@code location}, {@code cache-control})
 * pass through the edge unchanged. The response headers are held back until the response
 * message is known; a failed unary call sends no headers, so errors carry theirs in the
 * trailers (a trailers-only response, which reaches Envoy as one header block).
 */
public final class RestEdgeHeaders implements ServerInterceptor {
  public static final String STATUS = "x-tokenauthority-http-status";
  public static final String JSON_NULLS = "x-tokenauthority-json-nulls";
  public static final String ERROR_BODY = "x-tokenauthority-error-body";
  public static final Metadata.Key<String> STATUS_KEY = Metadata.Key.of(STATUS, Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> JSON_NULLS_KEY = Metadata.Key.of(JSON_NULLS, Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> ERROR_BODY_KEY = Metadata.Key.of(ERROR_BODY, Metadata.ASCII_STRING_MARSHALLER);

  /** Per response type: its nullable fields as the {@value #JSON_NULLS} header value ("" for none). */
  private final Map<Descriptor, String> nullable = new ConcurrentHashMap<>();

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    if (!(call.getMethodDescriptor().getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier)) {
      return next.startCall(call, headers);
    }
    var method = supplier.getMethodDescriptor();
    int declared = method.getOptions().getExtension(ApiOptionsProto.httpSuccessStatus);
    String nulls = nullable.computeIfAbsent(method.getOutputType(), type -> {
      List<String> pointers = new ArrayList<>();
      collect(type, "", pointers, new HashSet<>());
      return String.join(",", pointers);
    });
    boolean altostrat = method.getService().getOptions().getExtension(ApiOptionsProto.altostratErrorBody);
    RestResponse rest = new RestResponse();
    ServerCall<Q, R> edgeCall = new SimpleForwardingServerCall<>(call) {
      private Metadata pending;

      @Override
      public void sendHeaders(Metadata responseHeaders) {
        pending = responseHeaders; // sent with the message, once the nulls are known
      }

      @Override
      public void sendMessage(R message) {
        if (pending != null) {
          addHints(pending);
          if (!nulls.isEmpty()) {
            pending.put(JSON_NULLS_KEY, nulls);
          }
          super.sendHeaders(pending);
          pending = null;
        }
        super.sendMessage(message);
      }

      @Override
      public void close(Status closeStatus, Metadata trailers) {
        if (closeStatus.isOk()) {
          if (pending != null) {
            addHints(pending); // headers without a message: no nulls to name
            super.sendHeaders(pending);
          }
        } else {
          if (rest.status() != 0) {
            trailers.put(STATUS_KEY, Integer.toString(rest.status()));
          }
          rest.addHeadersTo(trailers);
          if (altostrat) {
            trailers.put(ERROR_BODY_KEY, AltostratErrors.forStatus(closeStatus, trailers));
          }
        }
        pending = null;
        super.close(closeStatus, trailers);
      }

      private void addHints(Metadata responseHeaders) {
        int status = rest.status() != 0 ? rest.status() : declared;
        if (status != 0) {
          responseHeaders.put(STATUS_KEY, Integer.toString(status));
        }
        rest.addHeadersTo(responseHeaders);
      }
    };
    return Contexts.interceptCall(Context.current().withValue(RestResponse.KEY, rest), edgeCall, headers, next);
  }

  /** Appends the pointers of {@code type}'s nullable fields (at {@code prefix}), "*" for array elements. */
  private static void collect(Descriptor type, String prefix, List<String> pointers, Set<Descriptor> path) {
    if (!path.add(type)) {
      return; // a recursive type: its nested levels are not marked
    }
    for (FieldDescriptor field : type.getFields()) {
      String pointer = prefix + "/" + escape(field.getJsonName());
      if (field.getOptions().getExtension(ApiOptionsProto.jsonNullWhenUnset)) {
        pointers.add(pointer);
      } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isMapField()) {
        collect(field.getMessageType(), field.isRepeated() ? pointer + "/*" : pointer, pointers, path);
      }
    }
    path.remove(type);
  }

  /** RFC 6901: '~' and '/' in a reference token. */
  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
