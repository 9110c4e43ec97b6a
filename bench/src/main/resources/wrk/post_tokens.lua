-- wrk script: POST /tokens (seed 004, CreateWorkspaceToken through the REST gateway).
-- Environment: TA_TOKEN, a token with tokens:write; TA_RUN, unique per wrk run, because
-- workspace token names are unique per tenant (every request gets <run>-<thread>-<n>).
-- done() prints one WRK-RESULT line that the harness parses (latencies in microseconds).

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  prefix = string.format("wrk-%s-%d-", os.getenv("TA_RUN") or "run", tid)
  headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("TA_TOKEN"),
  }
  sent = 0
end

function request()
  sent = sent + 1
  local body = string.format('{"name":"%s%d","scopes":["tokens:read"]}', prefix, sent)
  return wrk.format("POST", "/tokens", headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK-RESULT requests=%d duration_us=%d status_errors=%d socket_errors=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
