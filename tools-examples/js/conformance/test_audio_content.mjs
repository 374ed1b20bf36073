// MCP conformance fixture (tools-call-audio): returns a tiny WAV file as audio content.
export const tool = {
  name: "test_audio_content",
  description: "Conformance fixture: returns audio content (a short silent WAV)",
  inputSchema: { type: "object", additionalProperties: false },
};

export default function () {
  return { content: [{ type: "audio", data: "UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YRAAAAAAAAAAAAAAAAAAAAAAAAAA", mimeType: "audio/wav" }] };
}
