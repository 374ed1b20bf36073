# Sourced by the wrk benchmarks (warmup-curve.sh, steady-wrk.sh): fresh bench tokens, wrk installed
# if missing (Debian package wrk), the tools/call of word_count (2026-07-28 stateless) as BODY, and
# wrk_call_script FILE to write the Lua script that sends it.
command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null || { echo "$0: wrk is needed" >&2; exit 2; }
export ATOLL_MCP_TOKEN="atoll_mcp_bench_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export ATOLL_ADMIN_TOKEN="atoll_admin_bench_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
BODY='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"word_count","arguments":{"text":"hello big world"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}'
wrk_call_script() {
  cat > "$1" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Authorization"] = "Bearer $ATOLL_MCP_TOKEN"
wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
wrk.headers["Mcp-Method"] = "tools/call"
wrk.headers["Mcp-Name"] = "word_count"
wrk.body = '$BODY'
LUA
}
