package dev.tokenauthority.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.TransportLimits;
import dev.tokenauthority.server.gateway.RestGateway;
import dev.tokenauthority.server.testing.TestStores;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded gateway's HTTP limits ({@link TransportLimits}), each at and one past, over raw
 * HTTP/1.1 on a socket so that every header byte is the test's: body 1 MiB (413), request
 * target 8 KiB (414), header bytes 16 KiB and header lines 100 (431), JSON error bodies; and
 * past the JDK's own ceiling the connection is closed without harm to the server.
 */
class HttpLimitsTest {
  @TempDir Path dataDir;
  TokenAuthorityServer server;
  String admin;

  @BeforeEach
  void start() throws Exception {
    server = new TokenAuthorityServer(TestStores.config(dataDir).withHttpPort(ServerConfig.ANY_FREE_PORT),
        Clock.systemUTC()).start(InProcessServerBuilder.forName(InProcessServerBuilder.generateName()));
    admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
  }

  record Answer(int status, String body) {
    JsonObject json() {
      return JsonParser.parseString(body).getAsJsonObject();
    }
  }

  /** A header as sent: name, value. */
  record Header(String name, String value) {
    long size() {
      return name.length() + value.length() + 32;
    }
  }

  /** The headers every request here sends; {@code extra} after them. */
  List<Header> headers(List<Header> extra, int bodyLength) {
    List<Header> headers = new ArrayList<>(List.of(new Header("Host", "127.0.0.1:" + server.httpPort()),
        new Header("Authorization", "Bearer " + admin), new Header("Connection", "close")));
    if (bodyLength >= 0) {
      headers.add(new Header("Content-Type", "application/json"));
      headers.add(new Header("Content-Length", Integer.toString(bodyLength)));
    }
    headers.addAll(extra);
    return headers;
  }

