package dev.tokenauthority.server.gateway;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonParser;

/**
 * Puts JSON {@code null} where the server's {@code x-tokenauthority-json-nulls} header
 * says (comma-separated JSON Pointers, RFC 6901), as envoy/rest_edge.lua does for Envoy.
 */
final class JsonNulls {
  private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

  private JsonNulls() {}

  static String apply(String json, String pointers) {
    if (pointers == null || pointers.isEmpty()) {
      return json;
    }
    JsonElement root = JsonParser.parseString(json);
    for (String pointer : pointers.split(",")) {
      String[] tokens = pointer.substring(1).split("/", -1);
      JsonElement parent = root;
      for (int i = 0; i < tokens.length - 1 && parent != null; i++) {
        String token = unescape(tokens[i]);
        parent = parent.isJsonArray() ? parent.getAsJsonArray().get(Integer.parseInt(token))
            : parent.getAsJsonObject().get(token);
      }
      if (parent != null && parent.isJsonObject()) {
        parent.getAsJsonObject().add(unescape(tokens[tokens.length - 1]), JsonNull.INSTANCE);
      }
    }
    return GSON.toJson(root);
  }

  private static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }
}
