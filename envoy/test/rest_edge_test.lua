-- Runs envoy/rest_edge.lua against a minimal stand-in for the handles Envoy gives
-- envoy_on_request and envoy_on_response. Plain Lua 5.1 / LuaJIT, no libraries.
--
--   luajit envoy/test/rest_edge_test.lua                 -- tests envoy/rest_edge.lua
--   luajit envoy/test/rest_edge_test.lua path/to/filter  -- tests another copy of the filter
--
-- Prints each case; exits 1 if any case fails. LuaFilterTest (this module) runs it from Maven.

local function script_dir()
  local source = debug.getinfo(1, "S").source
  local path = source:sub(1, 1) == "@" and source:sub(2) or source
  return path:match("^(.*)[/\\]") or "."
end

local filter_path = arg and arg[1] or (script_dir() .. "/../rest_edge.lua")

-- The stand-in: headers():get/replace/remove over a plain table, as Envoy's header map
-- behaves for single-valued headers (get returns nil for an absent header); body() over the
-- "@body" entry, with the buffer methods the filter uses (length, getBytes, setBytes), nil
-- when there is no body unless always_wrap; streamInfo():dynamicMetadata() over `metadata`,
-- the table Envoy keeps per stream (shared by the request and the response handle).
local function new_handle(initial, metadata)
  local values = {}
  for name, value in pairs(initial) do
    values[name] = value
  end
  local buffer = {}
  function buffer:length()
    return #(values["@body"] or "")
  end
  function buffer:getBytes(index, length)
    return (values["@body"] or ""):sub(index + 1, index + length)
  end
  function buffer:setBytes(text)
    values["@body"] = text
  end
  local header_map = {}
  function header_map:get(name)
    return values[name]
  end
  function header_map:replace(name, value)
    values[name] = value
  end
  function header_map:remove(name)
    values[name] = nil
  end
  local handle = { values = values }
  function handle:headers()
    return header_map
  end
  function handle:body(always_wrap)
    if values["@body"] == nil and not always_wrap then
      return nil
    end
    return buffer
  end
  local dynamic = {}
  function dynamic:set(namespace, key, value)
    metadata[namespace] = metadata[namespace] or {}
    metadata[namespace][key] = value
  end
  function dynamic:get(namespace)
    return metadata[namespace]
  end
  local stream_info = {}
  function stream_info:dynamicMetadata()
    return dynamic
  end
  function handle:streamInfo()
    return stream_info
  end
  return handle
end

local function load_filter()
  envoy_on_request, envoy_on_response = nil, nil
  local chunk, err = loadfile(filter_path)
  if not chunk then
    error("cannot load " .. filter_path .. ": " .. tostring(err))
  end
  chunk()
  if type(envoy_on_response) ~= "function" then
    error(filter_path .. " defines no global function envoy_on_response")
  end
  if type(envoy_on_request) ~= "function" then
    error(filter_path .. " defines no global function envoy_on_request")
  end
  return envoy_on_request, envoy_on_response
end

local HEADER = "x-tokenauthority-http-status"
local NULLS = "x-tokenauthority-json-nulls"
local ERROR_BODY = "x-tokenauthority-error-body"
local failures = 0

local function check(case, handle, name, expected)
  local actual = handle.values[name]
  if actual ~= expected then
    failures = failures + 1
    print(string.format("FAIL %s: %s is %s, expected %s", case, name, tostring(actual), tostring(expected)))
    return false
  end
  return true
end

local function run(case, initial, expectations)
  local ok, err = pcall(function()
    local on_request, on_response = load_filter()
    local metadata = {}
    on_request(new_handle({ [":path"] = initial["@path"] or "/tokens" }, metadata))
    local handle = new_handle(initial, metadata)
    on_response(handle)
    local passed = true
    for _, e in ipairs(expectations) do
      passed = check(case, handle, e[1], e[2]) and passed
    end
    if passed then
      print("ok   " .. case)
    end
  end)
  if not ok then
    failures = failures + 1
    print(string.format("FAIL %s: %s", case, tostring(err)))
  end
