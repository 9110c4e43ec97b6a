package dev.tokenauthority.server.api;

import com.google.gson.JsonObject;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.tokenauthority.v1.ErrorReason;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;

/**
 * The Altostrat Faults API error body (seed 001): {@code {type, code, message, doc_url}},
 * with the seed's codes ({@code parameter_missing}, {@code api_key_invalid},
 * {@code permission_denied}, {@code internal_server_error}, ...). It is another rendering
 * of the {@code google.rpc.Status} the {@link ErrorMapper} built, read back from its
 * ErrorInfo and BadRequest details, never a second decision about what went wrong.
 */
public final class AltostratErrors {
  /** Where the Altostrat routes live; errors the REST edge decides under it get this body too. */
  public static final String PATH_PREFIX = "/fault/";
  /** {@code doc_url} is this followed by the code, as the seed documents. */
  public static final String DOC_URL = "https://docs.altostrat.io/errors/";

  private AltostratErrors() {}

  /** The body for the error a call closed with. */
  public static String forStatus(Status status, Metadata trailers) {
    com.google.rpc.Status rich = StatusProto.fromStatusAndTrailers(status, trailers);
    String message = rich.getMessage().isEmpty() ? status.getCode().name() : rich.getMessage();
    String reason = "";
    List<BadRequest.FieldViolation> violations = new ArrayList<>();
    for (Any detail : rich.getDetailsList()) {
      try {
        if (detail.is(ErrorInfo.class)) {
          reason = detail.unpack(ErrorInfo.class).getReason();
        } else if (detail.is(BadRequest.class)) {
          violations.addAll(detail.unpack(BadRequest.class).getFieldViolationsList());
        }
      } catch (InvalidProtocolBufferException e) {
        // a detail this server packed always unpacks; an unreadable one just isn't used
      }
    }
    if (!violations.isEmpty()) {
      return invalidParameters(violations);
    }
    if (reason.equals(ErrorReason.RESOURCE_NOT_FOUND.name())) {
      return json("invalid_request_error", "resource_missing", message);
    }
    if (reason.equals(ErrorReason.RESOURCE_GONE.name())) {
      return json("invalid_request_error", "resource_gone", message);
    }
    if (reason.equals(ErrorReason.RESOURCE_ALREADY_EXISTS.name())) {
      return json("invalid_request_error", "resource_already_exists", message);
    }
    return switch (status.getCode()) {
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> json("invalid_request_error", "parameter_invalid", message);
      case UNAUTHENTICATED -> json("authentication_error", "api_key_invalid", message);
      case PERMISSION_DENIED -> json("permission_error", "permission_denied", message);
      case NOT_FOUND -> json("invalid_request_error", "resource_missing", message);
      case ALREADY_EXISTS, ABORTED -> json("invalid_request_error", "resource_conflict", message);
      case RESOURCE_EXHAUSTED -> json("rate_limit_error", "rate_limited", message);
      case UNAVAILABLE -> json("api_error", "service_unavailable", message);
      case DEADLINE_EXCEEDED -> json("api_error", "timeout", message);
      default -> json("api_error", "internal_server_error", message);
    };
  }

  /**
   * The body for an error the REST edge answers without calling the server (Envoy's
   * rest_edge.lua holds the same table): by HTTP status, with a fixed message, so both
   * edges give the same body.
   */
  public static String forEdge(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> json("invalid_request_error", "request_malformed",
          "The request is not valid JSON for this endpoint, or names a parameter it does not take.");
      case 404 -> json("invalid_request_error", "route_not_found", "No endpoint answers this path.");
      case 405 -> json("invalid_request_error", "method_not_allowed", "This endpoint does not answer this HTTP method.");
      case 413 -> json("invalid_request_error", "request_too_large", "The request body is too large.");
      case 414 -> json("invalid_request_error", "uri_too_long", "The request URL is too long.");
      case 415 -> json("invalid_request_error", "unsupported_media_type",
          "The request body must be JSON (Content-Type: application/json).");
      case 431 -> json("invalid_request_error", "headers_too_large", "The request headers are too large.");
      case 503 -> json("api_error", "service_unavailable", "The service is unavailable; retry shortly.");
      default -> json("api_error", "internal_server_error",
          "An internal error occurred. Please try again or contact support if the issue persists.");
    };
  }

  /** The first bad field picks the code; the message names every one. */
  private static String invalidParameters(List<BadRequest.FieldViolation> violations) {
    boolean missing = violations.get(0).getReason().equals(ErrorMapper.FIELD_REQUIRED);
    List<String> sentences = new ArrayList<>();
    for (BadRequest.FieldViolation violation : violations) {
      sentences.add(violation.getReason().equals(ErrorMapper.FIELD_REQUIRED)
          ? "The '" + violation.getField() + "' parameter is required for this request."
          : "The '" + violation.getField() + "' parameter " + violation.getDescription() + ".");
    }
    return json("invalid_request_error", missing ? "parameter_missing" : "parameter_invalid", String.join(" ", sentences));
  }

  /** Compact JSON, every non-ASCII character escaped, so it can travel in a header. */
  private static String json(String type, String code, String message) {
    JsonObject body = new JsonObject();
    body.addProperty("type", type);
    body.addProperty("code", code);
    body.addProperty("message", message);
    body.addProperty("doc_url", DOC_URL + code);
    String json = body.toString();
    StringBuilder ascii = new StringBuilder(json.length());
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        ascii.append(String.format("\\u%04x", (int) c));
      } else {
        ascii.append(c);
      }
    }
    return ascii.toString();
  }
}
