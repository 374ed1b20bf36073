// MCP conformance fixture (tools-call-image): returns a 1x1 red PNG as image content.
export const tool = {
  name: "test_image_content",
  description: "Conformance fixture: returns image content (a 1x1 red PNG)",
  inputSchema: { type: "object", additionalProperties: false },
};

export default function () {
  return { content: [{ type: "image", data: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC", mimeType: "image/png" }] };
}
