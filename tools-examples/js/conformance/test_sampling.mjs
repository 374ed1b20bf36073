// MCP conformance fixture (tools-call-sampling): asks the client's model through sampling/createMessage.
export const tool = {
  name: "test_sampling",
  description: "Conformance fixture: requests LLM sampling from the client",
  inputSchema: {
    type: "object",
    properties: { prompt: { type: "string", description: "The prompt to send to the LLM" } },
    required: ["prompt"],
    additionalProperties: false,
  },
};

export default async function ({ prompt }, env) {
  const answer = await env.sample({
    messages: [{ role: "user", content: { type: "text", text: prompt } }],
    maxTokens: 100,
  });
  const text = answer.content && answer.content.type === "text" ? answer.content.text : JSON.stringify(answer.content);
  return { content: [{ type: "text", text: "LLM response: " + text }] };
}
