-- wrk script: MCP 2026-07-28 stateless ping, the baseline of the HTTP stack (auth, JSON-RPC decode,
-- response) without a tool call. Token from the ATOLL_MCP_TOKEN environment variable.
-- Run: wrk -t1 -c1 -d10s -s benchmarks/http/ping.lua http://127.0.0.1:8080/mcp
local token = os.getenv("ATOLL_MCP_TOKEN") or "atoll-bench-token-0123456789"
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
wrk.headers["Mcp-Method"] = "ping"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",' ..
  '"io.modelcontextprotocol/clientCapabilities":{}}}}'

local errors = 0
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, '"result"', 1, true) then
    errors = errors + 1
    if errors <= 3 then io.stderr:write("unexpected response " .. status .. ": " .. string.sub(body, 1, 200) .. "\n") end
  end
end
