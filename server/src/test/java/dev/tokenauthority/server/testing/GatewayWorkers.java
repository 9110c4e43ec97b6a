package dev.tokenauthority.server.testing;

import dev.tokenauthority.server.gateway.RestGateway;
import java.util.Arrays;

/** What the embedded REST gateway's worker threads are doing, seen from their stacks. */
public final class GatewayWorkers {
  private GatewayWorkers() {}

  /** Waits until a gateway worker is blocked reading a request body (at most 10 s). */
  public static void awaitOneReadingABody() throws InterruptedException {
    for (int i = 0; i < 1000; i++) {
      boolean reading = Thread.getAllStackTraces().entrySet().stream()
          .filter(e -> e.getKey().getName().equals("rest-gateway"))
          .anyMatch(e -> Arrays.stream(e.getValue()).anyMatch(frame -> frame.getClassName().equals(RestGateway.class.getName())
              && frame.getMethodName().equals("readBody")));
      if (reading) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no gateway worker is reading a request body after 10 s");
  }
}
