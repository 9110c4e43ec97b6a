package dev.tokenauthority.bench.load;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The server under test, the load generator's connections to it, and this run's fixture. */
final class Session implements AutoCloseable {
  final ServerUnderTest server;
  final List<ManagedChannel> connections = new ArrayList<>();
  final Fixture fixture;

  /** {@code connections} HTTP/2 connections; each channel keeps one. */
  Session(ServerUnderTest server, int connections) {
    this.server = server;
    for (int i = 0; i < connections; i++) {
      // directExecutor: answers are handled on the transport thread that read them, no hand-off
      this.connections.add(NettyChannelBuilder.forAddress(server.host, server.grpcPort).usePlaintext()
          .directExecutor().build());
    }
    this.fixture = Fixture.create(this.connections.get(0), server.bootstrapSecret);
  }

  @Override
  public void close() throws InterruptedException {
    connections.forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel connection : connections) {
      connection.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