end

print("testing " .. filter_path)

run("200 with the header becomes 201, header removed",
  { [":status"] = "200", [HEADER] = "201", ["content-type"] = "application/json" },
  { { ":status", "201" }, { HEADER, nil }, { "content-type", "application/json" } })

run("200 without the header stays 200",
  { [":status"] = "200", ["content-type"] = "application/json" },
  { { ":status", "200" }, { HEADER, nil }, { "content-type", "application/json" } })

run("an error status keeps its status, header removed",
  { [":status"] = "404", [HEADER] = "201" },
  { { ":status", "404" }, { HEADER, nil } })

run("a 503 from the transcoder keeps its status, header removed",
  { [":status"] = "503", [HEADER] = "201" },
  { { ":status", "503" }, { HEADER, nil } })

run("a nulls header adds the missing keys as null, both headers removed",
  { [":status"] = "200", [HEADER] = "201", [NULLS] = "/expires_at,/last_used_at",
    ["@body"] = '{"id":"tok_1","name":"x"}' },
  { { ":status", "201" }, { HEADER, nil }, { NULLS, nil },
    { "@body", '{"id":"tok_1","name":"x","expires_at":null,"last_used_at":null}' },
    { "content-length", tostring(#'{"id":"tok_1","name":"x","expires_at":null,"last_used_at":null}') } })

run("a key that is present keeps its value",
  { [":status"] = "200", [NULLS] = "/expires_at,/last_used_at",
    ["@body"] = '{"expires_at":"2030-01-01T00:00:00Z","id":"t"}' },
  { { "@body", '{"expires_at":"2030-01-01T00:00:00Z","id":"t","last_used_at":null}' } })

run("an empty object gets its nulls without a dangling comma",
  { [":status"] = "200", [NULLS] = "/lastAccessAt", ["@body"] = "{ }" },
  { { ":status", "200" }, { "@body", '{ "lastAccessAt":null}' } })

run("* addresses every list item; nested objects are found by their pointer",
  { [":status"] = "200", [NULLS] = "/tokens/*/last_used_at,/page/next",
    ["@body"] = '{"tokens":[{"id":"a","last_used_at":"t"},{"id":"b"}],"page":{"size":2}}' },
  { { "@body", '{"tokens":[{"id":"a","last_used_at":"t"},{"id":"b","last_used_at":null}],"page":{"size":2,"next":null}}' } })

run("an index in the pointer addresses one list item only",
  { [":status"] = "200", [NULLS] = "/tokens/1/x", ["@body"] = '{"tokens":[{"id":"a"},{"id":"b"}]}' },
  { { "@body", '{"tokens":[{"id":"a"},{"id":"b","x":null}]}' } })

run("braces, brackets, commas and escaped quotes inside strings are not structure",
  { [":status"] = "200", [NULLS] = "/b/icon",
    ["@body"] = '{"a":"{[,\\"}]","b":{"d":"x\\"y{"}}' },
  { { "@body", '{"a":"{[,\\"}]","b":{"d":"x\\"y{","icon":null}}' } })

run("pointer tokens are unescaped (~1 is /, ~0 is ~)",
  { [":status"] = "200", [NULLS] = "/a~1b/c~0d", ["@body"] = '{"a/b":{}}' },
  { { "@body", '{"a/b":{"c~d":null}}' } })

run("an error response keeps its body, nulls header removed",
  { [":status"] = "404", [NULLS] = "/x", ["@body"] = '{"code":5}' },
  { { ":status", "404" }, { NULLS, nil }, { "@body", '{"code":5}' } })

run("a redirect status chosen by the service replaces 200",
  { [":status"] = "200", [HEADER] = "302", ["location"] = "https://dash.example/x" },
  { { ":status", "302" }, { HEADER, nil }, { "location", "https://dash.example/x" } })

run("an error status chosen by the service replaces the transcoder's",
  { [":status"] = "404", [HEADER] = "410", ["@body"] = '{"code":5}' },
  { { ":status", "410" }, { HEADER, nil }, { "@body", '{"code":5}' } })

local ALTOSTRAT = '{"type":"authentication_error","code":"api_key_invalid","message":"No key.",'
  .. '"doc_url":"https://docs.altostrat.io/errors/api_key_invalid"}'
run("the server's error body replaces the google.rpc.Status, header removed",
  { ["@path"] = "/fault/token", [":status"] = "401", [ERROR_BODY] = ALTOSTRAT,
    ["@body"] = '{"code":16,"message":"No key.","details":[]}', ["content-type"] = "application/json" },
  { { ":status", "401" }, { ERROR_BODY, nil }, { "@body", ALTOSTRAT }, { "content-length", tostring(#ALTOSTRAT) },
    { "content-type", "application/json" } })

local ROUTE_NOT_FOUND = '{"type":"invalid_request_error","code":"route_not_found",'
  .. '"message":"No endpoint answers this path.","doc_url":"https://docs.altostrat.io/errors/route_not_found"}'
run("an error Envoy answers itself under /fault/ gets the Altostrat body",
  { ["@path"] = "/fault/nowhere", [":status"] = "404", ["@body"] = "Could not resolve /fault/nowhere to a method.",
    ["content-type"] = "text/plain" },
  { { ":status", "404" }, { "@body", ROUTE_NOT_FOUND }, { "content-type", "application/json" } })

local MALFORMED = '{"type":"invalid_request_error","code":"request_malformed",'
  .. '"message":"The request is not valid JSON for this endpoint, or names a parameter it does not take.",'
  .. '"doc_url":"https://docs.altostrat.io/errors/request_malformed"}'
run("a malformed body under /fault/ gets the Altostrat body",
  { ["@path"] = "/fault/token", [":status"] = "400", ["@body"] = "Unexpected end of string." },
  { { ":status", "400" }, { "@body", MALFORMED } })

run("an error Envoy answers itself elsewhere keeps its body",
  { ["@path"] = "/tokens/nowhere", [":status"] = "404", ["@body"] = "Could not resolve." },
  { { ":status", "404" }, { "@body", "Could not resolve." } })

run("a success under /fault/ keeps its body",
  { ["@path"] = "/fault/token", [":status"] = "200", ["@body"] = '{"type":"jwt"}' },
  { { ":status", "200" }, { "@body", '{"type":"jwt"}' } })

local LIMITED = '{"code":8,"message":"Too many failed authentications.","details":[{"@type":'
  .. '"type.googleapis.com/google.rpc.ErrorInfo","reason":"AUTH_RATE_LIMITED"},{"@type":'
  .. '"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"3s"}]}'
run("a 429 gets Retry-After from the RetryInfo in its body",
  { [":status"] = "429", ["@body"] = LIMITED },
  { { ":status", "429" }, { "retry-after", "3" }, { "@body", LIMITED } })

run("a fractional retryDelay rounds up",
  { [":status"] = "429", ["@body"] = '{"details":[{"retryDelay": "2.500s"}]}' },
  { { "retry-after", "3" } })

run("a 429 without RetryInfo gets no Retry-After",
  { [":status"] = "429", ["@body"] = '{"code":8,"details":[]}' },
  { { ":status", "429" }, { "retry-after", nil } })

run("an existing Retry-After is kept",
  { [":status"] = "429", ["retry-after"] = "7", ["@body"] = LIMITED },
  { { "retry-after", "7" } })

run("Retry-After is only for 429",
  { [":status"] = "401", ["@body"] = LIMITED },
  { { "retry-after", nil } })

run("a 429 under /fault/ gets Retry-After before the Altostrat body replaces the status",
  { ["@path"] = "/fault/token", [":status"] = "429", ["@body"] = LIMITED },
  { { ":status", "429" }, { "retry-after", "3" } })

if failures > 0 then
  print(failures .. " failure(s)")
  os.exit(1)
end
print("all passed")
