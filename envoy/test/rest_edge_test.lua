-- Runs envoy/rest_edge.lua against a minimal stand-in for the response handle Envoy gives
-- envoy_on_response. Plain Lua 5.1 / LuaJIT, no libraries.
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
-- "@body" entry, with the buffer methods the filter uses (length, getBytes, setBytes).
local function new_handle(initial)
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
  function handle:body()
    return buffer
  end
  return handle
end

local function load_filter()
  envoy_on_response = nil
  local chunk, err = loadfile(filter_path)
  if not chunk then
    error("cannot load " .. filter_path .. ": " .. tostring(err))
  end
  chunk()
  if type(envoy_on_response) ~= "function" then
    error(filter_path .. " defines no global function envoy_on_response")
  end
  return envoy_on_response
end

local HEADER = "x-tokenauthority-http-status"
local NULLS = "x-tokenauthority-json-nulls"
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
    local on_response = load_filter()
    local handle = new_handle(initial)
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

run("a nulls header inserts null at the top level, both headers removed",
  { [":status"] = "200", [HEADER] = "201", [NULLS] = "/expires_at,/last_used_at",
    ["@body"] = '{"id":"tok_1","name":"x"}' },
  { { ":status", "201" }, { HEADER, nil }, { NULLS, nil },
    { "@body", '{"expires_at":null,"last_used_at":null,"id":"tok_1","name":"x"}' },
    { "content-length", tostring(#'{"expires_at":null,"last_used_at":null,"id":"tok_1","name":"x"}') } })

run("an empty object gets its nulls without a dangling comma",
  { [":status"] = "200", [NULLS] = "/lastAccessAt", ["@body"] = "{ }" },
  { { ":status", "200" }, { "@body", '{"lastAccessAt":null }' } })

run("nested objects and list items are found by their pointer",
  { [":status"] = "200", [NULLS] = "/tokens/1/last_used_at,/page/next",
    ["@body"] = '{"tokens":[{"id":"a"},{"id":"b"}],"page":{"size":2}}' },
  { { "@body", '{"tokens":[{"id":"a"},{"last_used_at":null,"id":"b"}],"page":{"next":null,"size":2}}' } })

run("braces, brackets, commas and escaped quotes inside strings are not structure",
  { [":status"] = "200", [NULLS] = "/b/icon",
    ["@body"] = '{"a":"{[,\\"}]","b":{"d":"x\\"y{"}}' },
  { { "@body", '{"a":"{[,\\"}]","b":{"icon":null,"d":"x\\"y{"}}' } })

run("pointer tokens are unescaped (~1 is /, ~0 is ~)",
  { [":status"] = "200", [NULLS] = "/a~1b/c~0d", ["@body"] = '{"a/b":{}}' },
  { { "@body", '{"a/b":{"c~d":null}}' } })

run("an error response keeps its body, nulls header removed",
  { [":status"] = "404", [NULLS] = "/x", ["@body"] = '{"code":5}' },
  { { ":status", "404" }, { NULLS, nil }, { "@body", '{"code":5}' } })

if failures > 0 then
  print(failures .. " failure(s)")
  os.exit(1)
end
print("all passed")
