package dev.tokenauthority.server.api;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.tokenauthority.v1.ApiOptionsProto;
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
 * What the REST edge (Envoy's Lua filter, the embedded gateway) needs to know about a
 * successful response and cannot see in the transcoded JSON, as response headers it
 * consumes and removes:
 * <ul>
 *   <li>{@value #STATUS}: the method's {@code (tokenauthority.v1.http_success_status)}, e.g. 201;
 *   <li>{@value #JSON_NULLS}: comma-separated JSON Pointers (RFC 6901) of the response's
 *       unset fields marked {@code (tokenauthority.v1.json_null_when_unset)}, which REST
 *       callers see as {@code null}.
 * </ul>
 * The response headers are held back until the response message is known. A failed unary
 * call sends no headers, so errors carry neither.
 */
public final class RestEdgeHeaders implements ServerInterceptor {
  public static final String STATUS = "x-tokenauthority-http-status";
  public static final String JSON_NULLS = "x-tokenauthority-json-nulls";
  public static final Metadata.Key<String> STATUS_KEY = Metadata.Key.of(STATUS, Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> JSON_NULLS_KEY = Metadata.Key.of(JSON_NULLS, Metadata.ASCII_STRING_MARSHALLER);

  /** Per message type: whether it, or a message it contains, has a nullable field. */
  private final Map<Descriptor, Boolean> nullable = new ConcurrentHashMap<>();

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    if (!(call.getMethodDescriptor().getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier)) {
      return next.startCall(call, headers);
    }
    var method = supplier.getMethodDescriptor();
    int status = method.getOptions().getExtension(ApiOptionsProto.httpSuccessStatus);
    boolean nulls = hasNullable(method.getOutputType());
    if (status == 0 && !nulls) {
      return next.startCall(call, headers);
    }
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      private Metadata pending;

      @Override
      public void sendHeaders(Metadata responseHeaders) {
        pending = responseHeaders; // sent with the message, once the nulls are known
      }

      @Override
      public void sendMessage(R message) {
        if (pending != null) {
          if (status != 0) {
            pending.put(STATUS_KEY, Integer.toString(status));
          }
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
        if (pending != null && closeStatus.isOk()) {
          super.sendHeaders(pending); // headers without a message: nothing to add
        }
        pending = null;
        super.close(closeStatus, trailers);
      }
    }, headers);
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
