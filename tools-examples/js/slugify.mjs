// Turns a title into a URL slug: lowercase ASCII words joined by a separator.
export const tool = {
  name: "slugify",
  description: "Turns a title into a URL-safe slug (accents removed, lowercase, words joined by '-')",
  inputSchema: {
    type: "object",
    properties: {
      text: { type: "string", maxLength: 10000 },
      separator: { type: "string", enum: ["-", "_", "."], default: "-" },
      maxLength: { type: "integer", minimum: 1, maximum: 200, default: 80 },
    },
    required: ["text"],
    additionalProperties: false,
  },
  outputSchema: { type: "object", properties: { slug: { type: "string" } }, required: ["slug"] },
  limits: { cpuMs: 50, memoryMb: 16 },
};

export default function ({ text, separator = "-", maxLength = 80 }) {
  const words = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let slug = "";
  for (const w of words) {
    const next = slug ? slug + separator + w : w;
    if (next.length > maxLength) break;
    slug = next;
  }
  if (slug === "" && words.length > 0) slug = words[0].slice(0, maxLength);
  return { slug };
}
