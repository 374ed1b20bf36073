"""Turns CSV text into JSON records, with typed columns and a summary per numeric column."""

import csv
import io
import logging

TOOL = {
    "name": "csv_to_json",
    "description": "Parses CSV text (first row = header) into records; numbers become numbers,"
                   " and numeric columns get min, max and mean",
    "inputSchema": {
        "type": "object",
        "properties": {
            "csv": {"type": "string", "description": "CSV text, first row is the header"},
            "delimiter": {"type": "string", "minLength": 1, "maxLength": 1, "default": ","},
            "limit": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1000},
        },
        "required": ["csv"],
        "additionalProperties": False,
    },
    "limits": {"cpuMs": 2000, "memoryMb": 32, "wallMs": 5000},
}

log = logging.getLogger("csv_to_json")


def _value(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def main(args, env):
    reader = csv.reader(io.StringIO(args["csv"]), delimiter=args.get("delimiter", ","))
    rows = list(reader)
    if not rows:
        raise ValueError("the CSV text is empty: expected a header row")
    header, body = rows[0], rows[1:]
    limit = args.get("limit", 1000)
    if len(body) > limit:
        log.warning("keeping the first %d of %d rows", limit, len(body))
        body = body[:limit]
    records = []
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ValueError(f"row {number} has {len(row)} fields; the header has {len(header)}")
        records.append({name: _value(cell) for name, cell in zip(header, row)})
    summary = {}
    for name in header:
        values = [r[name] for r in records]
        if values and all(isinstance(v, (int, float)) for v in values):
            summary[name] = {"min": min(values), "max": max(values), "mean": sum(values) / len(values)}
    return {"columns": header, "records": records, "summary": summary}
