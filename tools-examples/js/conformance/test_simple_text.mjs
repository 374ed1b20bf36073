// MCP conformance fixture (tools-call-simple-text): returns one text block.
export const tool = {
  name: "test_simple_text",
  description: "Conformance fixture: returns a simple text response",
  inputSchema: { type: "object", additionalProperties: false },
};

export default function () {
  return "This is a simple text response for testing.";
}
