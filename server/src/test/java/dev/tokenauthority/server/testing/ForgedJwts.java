package dev.tokenauthority.server.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Forgeries of a genuine JWT, by name, for tests that every path refuses them (introspection
 * over gRPC and over REST): none of them is the exact text this authority minted.
 */
public final class ForgedJwts {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private ForgedJwts() {}

  private static String b64(String text) {
    return B64.encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String json(String segment) {
    return new String(Base64.getUrlDecoder().decode(segment), StandardCharsets.UTF_8);
  }

  /** Forgeries of {@code jwt} (an ES256 JWT with a {@code kid}), by what was forged. */
  public static Map<String, String> of(String jwt) throws Exception {
    String[] parts = jwt.split("\\.");
    String header = json(parts[0]);
    String payload = json(parts[1]);
    Map<String, String> forged = new LinkedHashMap<>();
    forged.put("alg none", b64(header.replace("\"ES256\"", "\"none\"")) + "." + parts[1] + ".");
    String hmacHeader = b64(header.replace("\"ES256\"", "\"HS256\""));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec("the-public-key-as-an-hmac-secret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    forged.put("alg confusion (HS256)", hmacHeader + "." + parts[1] + "." + B64.encodeToString(
        mac.doFinal((hmacHeader + "." + parts[1]).getBytes(StandardCharsets.US_ASCII))));
    forged.put("unknown kid", b64(header.replaceAll("\"kid\":\"[^\"]*\"", "\"kid\":\"key_unknown\"")) + "."
        + parts[1] + "." + parts[2]);
    forged.put("tampered payload", parts[0] + "." + b64(payload.replaceFirst("\"exp\":", "\"exp\":9")) + "." + parts[2]);
    forged.put("wrong iss", parts[0] + "." + b64(payload.replaceAll("\"iss\":\"[^\"]*\"", "\"iss\":\"https://evil.example\""))
        + "." + parts[2]);
    forged.put("wrong aud", parts[0] + "." + b64(payload.replaceAll("\"aud\":\"[^\"]*\"", "\"aud\":\"somebody-else\""))
        + "." + parts[2]);
    forged.put("not yet valid (nbf)", parts[0] + "." + b64(payload.replaceFirst("\\{", "{\"nbf\":4102444800,")) + "."
        + parts[2]);
    char first = parts[2].charAt(10);
    forged.put("tampered signature", parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10)
        + (first == 'A' ? 'B' : 'A') + parts[2].substring(11));
    forged.put("no signature", parts[0] + "." + parts[1] + ".");
    forged.put("garbage", "eyJhbGciOiJFUzI1NiJ9.garbage.garbage");
    for (Map.Entry<String, String> entry : forged.entrySet()) {
      if (entry.getValue().equals(jwt)) {
        throw new IllegalStateException("forgery '" + entry.getKey() + "' left the JWT unchanged");
      }
    }
    return forged;
  }
}
