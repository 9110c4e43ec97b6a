package dev.tokenauthority.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server's Prometheus endpoint, read as text, and one sample's value in it. */
public final class MetricsScrape {
  private MetricsScrape() {}

  /** The body of {@code GET /metrics} on {@code metricsPort}. */
  public static String of(int metricsPort) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The value of the first sample named {@code name} (any labels); fails if there is none. */
  public static double value(String scrape, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(scrape);
    assertThat(m.find()).as(name + " in the scrape").isTrue();
    return Double.parseDouble(m.group(1));
  }
}
