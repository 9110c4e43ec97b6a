package dev.tokenauthority.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Assertions on the JSON a REST response carries: exact keys, JSON types, error bodies. */
public final class JsonShape {
  private JsonShape() {}

  /** A JSON type; TIME is an RFC 3339 UTC string ("...Z"). */
  public enum Type { STRING, NUMBER, BOOLEAN, OBJECT, ARRAY, NULL, TIME }

  /** {@code key, type, key, type, ...} in order. */
  public static Map<String, Type> shape(Object... keysAndTypes) {
    Map<String, Type> shape = new LinkedHashMap<>();
    for (int i = 0; i < keysAndTypes.length; i += 2) {
      shape.put((String) keysAndTypes[i], (Type) keysAndTypes[i + 1]);
    }
    return shape;
  }

  /** {@code shape} with {@code key} of another {@code type}. */
  public static Map<String, Type> with(Map<String, Type> shape, String key, Type type) {
    Map<String, Type> changed = new LinkedHashMap<>(shape);
    changed.put(key, type);
    return changed;
  }

  public static JsonObject body(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as("status of %s: %s", response.uri(), response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().map().keySet()).noneMatch(name -> name.startsWith("x-tokenauthority-"));
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  /** Asserts {@code object} has exactly the keys of {@code shape}, each of its type. */
  public static JsonObject assertShape(JsonObject object, Map<String, Type> shape) {
    assertThat(object.keySet()).containsExactlyInAnyOrderElementsOf(shape.keySet());
    shape.forEach((key, type) -> assertThat(typeOf(object.get(key))).as("type of %s in %s", key, object).isEqualTo(type));
    return object;
  }

  public static Type typeOf(JsonElement value) {
    if (value.isJsonNull()) {
      return Type.NULL;
    }
    if (value.isJsonObject()) {
      return Type.OBJECT;
    }
    if (value.isJsonArray()) {
      return Type.ARRAY;
    }
    var primitive = value.getAsJsonPrimitive();
    if (primitive.isBoolean()) {
      return Type.BOOLEAN;
    }
    if (primitive.isNumber()) {
      return Type.NUMBER;
    }
    String text = primitive.getAsString();
    if (text.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z")) {
      Instant.parse(text);
      return Type.TIME;
    }
    return Type.STRING;
  }

  /** The google.rpc.Status JSON of an error: its code and its one ErrorInfo reason. */
  public static JsonObject assertStatus(HttpResponse<String> response, int httpStatus, int grpcCode, String reason) {
    JsonObject status = body(response, httpStatus);
    assertThat(status.keySet()).containsExactlyInAnyOrder("code", "message", "details");
    assertThat(status.get("code").getAsInt()).isEqualTo(grpcCode);
    assertThat(status.get("message").getAsString()).isNotBlank();
    List<String> reasons = new ArrayList<>();
    for (JsonElement detail : status.getAsJsonArray("details")) {
      JsonObject info = detail.getAsJsonObject();
      if (info.get("@type").getAsString().equals("type.googleapis.com/google.rpc.ErrorInfo")) {
        assertThat(info.get("domain").getAsString()).isEqualTo("tokenauthority.dev");
        reasons.add(info.get("reason").getAsString());
      }
    }
    assertThat(reasons).containsExactly(reason);
    return status;
  }

  /** The JSON names of the fields a google.rpc.Status JSON's BadRequest names. */
  public static List<String> badFields(JsonObject status) {
    List<String> fields = new ArrayList<>();
    for (JsonElement detail : status.getAsJsonArray("details")) {
      JsonObject object = detail.getAsJsonObject();
      if (object.get("@type").getAsString().equals("type.googleapis.com/google.rpc.BadRequest")) {
        object.getAsJsonArray("fieldViolations").forEach(v -> fields.add(v.getAsJsonObject().get("field").getAsString()));
      }
    }
    return fields;
  }

  /** Seed 001's ErrorResponse: exactly type, code, message and doc_url, all strings. */
  public static JsonObject assertAltostratError(HttpResponse<String> response, int httpStatus, String type, String code) {
    JsonObject error = body(response, httpStatus);
    assertShape(error, shape("type", Type.STRING, "code", Type.STRING, "message", Type.STRING, "doc_url", Type.STRING));
    assertThat(error.get("type").getAsString()).isEqualTo(type);
    assertThat(error.get("code").getAsString()).isEqualTo(code);
    assertThat(error.get("message").getAsString()).isNotBlank();
    assertThat(error.get("doc_url").getAsString()).isEqualTo("https://docs.altostrat.io/errors/" + code);
    return error;
  }
}