  /** Sends one request and reads the whole answer (the server closes: Connection: close); null if none came. */
  Answer send(String method, String target, List<Header> headers, byte[] body) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.httpPort())) {
      socket.setSoTimeout(30_000);
      StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
      headers.forEach(h -> head.append(h.name()).append(": ").append(h.value()).append("\r\n"));
      head.append("\r\n");
      OutputStream out = socket.getOutputStream();
      try {
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
      } catch (IOException e) {
        // the server may close before reading everything; what it answered (if anything) is below
      }
      InputStream in = socket.getInputStream();
      String response;
      try {
        response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        response = ""; // reset: no answer
      }
      if (response.isEmpty()) {
        return null;
      }
      int status = Integer.parseInt(response.substring(9, 12));
      int split = response.indexOf("\r\n\r\n");
      return new Answer(status, split < 0 ? "" : response.substring(split + 4));
    }
  }

  Answer get(String target, List<Header> extra) throws IOException {
    return send("GET", target, headers(extra, -1), new byte[0]);
  }

  /** Still serving: a plain listing answers 200. */
  void assertServing() throws IOException {
    assertThat(get("/tokens", List.of()).status()).isEqualTo(200);
  }

  static void assertError(Answer answer, int status, int grpcCode) {
    assertThat(answer).isNotNull();
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.json().get("code").getAsInt()).isEqualTo(grpcCode);
    assertThat(answer.json().get("message").getAsString()).isNotBlank().doesNotContain("Exception");
  }

  @Test
  void aBodyOfExactlyOneMebibyteIsServedAndOneByteMoreIs413() throws Exception {
    String json = "{\"name\": \"at-the-cap\", \"scopes\": [\"tokens:read\"]}";
    byte[] atCap = (json + " ".repeat(RestGateway.MAX_BODY_BYTES - json.length())).getBytes(StandardCharsets.US_ASCII);
    assertThat(atCap).hasSize(TransportLimits.MAX_MESSAGE_BYTES);
    assertThat(send("POST", "/tokens", headers(List.of(), atCap.length), atCap).status()).isEqualTo(201);

    byte[] past = (json + " ".repeat(RestGateway.MAX_BODY_BYTES + 1 - json.length())).getBytes(StandardCharsets.US_ASCII);
    assertError(send("POST", "/tokens", headers(List.of(), past.length), past), 413, 3);
    assertServing();
  }

  @Test
  void aRequestTargetOfExactlyTheCapIsRoutedAndOneCharacterMoreIs414() throws Exception {
    String prefix = "/tokens/";
    String atCap = prefix + "t".repeat(TransportLimits.MAX_URL_CHARS - prefix.length());
    assertThat(atCap).hasSize(TransportLimits.MAX_URL_CHARS);
    Answer routed = get(atCap, List.of());
    assertThat(routed.status()).as(routed.body()).isEqualTo(404); // the service looked: no such token
    assertThat(routed.json().get("message").getAsString()).contains("No token with ID");

    assertError(get(atCap + "t", List.of()), 414, 3);
    assertError(get("/tokens?page_size=1&" + "x".repeat(TransportLimits.MAX_URL_CHARS), List.of()), 414, 3);
    assertServing();
  }

  @Test
  void headersOfExactlyTheCapAreServedAndOneByteMoreIs431() throws Exception {
    long base = headers(List.of(), -1).stream().mapToLong(Header::size).sum();
    String name = "X-Pad";
    String pad = "p".repeat((int) (TransportLimits.MAX_METADATA_BYTES - base - name.length() - 32));
    List<Header> atCap = List.of(new Header(name, pad));
    assertThat(headers(atCap, -1).stream().mapToLong(Header::size).sum()).isEqualTo(TransportLimits.MAX_METADATA_BYTES);
    assertThat(get("/tokens", atCap).status()).isEqualTo(200);

    assertError(get("/tokens", List.of(new Header(name, pad + "p"))), 431, 8);
    // under /fault/, seed 001's error body, from the same table Envoy's Lua filter uses
    Answer fault = get("/fault/tokens", List.of(new Header(name, pad + "p")));
    assertThat(fault.status()).isEqualTo(431);
    assertThat(fault.json().get("code").getAsString()).isEqualTo("headers_too_large");
    assertServing();
  }

  @Test
  void exactlyTheCapOfHeaderLinesIsServedAndOneMoreIs431() throws Exception {
    int base = headers(List.of(), -1).size();
    List<Header> atCap = new ArrayList<>();
    for (int i = base; i < TransportLimits.MAX_HEADER_COUNT; i++) {
      atCap.add(new Header("X-H" + i, "v"));
    }
    assertThat(headers(atCap, -1)).hasSize(TransportLimits.MAX_HEADER_COUNT);
    assertThat(get("/tokens", atCap).status()).isEqualTo(200);

    List<Header> past = new ArrayList<>(atCap);
    past.add(new Header("X-One-More", "v"));
    assertError(get("/tokens", past), 431, 8);
    // repeated lines of one name count one by one
    List<Header> repeated = new ArrayList<>();
    for (int i = 0; i <= TransportLimits.MAX_HEADER_COUNT; i++) {
      repeated.add(new Header("X-Same", "v"));
    }
    assertError(get("/tokens", repeated), 431, 8);
    assertServing();
  }

  @Test
  void pastTheJdksOwnCeilingTheConnectionClosesAndTheServerKeepsServing() throws Exception {
    List<Header> many = new ArrayList<>();
    for (int i = 0; i < 250; i++) { // the JDK's HTTP server stops parsing at 200 lines
      many.add(new Header("X-H" + i, "v"));
    }
    Answer answer = get("/tokens", many);
    // no answer at all (the JDK closes the connection), never a 2xx or a 500
    assertThat(answer == null || answer.status() == 400 || answer.status() == 431)
        .as("%s", answer).isTrue();
    Answer huge = get("/tokens", List.of(new Header("X-Pad", "p".repeat(400 << 10))));
    assertThat(huge == null || huge.status() == 400 || huge.status() == 431).as("%s", huge).isTrue();
    assertServing();
  }
}
