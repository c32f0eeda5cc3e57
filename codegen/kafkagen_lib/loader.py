"""Reads Kafka's JSON dialect the way Apache Kafka's generator (Jackson) does:
// and /* */ comments, the last of duplicate keys wins, no trailing tokens."""

from __future__ import annotations

import json


class SpecSyntaxError(ValueError):
    pass


def strip_comments(text: str, name: str) -> str:
    """Blank out comments outside string literals, keeping line numbers."""
    out = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_string = False
            i += 1
            continue
        if c == '"':
            in_string = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise SpecSyntaxError(f"{name}: unterminated /* comment")
            out.append("".join(ch if ch == "\n" else " " for ch in text[i : j + 2]))
            i = j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def load_text(text: str, name: str, warnings: list | None = None) -> dict:
    def pairs(items):
        obj = {}
        for key, value in items:
            if key in obj and warnings is not None:
                warnings.append(f"{name}: duplicate key '{key}' (the last one wins)")
            obj[key] = value
        return obj

    def no_constant(word):
        # Python's json takes NaN and Infinity; Jackson (as Kafka configures it) does not.
        raise SpecSyntaxError(f"{name}: invalid JSON: {word} is not a JSON value")

    try:
        data = json.loads(strip_comments(text, name), object_pairs_hook=pairs,
                          parse_constant=no_constant)
    except json.JSONDecodeError as e:
        raise SpecSyntaxError(f"{name}: invalid JSON at line {e.lineno}: {e.msg}") from None
    if not isinstance(data, dict):
        raise SpecSyntaxError(f"{name}: top level is not an object")
    return data


def load_file(path, warnings: list | None = None) -> dict:
    with open(path, encoding="utf-8") as f:
        return load_text(f.read(), str(path).rsplit("/", 1)[-1], warnings)
