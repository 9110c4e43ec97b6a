-- Token Authority's REST edge in Envoy (loaded by envoy/envoy.yaml): turns the server's hints
-- into what the seeds document, as the embedded gateway does (see RestEdgeHeaders.java).
--
-- * x-tokenauthority-http-status: the transcoder answers every success with 200; methods whose
--   proto declares (tokenauthority.v1.http_success_status), e.g. 201 for the seeds that create
--   a token, carry it here. It replaces a 200 :status.
-- * x-tokenauthority-json-nulls: comma-separated JSON Pointers (RFC 6901) of fields the seeds
--   show as null (proto3 JSON omits unset fields). A "key":null is inserted into each object.
--
-- Both headers are always removed, so callers never see them. Errors (any :status but 200) are
-- left alone. Tested by envoy/test/rest_edge_test.lua (luajit envoy/test/rest_edge_test.lua).

local STATUS_HEADER = "x-tokenauthority-http-status"
local NULLS_HEADER = "x-tokenauthority-json-nulls"

local function escape(token)
  return (token:gsub("~", "~0"):gsub("/", "~1"))
end

local function unescape(token)
  return (token:gsub("~1", "/"):gsub("~0", "~"))
end

-- "/a/0/b,/c" → { ["/a/0"] = {"b"}, [""] = {"c"} }: the keys to add, by the pointer of their object.
local function keys_by_object(pointers)
  local by_object = {}
  for pointer in pointers:gmatch("[^,]+") do
    local object, key = pointer:match("^(.*)/([^/]*)$")
    if object then
      by_object[object] = by_object[object] or {}
      table.insert(by_object[object], unescape(key))
    end
  end
  return by_object
end

-- Inserts "key":null right after the '{' of each object named in `pointers`, scanning the JSON
-- once and tracking the pointer of every object and array it enters. Strings (with escapes) are
-- skipped whole, so braces or quotes inside them are never mistaken for structure.
local function insert_nulls(json, pointers)
  local by_object = keys_by_object(pointers)
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
        top.key, top.expect_key = json:sub(i + 1, j - 1), false
      end
      i = j + 1
    elseif c == "{" or c == "[" then
      local top, pointer = stack[#stack], ""
      if top then
        pointer = top.pointer .. "/" .. (top.object and escape(top.key) or tostring(top.index))
      end
      table.insert(stack, { object = (c == "{"), pointer = pointer, index = 0, expect_key = true })
      local keys = c == "{" and by_object[pointer]
      if keys then
        local fields = {}
        for _, key in ipairs(keys) do
          fields[#fields + 1] = '"' .. key .. '":null'
        end
        local empty = json:match("^%s*}", i + 1) ~= nil
        table.insert(out, json:sub(copied, i))
        table.insert(out, table.concat(fields, ",") .. (empty and "" or ","))
        copied = i + 1
      end
      i = i + 1
    elseif c == "}" or c == "]" then
      table.remove(stack)
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

function envoy_on_response(response_handle)
  local headers = response_handle:headers()
  local declared = headers:get(STATUS_HEADER)
  local nulls = headers:get(NULLS_HEADER)
  headers:remove(STATUS_HEADER)
  headers:remove(NULLS_HEADER)
  if headers:get(":status") ~= "200" then
    return
  end
  if nulls ~= nil and nulls ~= "" then
    local body = response_handle:body() -- waits for, and buffers, the whole transcoded body
    local rewritten = insert_nulls(body:getBytes(0, body:length()), nulls)
    body:setBytes(rewritten)
    headers:replace("content-length", tostring(#rewritten))
  end
  if declared ~= nil then
    headers:replace(":status", declared)
  end
end
