package dev.tokenauthority.server.api;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
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
 *   <li>{@value #JSON_NULLS}: comma-separated JSON Pointers (RFC 6901) of the response's
 *       unset fields marked {@code (tokenauthority.v1.json_null_when_unset)}, which REST
 *       callers see as {@code null};
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

  /** Per message type: whether it, or a message it contains, has a nullable field. */
  private final Map<Descriptor, Boolean> nullable = new ConcurrentHashMap<>();

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    if (!(call.getMethodDescriptor().getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier)) {
      return next.startCall(call, headers);
    }
    var method = supplier.getMethodDescriptor();
    int declared = method.getOptions().getExtension(ApiOptionsProto.httpSuccessStatus);
    boolean nulls = hasNullable(method.getOutputType());
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
          if (nulls) {
            List<String> pointers = new ArrayList<>();
            collect((Message) message, "", pointers);
            if (!pointers.isEmpty()) {
              pending.put(JSON_NULLS_KEY, String.join(",", pointers));
            }
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

  /** Appends the pointers of the unset nullable fields of {@code message} (at {@code prefix}). */
  private void collect(Message message, String prefix, List<String> pointers) {
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      String pointer = prefix + "/" + escape(field.getJsonName());
      boolean isMessage = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
      if (field.isRepeated()) {
        if (isMessage && !field.isMapField() && hasNullable(field.getMessageType())) {
          for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
            collect((Message) message.getRepeatedField(field, i), pointer + "/" + i, pointers);
          }
        }
      } else if (field.hasPresence() && !message.hasField(field)) {
        if (field.getOptions().getExtension(ApiOptionsProto.jsonNullWhenUnset)) {
          pointers.add(pointer);
        }
      } else if (isMessage && hasNullable(field.getMessageType())) {
        collect((Message) message.getField(field), pointer, pointers);
      }
    }
  }

  private boolean hasNullable(Descriptor type) {
    Boolean known = nullable.get(type);
    if (known == null) {
      known = hasNullable(type, new HashSet<>());
      nullable.put(type, known);
    }
    return known;
  }

  private static boolean hasNullable(Descriptor type, Set<Descriptor> seen) {
    if (!seen.add(type)) {
      return false;
    }
    for (FieldDescriptor field : type.getFields()) {
      if (field.getOptions().getExtension(ApiOptionsProto.jsonNullWhenUnset)) {
        return true;
      }
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && hasNullable(field.getMessageType(), seen)) {
        return true;
      }
    }
    return false;
  }

  /** RFC 6901: '~' and '/' in a reference token. */
  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
