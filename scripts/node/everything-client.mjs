// The official MCP TypeScript SDK client against @modelcontextprotocol/server-everything behind an
// Atoll gateway (2025 era, Streamable HTTP), for the gateway's EverythingFeaturesTest:
//  - a sampling request of the server reaches this client, whose answer goes back to the server;
//  - the server's roots/list reaches this client, whose roots the server then reports;
//  - the server's progress notifications reach this client while the tool still runs;
//  - a subscription to one of the server's resources brings its notifications/resources/updated.
// Usage: node everything-client.mjs URL TOKEN UPSTREAM   (exit 0 only if every check passed)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  ListRootsRequestSchema,
  ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";

const [url, token, upstream] = process.argv.slice(2);
if (!url || !token || !upstream) {
  console.error("usage: node everything-client.mjs URL TOKEN UPSTREAM");
  process.exit(2);
}
const DOC = "demo://resource/static/document/instructions.md";
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};
const text = (r) => (r?.content ?? []).map((c) => c.text ?? "").join("\n");
const tool = (name) => `${upstream}__${name}`;

const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
const client = new Client({ name: "atoll-everything-ts", version: "1.0.0" },
  { capabilities: { sampling: {}, roots: { listChanged: false } } });
const sampled = [];
client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
  sampled.push(req.params);
  return { role: "assistant", content: { type: "text", text: "forty-two from the ts agent" }, model: "ts-model" };
});
let rootsAsked = 0;
client.setRequestHandler(ListRootsRequestSchema, async () => {
  rootsAsked++;
  return { roots: [{ uri: "file:///work/atoll-project", name: "atoll-project" }] };
});
const updates = [];
client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => updates.push(n.params));
await client.connect(transport);
const timeout = { timeout: 90_000 };

// Sampling: the server asks the calling agent's model; the answer is in the tool's result.
const s = await client.callTool({ name: tool("trigger-sampling-request"),
  arguments: { prompt: "what is the answer?", maxTokens: 20 } }, undefined, timeout);
check(s.isError !== true && text(s).includes("forty-two from the ts agent"), `sampling answer in the result (${text(s).slice(0, 200)})`);
check(sampled.length === 1 && JSON.stringify(sampled[0].messages).includes("what is the answer?"),
  `the sampling request reached this client once (${sampled.length})`);

// Roots: the server asks for the client's roots during the call and reports them.
const r = await client.callTool({ name: tool("get-roots-list"), arguments: {} }, undefined, timeout);
check(r.isError !== true && text(r).includes("file:///work/atoll-project"), `roots reported by the server (${text(r).slice(0, 200)})`);
check(rootsAsked >= 1, `roots/list reached this client (${rootsAsked})`);

// Progress: relayed while the tool runs (steps of one second), not all at once with the result.
const progress = [];
const started = Date.now();
const lr = await client.callTool({ name: tool("trigger-long-running-operation"), arguments: { duration: 3, steps: 3 } },
  undefined, { ...timeout, onprogress: (p) => progress.push({ ...p, at: Date.now() }) });
const ended = Date.now();
check(lr.isError !== true && text(lr).includes("Long running operation completed"), "the long-running operation completed");
check(progress.length === 3 && progress.map((p) => p.progress).join(",") === "1,2,3" && progress.every((p) => p.total === 3),
  `progress 1,2,3 of 3 (${JSON.stringify(progress.map((p) => [p.progress, p.total]))})`);
check(progress.length > 0 && ended - progress[0].at >= 1000,
  `the first progress arrived while the tool ran (${progress.length ? ended - progress[0].at : "none"} ms before the result, after ${ended - started} ms)`);

// Subscription: the server's updates of a subscribed resource reach this session's stream.
await client.subscribeResource({ uri: DOC });
const t = await client.callTool({ name: tool("toggle-subscriber-updates"), arguments: {} }, undefined, timeout);
check(t.isError !== true, "simulated resource updates started");
const deadline = Date.now() + 60_000;
while (updates.length === 0 && Date.now() < deadline) {
  await new Promise((res) => setTimeout(res, 100));
}
check(updates.length > 0 && updates.every((u) => u.uri === DOC && Object.keys(u).join(",") === "uri"),
  `notifications/resources/updated for the subscribed URI only (${JSON.stringify(updates.slice(0, 3))})`);
await client.unsubscribeResource({ uri: DOC });
await client.callTool({ name: tool("toggle-subscriber-updates"), arguments: {} }, undefined, timeout); // stop them

await transport.terminateSession();
await client.close();
console.log(failures.length === 0 ? "everything-client: all checks passed" : `everything-client: ${failures.length} check(s) failed`);
process.exit(failures.length === 0 ? 0 : 1);
