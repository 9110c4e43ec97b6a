-- Token Authority's REST edge in Envoy (loaded by envoy/envoy.yaml): turns the server's hints
-- into what the seeds document, as the embedded gateway does (see RestEdgeHeaders.java).
--
-- * x-tokenauthority-http-status: the status to answer when it is not the transcoder's: the
--   method's (tokenauthority.v1.http_success_status), e.g. 201 for the seeds that create a
--   token, or one the service chose for this call (302, or 410 on an error). It replaces a
--   200 :status, and an error's only with another error status.
-- * x-tokenauthority-json-nulls: comma-separated JSON Pointers (RFC 6901) of fields the seeds
--   show as null (proto3 JSON omits unset fields), "*" standing for every array element. Each
--   object so addressed in a successful (200) response that lacks the key gets "key":null.
-- * x-tokenauthority-error-body: on an error of a service with the Altostrat error body
--   (seed 001), the whole body to answer, which replaces the transcoder's google.rpc.Status.
--   Errors Envoy decides itself under /fault/ (no such path, malformed JSON, ...) get the
--   same shape from EDGE_ERRORS, which mirrors AltostratErrors.forEdge in the server.
--
-- * A 429 (a rate-limited authentication) gets Retry-After from the RetryInfo in its body.
--
-- The headers are always removed, so callers never see them. Tested by
-- envoy/test/rest_edge_test.lua (luajit envoy/test/rest_edge_test.lua).

local STATUS_HEADER = "x-tokenauthority-http-status"
local NULLS_HEADER = "x-tokenauthority-json-nulls"
local ERROR_BODY_HEADER = "x-tokenauthority-error-body"
local METADATA = "tokenauthority.rest_edge"
local ALTOSTRAT_PREFIX = "/fault/"
local DOC_URL = "https://docs.altostrat.io/errors/"

-- Errors Envoy answers itself on the Altostrat routes, by status (AltostratErrors.forEdge).
local EDGE_ERRORS = {
  ["400"] = { "invalid_request_error", "request_malformed",
    "The request is not valid JSON for this endpoint, or names a parameter it does not take." },
  ["404"] = { "invalid_request_error", "route_not_found", "No endpoint answers this path." },
  ["405"] = { "invalid_request_error", "method_not_allowed", "This endpoint does not answer this HTTP method." },
  ["413"] = { "invalid_request_error", "request_too_large", "The request body is too large." },
  ["414"] = { "invalid_request_error", "uri_too_long", "The request URL is too long." },
  ["415"] = { "invalid_request_error", "unsupported_media_type",
    "The request body must be JSON (Content-Type: application/json)." },
  ["431"] = { "invalid_request_error", "headers_too_large", "The request headers are too large." },
  ["503"] = { "api_error", "service_unavailable", "The service is unavailable; retry shortly." },
}
local EDGE_DEFAULT = { "api_error", "internal_server_error",
  "An internal error occurred. Please try again or contact support if the issue persists." }

local function edge_error(status)
  local e = EDGE_ERRORS[status] or EDGE_DEFAULT
  return '{"type":"' .. e[1] .. '","code":"' .. e[2] .. '","message":"' .. e[3]
    .. '","doc_url":"' .. DOC_URL .. e[2] .. '"}'
end

-- A JSON string's content as text, for the escapes a key can have (\" and \\).
local function unescape_json(text)
  return (text:gsub("\\\\(.)", "%1"))
end

-- A JSON Pointer reference token as text (RFC 6901: ~1 is /, ~0 is ~).
local function unescape(token)
  return (token:gsub("~1", "/"):gsub("~0", "~"))
end

