-- wrk script: one MCP 2026-07-28 stateless tools/call of a tiny tool per request (a fresh isolate
-- context per call). Token from the ATOLL_MCP_TOKEN environment variable.
-- Run: wrk -t2 -c16 -d20s -s benchmarks/http/tools-call.lua http://127.0.0.1:8080/mcp
local token = os.getenv("ATOLL_MCP_TOKEN") or "atoll-bench-token-0123456789"
local tool = os.getenv("ATOLL_BENCH_TOOL") or "word_count"
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
wrk.headers["Mcp-Method"] = "tools/call"
wrk.headers["Mcp-Name"] = tool
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"' .. tool ..
  '","arguments":{"text":"hello big world"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",' ..
  '"io.modelcontextprotocol/clientCapabilities":{}}}}'

local errors = 0
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, '"isError":false', 1, true) then
    errors = errors + 1
    if errors <= 3 then io.stderr:write("unexpected response " .. status .. ": " .. string.sub(body, 1, 200) .. "\n") end
  end
end
