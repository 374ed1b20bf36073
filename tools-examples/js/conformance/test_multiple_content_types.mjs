// MCP conformance fixture (tools-call-mixed-content): text, image and resource in one result.
export const tool = {
  name: "test_multiple_content_types",
  description: "Conformance fixture: returns text, image and resource content",
  inputSchema: { type: "object", additionalProperties: false },
};

export default function () {
  return {
    content: [
      { type: "text", text: "Multiple content types test:" },
      { type: "image", data: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC", mimeType: "image/png" },
      {
        type: "resource",
        resource: { uri: "test://mixed-content-resource", mimeType: "application/json", text: '{"test":"data","value":123}' },
      },
    ],
  };
}
