// MCP conformance fixtures for resources, resource templates, prompts and completions
// (resources-*, prompts-*, completion-complete). They are declared in the static manifest, so they are
// part of what an operator approves; the readResource, getPrompt and complete exports serve them.
export const tool = {
  name: "conformance_resources",
  description: "Conformance fixture: names the resources and prompts this module serves",
  inputSchema: { type: "object", additionalProperties: false },
  resources: [
    { uri: "test://static-text", name: "static-text", description: "A static text resource", mimeType: "text/plain" },
    { uri: "test://static-binary", name: "static-binary", description: "A static binary resource (a 1x1 PNG)", mimeType: "image/png" },
    { uri: "test://watched-resource", name: "watched-resource", description: "A resource clients may subscribe to", mimeType: "text/plain" },
  ],
  resourceTemplates: [
    { uriTemplate: "test://template/{id}/data", name: "template-data", description: "Data for an id", mimeType: "application/json" },
  ],
  prompts: [
    { name: "test_simple_prompt", description: "A prompt without arguments" },
    {
      name: "test_prompt_with_arguments",
      description: "A prompt with two arguments",
      arguments: [
        { name: "arg1", description: "First test argument", required: true },
        { name: "arg2", description: "Second test argument", required: true },
      ],
    },
    {
      name: "test_prompt_with_embedded_resource",
      description: "A prompt that embeds a resource",
      arguments: [{ name: "resourceUri", description: "URI of the resource to embed", required: true }],
    },
    { name: "test_prompt_with_image", description: "A prompt with an image" },
  ],
};

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

export default function () {
  return "resources: test://static-text, test://static-binary, test://watched-resource, test://template/{id}/data";
}

export function readResource({ uri, params }) {
  switch (uri) {
    case "test://static-text":
      return "This is the content of the static text resource.";
    case "test://static-binary":
      return { contents: [{ uri, mimeType: "image/png", blob: PNG }] };
    case "test://watched-resource":
      return "Watched resource content.";
    default:
      return { contents: [{ uri, text: JSON.stringify({ id: params.id, templateTest: true, data: `Data for ID: ${params.id}` }) }] };
  }
}

export function getPrompt({ name, arguments: args }) {
  switch (name) {
    case "test_simple_prompt":
      return { messages: [{ role: "user", content: { type: "text", text: "This is a simple prompt for testing." } }] };
    case "test_prompt_with_arguments":
      return { messages: [{ role: "user", content: { type: "text", text: `Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'` } }] };
    case "test_prompt_with_embedded_resource":
      return {
        messages: [
          { role: "user", content: { type: "resource", resource: { uri: args.resourceUri, mimeType: "text/plain", text: "Embedded resource content for testing." } } },
          { role: "user", content: { type: "text", text: "Please process the embedded resource above." } },
        ],
      };
    default:
      return {
        messages: [
          { role: "user", content: { type: "image", data: PNG, mimeType: "image/png" } },
          { role: "user", content: { type: "text", text: "Please analyze the image above." } },
        ],
      };
  }
}

const WORDS = ["paris", "park", "party", "test", "testing", "tested"];

export function complete({ argument }) {
  const values = WORDS.filter((w) => w.startsWith(argument.value));
  return { values, total: values.length, hasMore: false };
}
