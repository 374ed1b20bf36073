// MCP conformance fixture (elicitation-sep1034-defaults): an elicitation whose fields carry defaults.
export const tool = {
  name: "test_elicitation_sep1034_defaults",
  description: "Conformance fixture: elicitation with default values for every primitive type",
  inputSchema: { type: "object", additionalProperties: false },
};

export default async function (args, env) {
  const answer = await env.elicit({
    message: "Please review and update the form fields with defaults",
    requestedSchema: {
      type: "object",
      properties: {
        name: { type: "string", description: "User name", default: "John Doe" },
        age: { type: "integer", description: "User age", default: 30 },
        score: { type: "number", description: "User score", default: 95.5 },
        status: { type: "string", description: "User status", enum: ["active", "inactive", "pending"], default: "active" },
        verified: { type: "boolean", description: "Verification status", default: true },
      },
      required: [],
    },
  });
  return { content: [{ type: "text", text: `Elicitation completed: action=${answer.action}, content=${JSON.stringify(answer.content || {})}` }] };
}
