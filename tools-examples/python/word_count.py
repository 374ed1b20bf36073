"""Counts the words, lines and characters of a text (the Python twin of word_count.mjs)."""

TOOL = {
    "name": "word_count_py",
    "description": "Counts the words, lines and characters in a text",
    "inputSchema": {
        "type": "object",
        "properties": {"text": {"type": "string", "description": "The text to count"}},
        "required": ["text"],
        "additionalProperties": False,
    },
    "outputSchema": {
        "type": "object",
        "properties": {
            "words": {"type": "integer"},
            "lines": {"type": "integer"},
            "characters": {"type": "integer"},
        },
        "required": ["words", "lines", "characters"],
    },
    "limits": {"cpuMs": 200, "memoryMb": 16, "wallMs": 2000},
}


def main(args, env):
    text = args["text"]
    return {
        "words": len(text.split()),
        "lines": 0 if text == "" else text.count("\n") + 1,
        "characters": len(text),
    }
