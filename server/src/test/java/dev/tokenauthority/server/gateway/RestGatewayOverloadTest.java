package dev.tokenauthority.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.server.testing.GatewayWorkers;
import dev.tokenauthority.server.testing.InProcessAuthority;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST gateway never queues without bound: with one worker and no queue, a request that
 * keeps the worker busy (its body still arriving) makes every further request an immediate 429
 * {@code OVERLOADED} with {@code Retry-After}, counted as shed; once the worker is free, requests
 * are served again.
 */
@Timeout(60)
class RestGatewayOverloadTest {
  @TempDir Path dataDir;

  @Test
  void aRequestThatFindsEveryWorkerBusyAndNoRoomInTheQueueIs429AtOnce() throws Exception {
    AtomicInteger shed = new AtomicInteger();
    try (InProcessAuthority authority = InProcessAuthority.start(dataDir);
        RestGateway gateway = RestGateway.start(0, authority.channel(), Set.of(), 1, 0, shed::incrementAndGet)) {
      String base = "http://127.0.0.1:" + gateway.port();
      String body = "{\"name\": \"slow\", \"scopes\": [\"tokens:read\"]}";
      try (Socket slow = new Socket("127.0.0.1", gateway.port())) {
        OutputStream out = slow.getOutputStream();
        out.write(("POST /tokens HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + authority.adminSecret()
            + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
            + body.substring(0, 10)).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        GatewayWorkers.awaitOneReadingABody();

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + "/tokens"))
            .header("Authorization", "Bearer " + authority.adminSecret()).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.body()).contains("\"reason\":\"OVERLOADED\"").contains("google.rpc.RetryInfo");
        HttpResponse<String> fault = http.send(HttpRequest.newBuilder(URI.create(base + "/fault/token"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(fault.statusCode()).isEqualTo(429);
        assertThat(fault.body()).contains("\"code\":\"rate_limited\"");
        assertThat(shed.get()).isEqualTo(2);

        // the slow request itself completes normally once its body has arrived
        out.write(body.substring(10).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String response = new String(readAll(slow.getInputStream()), StandardCharsets.UTF_8);
        assertThat(response).startsWith("HTTP/1.1 201").contains("\"name\":\"slow\"");

        // once the worker has finished that exchange (it may still be closing it), requests are served
        HttpResponse<String> after = null;
        for (int i = 0; i < 100 && (after == null || after.statusCode() == 429); i++) {
          if (after != null) {
            Thread.sleep(20);
          }
          after = http.send(HttpRequest.newBuilder(URI.create(base + "/tokens"))
              .header("Authorization", "Bearer " + authority.adminSecret()).GET().build(),
              HttpResponse.BodyHandlers.ofString());
        }
        assertThat(after.statusCode()).isEqualTo(200);
      }
    }
  }

  private static byte[] readAll(InputStream in) throws java.io.IOException {
    return in.readAllBytes(); // Connection: close, so the server closes after the response
  }
}
