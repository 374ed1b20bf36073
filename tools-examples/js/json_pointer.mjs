// Reads one value out of a JSON document with an RFC 6901 JSON Pointer.
export const tool = {
  name: "json_pointer",
  title: "JSON Pointer lookup",
  description: "Returns the value at an RFC 6901 JSON Pointer (e.g. /items/0/name) inside a JSON document",
  inputSchema: {
    type: "object",
    properties: {
      document: { description: "Any JSON value" },
      pointer: { type: "string", pattern: "^(/([^~/]|~[01])*)*$", description: "e.g. /a/0/b; empty for the whole document" },
    },
    required: ["document", "pointer"],
    additionalProperties: false,
  },
  outputSchema: {
    type: "object",
    properties: { found: { type: "boolean" }, value: {} },
    required: ["found"],
  },
  limits: { cpuMs: 100, memoryMb: 32 },
};

export default function (args) {
  let node = args.document;
  if (args.pointer === "") return { found: true, value: node };
  for (const raw of args.pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    const isIndex = Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(key);
    if (node === null || typeof node !== "object" || (Array.isArray(node) && !isIndex) || !Object.hasOwn(node, key)) {
      return { found: false };
    }
    node = node[isIndex ? Number(key) : key];
  }
  return { found: true, value: node };
}
