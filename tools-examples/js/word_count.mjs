// Counts the words, lines and characters of a text.
export const tool = {
  name: "word_count",
  description: "Counts the words, lines and characters in a text",
  inputSchema: {
    type: "object",
    properties: { text: { type: "string", description: "The text to count" } },
    required: ["text"],
    additionalProperties: false,
  },
  outputSchema: {
    type: "object",
    properties: {
      words: { type: "integer" },
      lines: { type: "integer" },
      characters: { type: "integer" },
    },
    required: ["words", "lines", "characters"],
  },
  limits: { cpuMs: 50, memoryMb: 16, wallMs: 2000 },
};

export default async function (args) {
  const text = args.text;
  const words = text.trim() === "" ? 0 : text.trim().split(/\s+/u).length;
  return { words, lines: text === "" ? 0 : text.split("\n").length, characters: [...text].length };
}
