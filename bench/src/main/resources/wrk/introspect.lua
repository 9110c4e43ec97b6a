-- wrk script: POST /v1/tokens:introspect (RFC 7662 introspection through the REST gateway).
-- Environment: TA_TOKEN, an opaque token with tokens:introspect; it is sent as the bearer and
-- introspected (an opaque token's hash lookup and user check, like the gRPC introspect_opaque).
-- done() prints one WRK-RESULT line that the harness parses (latencies in microseconds).

function init(args)
  local token = os.getenv("TA_TOKEN")
  headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }
  body = string.format('{"token":"%s"}', token)
end

function request()
  return wrk.format("POST", "/v1/tokens:introspect", headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK-RESULT requests=%d duration_us=%d status_errors=%d socket_errors=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