-- "/a/*/b,/c" → { { segments = {"a","*"}, key = "b" }, { segments = {}, key = "c" } }: the key to
-- add and the pattern of the objects it belongs in ("*" matches any array index).
local function parse_pointers(pointers)
  local patterns = {}
  for pointer in pointers:gmatch("[^,]+") do
    local segments = {}
    for token in pointer:gmatch("/([^/]*)") do
      segments[#segments + 1] = unescape(token)
    end
    local key = table.remove(segments)
    if key then
      patterns[#patterns + 1] = { segments = segments, key = key }
    end
  end
  return patterns
end

-- The keys to add to the object at `path` (a list of segments): those whose pattern matches.
local function keys_for(patterns, path)
  local keys = {}
  for _, pattern in ipairs(patterns) do
    local segments = pattern.segments
    if #segments == #path then
      local match = true
      for k = 1, #path do
        if segments[k] ~= "*" and segments[k] ~= path[k] then
          match = false
          break
        end
      end
      if match then
        keys[pattern.key] = true
      end
    end
  end
  return keys
end

-- Adds "key":null to each object the pointers address that lacks the key, scanning the JSON
-- once: it tracks the path of every object and array it is in and the keys each object has;
-- the missing keys are added just before the object's '}'. Strings (with escapes) are skipped
-- whole, so braces or quotes inside them are never mistaken for structure.
local function insert_nulls(json, pointers)
  local patterns = parse_pointers(pointers)
  local out, stack = {}, {}
  local i, n, copied = 1, #json, 1
  while i <= n do
    local c = json:sub(i, i)
    if c == '"' then
      local j = i + 1
      while j <= n do
        local d = json:sub(j, j)
        if d == "\\" then
          j = j + 2
        elseif d == '"' then
          break
        else
          j = j + 1
        end
      end
      local top = stack[#stack]
      if top and top.object and top.expect_key then
        top.key, top.expect_key, top.has_keys = unescape_json(json:sub(i + 1, j - 1)), false, true
        if top.missing then
          top.missing[top.key] = nil
        end
      end
      i = j + 1
    elseif c == "{" or c == "[" then
      local top, path = stack[#stack], {}
      if top then
        for k, segment in ipairs(top.path) do
          path[k] = segment
        end
        path[#path + 1] = top.object and top.key or tostring(top.index)
      end
      local frame = { object = (c == "{"), path = path, index = 0, expect_key = true, has_keys = false }
      if frame.object then
        frame.missing = keys_for(patterns, path)
      end
      table.insert(stack, frame)
      i = i + 1
    elseif c == "}" or c == "]" then
      local frame = table.remove(stack)
      if frame and frame.object and next(frame.missing) then
        local fields = {}
        for key in pairs(frame.missing) do
          fields[#fields + 1] = '"' .. key .. '":null'
        end
        table.sort(fields)
        table.insert(out, json:sub(copied, i - 1))
        table.insert(out, (frame.has_keys and "," or "") .. table.concat(fields, ","))
        copied = i
      end
      i = i + 1
    elseif c == "," then
      local top = stack[#stack]
      if top and top.object then
        top.expect_key = true
      elseif top then
        top.index = top.index + 1
      end
      i = i + 1
    else
      i = i + 1
    end
  end
  table.insert(out, json:sub(copied))
  return table.concat(out)
end

local function replace_body(response_handle, json)
  local body = response_handle:body(true) -- waits for, and buffers, the whole body
  body:setBytes(json)
  response_handle:headers():replace("content-length", tostring(#json))
end

-- Remembers, for the response, whether the request was on an Altostrat route.
function envoy_on_request(request_handle)
  local path = request_handle:headers():get(":path") or ""
  if path:sub(1, #ALTOSTRAT_PREFIX) == ALTOSTRAT_PREFIX then
    request_handle:streamInfo():dynamicMetadata():set(METADATA, "altostrat", true)
  end
end

local function on_altostrat_route(response_handle)
  local metadata = response_handle:streamInfo():dynamicMetadata():get(METADATA)
  return metadata ~= nil and metadata["altostrat"] == true
end

-- Retry-After (whole seconds, rounded up) from the google.rpc.RetryInfo that
-- convert_grpc_status printed into a 429's JSON body ("retryDelay": "3s"), as the embedded
-- gateway sets it; left alone when already set or when the body has none.
local function retry_after(response_handle, headers)
  if headers:get("retry-after") ~= nil then
    return
  end
  local body = response_handle:body()
  if body == nil then
    return
  end
  local seconds, fraction = body:getBytes(0, body:length()):match('"retryDelay"%s*:%s*"(%d+)%.?(%d*)s"')
  if seconds ~= nil then
    local rounded = tonumber(seconds) + ((fraction ~= "" and tonumber(fraction) > 0) and 1 or 0)
    headers:replace("retry-after", tostring(rounded))
  end
end

function envoy_on_response(response_handle)
  local headers = response_handle:headers()
  local declared = headers:get(STATUS_HEADER)
  local nulls = headers:get(NULLS_HEADER)
  local error_body = headers:get(ERROR_BODY_HEADER)
  headers:remove(STATUS_HEADER)
  headers:remove(NULLS_HEADER)
  headers:remove(ERROR_BODY_HEADER)
  local status = headers:get(":status")
  if status ~= "200" then
    if status == "429" then
      retry_after(response_handle, headers)
    end
    if error_body == nil and tonumber(status) >= 400 and on_altostrat_route(response_handle) then
      error_body = edge_error(status)
    end
    if error_body ~= nil then
      replace_body(response_handle, error_body)
      headers:replace("content-type", "application/json")
    end
  elseif nulls ~= nil and nulls ~= "" then
    local body = response_handle:body()
    replace_body(response_handle, insert_nulls(body:getBytes(0, body:length()), nulls))
  end
  -- an error keeps an error status: only a status the service chose for its error replaces it
  if declared ~= nil and (status == "200" or tonumber(declared) >= 400) then
    headers:replace(":status", declared)
  end
end
