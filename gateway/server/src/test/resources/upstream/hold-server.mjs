// A small stdio MCP server for Atoll's metrics tests (newline-delimited JSON-RPC). Tools: echo;
// hold (answers only once release is called: a call that stays in flight as long as the test wants);
// release (ends every held call); crash (exits in the middle of the call: a restart).
import { createInterface } from "node:readline";

const held = [];
const obj = { type: "object", properties: { text: { type: "string" } } };
const tools = [
  { name: "echo", description: "Echoes its text.", inputSchema: obj },
  { name: "hold", description: "Answers when released.", inputSchema: { type: "object" } },
  { name: "release", description: "Answers the held calls.", inputSchema: { type: "object" } },
  { name: "crash", description: "Exits mid-call.", inputSchema: { type: "object" } },
];
const send = (m) => process.stdout.write(JSON.stringify(m) + "\n");
const text = (t, isError = false) => ({ content: [{ type: "text", text: t }], isError });

async function call(name, args) {
  switch (name) {
    case "echo": return text(String(args.text ?? ""));
    case "hold": return await new Promise((resolve) => held.push(() => resolve(text("released"))));
    case "release": { const n = held.length; held.splice(0).forEach((r) => r()); return text("released " + n); }
    case "crash": setTimeout(() => process.exit(3), 50); return await new Promise(() => {});
    default: throw { code: -32602, message: "Unknown tool: " + name };
  }
}

const rl = createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  let m;
  try { m = JSON.parse(line); } catch { return; }
  if (m.id === undefined) return;
  try {
    let result;
    switch (m.method) {
      case "initialize":
        result = { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "hold", version: "1" } };
        break;
      case "ping": result = {}; break;
      case "tools/list": result = { tools }; break;
      case "tools/call": result = await call(m.params.name, m.params.arguments ?? {}); break;
      default: throw { code: -32601, message: "no " + m.method };
    }
    send({ jsonrpc: "2.0", id: m.id, result });
  } catch (e) {
    send({ jsonrpc: "2.0", id: m.id, error: { code: e.code ?? -32603, message: e.message ?? String(e) } });
  }
});
rl.on("close", () => process.exit(0));
