package dev.tokenauthority.server.api;

import com.google.protobuf.Descriptors.MethodDescriptor;
import dev.tokenauthority.v1.ApiOptionsProto;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;

/**
 * Tells the REST edge which status a successful call answers with: for methods whose
 * proto declares {@code (tokenauthority.v1.http_success_status)}, the response headers
 * carry {@value #NAME}. Envoy's Lua filter and the embedded gateway copy it into the
 * status line and remove it. A failed unary call sends no headers, so errors keep the
 * status their gRPC code maps to.
 */
public final class HttpStatusHeader implements ServerInterceptor {
  public static final String NAME = "x-tokenauthority-http-status";
  static final Metadata.Key<String> KEY = Metadata.Key.of(NAME, Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    int status = successStatus(call.getMethodDescriptor());
    if (status == 0) {
      return next.startCall(call, headers);
    }
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      @Override
      public void sendHeaders(Metadata responseHeaders) {
        responseHeaders.put(KEY, Integer.toString(status));
        super.sendHeaders(responseHeaders);
      }
    }, headers);
  }

  /** The declared success status of a gRPC method, or 0 when it declares none. */
  static int successStatus(io.grpc.MethodDescriptor<?, ?> method) {
    if (method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier) {
      MethodDescriptor proto = supplier.getMethodDescriptor();
      return proto.getOptions().getExtension(ApiOptionsProto.httpSuccessStatus);
    }
    return 0;
  }
}
