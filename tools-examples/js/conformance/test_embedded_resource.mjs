// MCP conformance fixture (tools-call-embedded-resource): returns an embedded text resource.
export const tool = {
  name: "test_embedded_resource",
  description: "Conformance fixture: returns an embedded resource",
  inputSchema: { type: "object", additionalProperties: false },
};

export default function () {
  return {
    content: [{
      type: "resource",
      resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." },
    }],
  };
}
