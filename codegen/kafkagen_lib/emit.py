"""Loads a spec directory, builds the model, renders every output file."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import jinja2

from .loader import load_text
from .model import Message, SpecError, build_message, check_corpus, snake
from .plan import plan_message

TEMPLATES = Path(__file__).parent / "templates"
LISTENER_BITS = {"zkBroker": 1, "broker": 2, "controller": 4}


def load_dir(spec_dir: Path, warnings: list) -> list[Message]:
    files = sorted(p for p in spec_dir.iterdir() if p.suffix == ".json")
    if not files:
        raise SpecError(f"{spec_dir}: no .json schema files")
    messages = []
    for path in files:
        raw = path.read_bytes()
        data = load_text(raw.decode("utf-8"), path.name, warnings)
        msg = build_message(path.name, data)
        msg.sha256 = hashlib.sha256(raw).hexdigest()
        messages.append(msg)
    return messages


def _block(text: str, width: int) -> str:
    """Indent a rendered block by width spaces, without its final newline."""
    pad = " " * width
    return "\n".join(pad + line if line.strip() else "" for line in text.rstrip("\n").split("\n"))


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["block"] = _block
    return env


def load_error_codes(path: Path) -> list[dict]:
    data = json.loads(path.read_text())
    codes = data.get("codes")
    if not isinstance(codes, list):
        raise SpecError(f"{path.name}: 'codes' must be an array")
    seen_code, seen_name = {}, {}
    for e in codes:
        code, name = e.get("code"), e.get("name")
        if not isinstance(code, int) or not -32768 <= code <= 32767:
            raise SpecError(f"{path.name}: {name}: code must be an int16")
        if not isinstance(name, str) or not name.replace("_", "").isalnum() or not name.isupper():
            raise SpecError(f"{path.name}: {name!r}: names are UPPER_SNAKE_CASE")
        for table, key, what in ((seen_code, code, "code"), (seen_name, name, "name")):
            if key in table:
                raise SpecError(f"{path.name}: {name}: duplicate {what} {key}")
            table[key] = e
    return sorted(codes, key=lambda e: e["code"])


def render(spec_dir: Path, test_spec_dir: Path | None, upstream: str,
           warnings: list, error_codes: Path | None = None) -> tuple[dict[str, str], str]:
    """Returns ({path under generated/: text}, the spec record text)."""
    upstream_msgs = load_dir(spec_dir, warnings)
    test_msgs = load_dir(test_spec_dir, warnings) if test_spec_dir else []
    for m in test_msgs:
        if m.type in ("request", "response"):
            raise SpecError(f"{m.file}: test schemas must be of type data or header")
    messages = sorted(upstream_msgs + test_msgs, key=lambda m: m.name)
    check_corpus(messages)
    names = {}
    for m in messages:
        if m.snake_name in names:
            raise SpecError(f"{m.file}: file name {m.snake_name} collides with {names[m.snake_name]}")
        names[m.snake_name] = m.file

    env = _env()
    out: dict[str, str] = {}
    plans = [plan_message(m) for m in messages]
    for p in plans:
        out[f"include/kafka/msg/{p['snake']}.h"] = env.get_template("message.h.j2").render(m=p)
        out[f"src/{p['snake']}.c"] = env.get_template("message.c.j2").render(m=p)
        out[f"src/{p['snake']}_json.c"] = env.get_template("message_json.c.j2").render(m=p)
        out[f"fuzz/fuzz_{p['snake']}.c"] = env.get_template("fuzz_message.c.j2").render(m=p)
        out[f"testing/fill_{p['snake']}.c"] = env.get_template("fill.c.j2").render(m=p)

    by_key: dict[int, dict] = {}
    for m in messages:
        if m.type not in ("request", "response"):
            continue
        api = m.name[: -len("Request")] if m.type == "request" else m.name[: -len("Response")]
        a = by_key.setdefault(m.api_key, {"key": m.api_key, "name": api,
                                          "macro": snake(api).upper()})
        if m.type == "request":
            a.update(min_version=m.valid_versions.lo, max_version=m.valid_versions.hi,
                     first_flex=m.first_flexible,
                     deprecated_min=-1 if m.deprecated_versions.empty else m.deprecated_versions.lo,
                     deprecated_max=-1 if m.deprecated_versions.empty else m.deprecated_versions.hi,
                     listeners=" | ".join(
                         f"KAFKA_LISTENER_{snake(x).upper()}" for x in m.listeners) or "0",
                     unstable=m.latest_version_unstable, request_stem=f"kafka_{m.snake_name}")
        else:
            a["response_stem"] = f"kafka_{m.snake_name}"
    apis = [by_key[k] for k in sorted(by_key)]
    ctx = {"apis": apis, "messages": plans, "upstream": upstream,
           "key_count": (max(by_key) + 1) if by_key else 0}
    out["include/kafka/api.h"] = env.get_template("api.h.j2").render(**ctx)
    out["src/api_table.c"] = env.get_template("api_table.c.j2").render(**ctx)
    out["testing/fill_table.c"] = env.get_template("fill_table.c.j2").render(**ctx)
    if error_codes is not None:
        codes = load_error_codes(error_codes)
        out["include/kafka/error_codes.h"] = env.get_template("error_codes.h.j2").render(
            codes=codes)
        out["src/error_codes.c"] = env.get_template("error_codes.c.j2").render(codes=codes)
    ctx["error_codes"] = error_codes is not None
    out["meson.build"] = env.get_template("meson.build.j2").render(**ctx)
    # The output keeps the generator's layout: clang-format runs over the
    # hand-written code only.
    out[".clang-format"] = (
        "# The generator lays this code out itself; kafkagen --check compares it byte for byte.\n"
        "DisableFormat: true\nSortIncludes: false\n")

    record = {
        "kafka_version": upstream,
        "files": {m.file: m.sha256 for m in sorted(upstream_msgs, key=lambda m: m.file)},
    }
    return out, json.dumps(record, indent=2) + "\n"


def write_tree(out_dir: Path, files: dict[str, str]) -> None:
    """Writes files under out_dir and removes any file there it did not write."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    for root, dirs, names in os.walk(out_dir, topdown=False):
        for name in names:
            rel = os.path.relpath(os.path.join(root, name), out_dir)
            if rel not in files:
                os.remove(os.path.join(root, name))
        for d in dirs:
            p = os.path.join(root, d)
            if not os.listdir(p):
                os.rmdir(p)
