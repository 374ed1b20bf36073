// The comparison worker of vs-workerd.sh: the same word_count tool module Atoll runs, called from a
// workerd module worker that keeps one warm isolate. It checks the bearer token, parses the JSON-RPC
// request and answers a tools/call result as Atoll does (text and structured content); no schema
// checks, DLP or audit, which is what "workerd's warm isolate" means in docs/benchmarks.md.
import tool from "./word_count.mjs";

export default {
  async fetch(request, env) {
    if (request.headers.get("authorization") !== `Bearer ${env.TOKEN}`) {
      return new Response("unauthorized", { status: 401 });
    }
    const message = await request.json();
    const result = await tool(message.params.arguments);
    return Response.json({
      jsonrpc: "2.0",
      id: message.id,
      result: { content: [{ type: "text", text: JSON.stringify(result) }], structuredContent: result, isError: false },
    });
  },
};
