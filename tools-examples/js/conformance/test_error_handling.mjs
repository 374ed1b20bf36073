// MCP conformance fixture (tools-call-error): always throws, so the result has isError: true.
export const tool = {
  name: "test_error_handling",
  description: "Conformance fixture: always fails with an error",
  inputSchema: { type: "object", additionalProperties: false },
};

export default function () {
  throw new Error("This tool intentionally returns an error for testing");
}
