package dev.tokenauthority.server.gateway;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonParser;

/**
 * Puts JSON {@code null} where the server's {@code x-tokenauthority-json-nulls} header says:
 * comma-separated JSON Pointers (RFC 6901) in which {@code *} stands for every element of an
 * array; each object so addressed that lacks the key gets {@code "key": null}. As
 * envoy/rest_edge.lua does for Envoy.
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
      insert(root, pointer.substring(1).split("/", -1), 0);
    }
    return GSON.toJson(root);
  }

  private static void insert(JsonElement node, String[] tokens, int at) {
    if (node == null || node.isJsonNull()) {
      return;
    }
    String token = unescape(tokens[at]);
    if (at == tokens.length - 1) {
      if (node.isJsonObject() && !node.getAsJsonObject().has(token)) {
        node.getAsJsonObject().add(token, JsonNull.INSTANCE);
      }
    } else if (token.equals("*") && node.isJsonArray()) {
      node.getAsJsonArray().forEach(element -> insert(element, tokens, at + 1));
    } else if (node.isJsonObject()) {
      insert(node.getAsJsonObject().get(token), tokens, at + 1);
    }
  }

  private static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }
}
