package dev.tokenauthority.bench.load;

import com.google.protobuf.BytesValue;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;

/**
 * The transport baseline: a unary call that answers its request, with no interceptor, no
 * auth and no store. Registered only on the harness's server (see {@link BenchServer}), next
 * to the production services, on the same builder, so it shares their transport and executor.
 */
final class Echo {
  static final String SERVICE_NAME = "tokenauthority.bench.Echo";

  static final MethodDescriptor<BytesValue, BytesValue> METHOD = MethodDescriptor.<BytesValue, BytesValue>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE_NAME, "Echo"))
      .setRequestMarshaller(ProtoUtils.marshaller(BytesValue.getDefaultInstance()))
      .setResponseMarshaller(ProtoUtils.marshaller(BytesValue.getDefaultInstance()))
      .build();

  static ServerServiceDefinition service() {
    return ServerServiceDefinition.builder(SERVICE_NAME)
        .addMethod(METHOD, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(request);
          response.onCompleted();
        }))
        .build();
  }

  private Echo() {}
}
