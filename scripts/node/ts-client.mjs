// End-to-end check with the official MCP TypeScript SDK client over Streamable HTTP (2025 era):
// initialize, list tools, call a tool, read a tool error, end the session.
// Usage: node ts-client.mjs URL TOKEN    (exit 0 only if every check passed)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error("usage: node ts-client.mjs URL TOKEN");
  process.exit(2);
}
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
const client = new Client({ name: "atoll-e2e-ts", version: "1.0.0" });
await client.connect(transport);
check(client.getServerVersion()?.name === "atoll", "serverInfo.name is atoll");
check(typeof transport.sessionId === "string" && transport.sessionId.length >= 16, "session id assigned");

const { tools } = await client.listTools();
const names = tools.map((t) => t.name);
check(names.includes("word_count") && names.includes("slugify"), `tools/list has the examples (${names.join(", ")})`);

const wc = await client.callTool({ name: "word_count", arguments: { text: "hello big world" } });
check(wc.isError === false && wc.structuredContent?.words === 3, "word_count structuredContent.words == 3");

const bad = await client.callTool({ name: "slugify", arguments: { text: 42 } });
check(bad.isError === true && /text/.test(bad.content?.[0]?.text ?? ""), "invalid arguments come back as isError");

let unknown = null;
try {
  await client.callTool({ name: "no_such_tool", arguments: {} });
} catch (e) {
  unknown = e;
}
check(unknown !== null && /Unknown tool/.test(String(unknown.message)), "unknown tool is a JSON-RPC error");

await transport.terminateSession();
await client.close();
console.log(failures.length === 0 ? "ts-client: all checks passed" : `ts-client: ${failures.length} check(s) failed`);
process.exit(failures.length === 0 ? 0 : 1);
