// MCP conformance fixture (tools-call-with-progress): reports 0/100, 50/100 and 100/100 about 50 ms
// apart. env.progress sends notifications/progress only when the caller gave a progressToken.
export const tool = {
  name: "test_tool_with_progress",
  description: "Conformance fixture: reports progress while it runs",
  inputSchema: { type: "object", additionalProperties: false },
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export default async function (args, env) {
  env.progress(0, 100);
  await sleep(50);
  env.progress(50, 100, "half way");
  await sleep(50);
  env.progress(100, 100, "done");
  return "Progress test completed";
}
