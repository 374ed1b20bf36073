// MCP conformance fixture (tools-call-elicitation): asks the user through elicitation/create.
export const tool = {
  name: "test_elicitation",
  description: "Conformance fixture: requests user input from the client",
  inputSchema: {
    type: "object",
    properties: { message: { type: "string", description: "The message to show the user" } },
    required: ["message"],
    additionalProperties: false,
  },
};

export default async function ({ message }, env) {
  const answer = await env.elicit({
    message,
    requestedSchema: {
      type: "object",
      properties: {
        username: { type: "string", description: "User's response" },
        email: { type: "string", description: "User's email address" },
      },
      required: ["username", "email"],
    },
  });
  return { content: [{ type: "text", text: `User response: action=${answer.action}, content=${JSON.stringify(answer.content || {})}` }] };
}
