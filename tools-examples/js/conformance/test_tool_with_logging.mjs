// MCP conformance fixture (tools-call-with-logging): three info logs ~50 ms apart. The gateway
// relays console output as notifications/message before the result.
export const tool = {
  name: "test_tool_with_logging",
  description: "Conformance fixture: logs three messages while it runs",
  inputSchema: { type: "object", additionalProperties: false },
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export default async function () {
  console.info("Tool execution started");
  await sleep(50);
  console.info("Tool processing data");
  await sleep(50);
  console.info("Tool execution completed");
  return "Logging test completed";
}
