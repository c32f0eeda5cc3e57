"""Small builders for schema dicts, and assertions on the generator's errors.

Errors read "File.json: Struct.Field: reason" (or "File.json: Struct: reason"
for checks on a whole struct or message)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

CODEGEN = Path(__file__).resolve().parent.parent
ROOT = CODEGEN.parent
SPEC_ROOT = ROOT.parent / "shared" / "kafka-spec"
TEST_SPECS = ROOT / "spec" / "test"

if str(CODEGEN) not in sys.path:
    sys.path.insert(0, str(CODEGEN))

from kafkagen_lib.model import SpecError, build_message, check_corpus  # noqa: E402

FILE = "KgwProbe.json"
NAME = "KgwProbe"


def message(fields=None, name=NAME, **top) -> dict:
    """A data message, versions 0-3, flexible from 2, with the given fields."""
    data = {
        "type": "data",
        "name": name,
        "validVersions": "0-3",
        "flexibleVersions": "2+",
        "fields": fields if fields is DROP else list(fields or []),
    }
    data.update(top)
    return {k: v for k, v in data.items() if v is not DROP}


def request(api_key=0, name="KgwProbeRequest", fields=None, **top) -> dict:
    return message(fields, name=name, type="request", apiKey=api_key, **top)


def response(api_key=0, name="KgwProbeResponse", fields=None, **top) -> dict:
    return message(fields, name=name, type="response", apiKey=api_key, **top)


class _Drop:
    def __repr__(self):
        return "DROP"


DROP = _Drop()  # pass as a keyword value to leave that key out


def field(name="F", type="int32", versions="0+", **keys) -> dict:
    data = {"name": name, "type": type, "versions": versions}
    data.update(keys)
    return {k: v for k, v in data.items() if v is not DROP}


def struct_field(name, type, fields, versions="0+", **keys) -> dict:
    return field(name, type, versions, fields=list(fields), **keys)


def build(data: dict, file: str = FILE):
    return build_message(file, data)


def error(data: dict, file: str = FILE) -> str:
    with pytest.raises(SpecError) as info:
        build_message(file, data)
    return str(info.value)


def expect(data: dict, where: str, reason: str, file: str = FILE) -> str:
    """Building data fails with '<file>: <where>: ...<reason>...'."""
    text = error(data, file)
    assert text.startswith(f"{file}: {where}: "), text
    assert reason in text, text
    return text


def corpus_error(datas: list[tuple[str, dict]]) -> str:
    msgs = [build_message(f, d) for f, d in datas]
    with pytest.raises(SpecError) as info:
        check_corpus(msgs)
    return str(info.value)
