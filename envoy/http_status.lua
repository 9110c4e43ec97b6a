-- The 201 convention of Token Authority's REST edge (loaded by envoy/envoy.yaml).
--
-- Envoy's gRPC-JSON transcoder answers every successful call with 200. Methods whose proto
-- declares (tokenauthority.v1.http_success_status), e.g. 201 for the seeds that create a
-- token, make the server send that status in the x-tokenauthority-http-status response header.
-- This copies it into :status when the transcoder produced a 200, and always removes the
-- header, so callers never see it. Errors (4xx/5xx mapped from the gRPC status) are left alone.
--
-- Tested by envoy/test/http_status_test.lua (run: luajit envoy/test/http_status_test.lua).

local STATUS_HEADER = "x-tokenauthority-http-status"

function envoy_on_response(response_handle)
  local headers = response_handle:headers()
  local declared = headers:get(STATUS_HEADER)
  if declared ~= nil and headers:get(":status") == "200" then
    headers:replace(":status", declared)
  end
  headers:remove(STATUS_HEADER)
end
