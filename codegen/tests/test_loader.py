"""The loader reads Kafka's JSON dialect as Jackson does with the settings
Kafka's generator uses: comments allowed, last duplicate key wins, nothing
after the top-level object; plus the model's coercions of string and raw
JSON values."""

import pytest

from schema_helpers import build, field, message
from kafkagen_lib.loader import SpecSyntaxError, load_text, strip_comments


def test_line_comments():
    data = load_text('// heading\n{"a": 1, // trailing\n "b": 2}\n// end', "X.json")
    assert data == {"a": 1, "b": 2}


def test_block_comments():
    data = load_text('/* one\n two */ {"a": /* inline */ 1}', "X.json")
    assert data == {"a": 1}


def test_comment_markers_inside_strings_are_kept():
    text = '{"url": "http://example.com/*x*/", "c": "a // b", "q": "say \\"//\\" now"}'
    data = load_text(text, "X.json")
    assert data == {"url": "http://example.com/*x*/", "c": "a // b", "q": 'say "//" now'}


def test_escaped_backslash_before_closing_quote():
    data = load_text('{"p": "C:\\\\"} // comment', "X.json")
    assert data == {"p": "C:\\"}


def test_block_comment_keeps_line_numbers():
    stripped = strip_comments("/*\n\n*/x", "X.json")
    assert stripped.count("\n") == 2
    with pytest.raises(SpecSyntaxError, match="line 4"):
        load_text('/* a\nb\nc */\n{"a": }', "X.json")


def test_unterminated_block_comment():
    with pytest.raises(SpecSyntaxError, match="X.json: unterminated /\\* comment"):
        load_text('{"a": 1} /* open', "X.json")


def test_duplicate_keys_last_wins_with_warning():
    warnings = []
    data = load_text('{"versions": "0+", "name": "N", "versions": "1+"}', "Dup.json", warnings)
    assert data["versions"] == "1+"
    assert warnings == ["Dup.json: duplicate key 'versions' (the last one wins)"]


def test_duplicate_keys_in_nested_objects():
    warnings = []
    data = load_text('{"fields": [{"a": 1, "a": 2}]}', "Dup.json", warnings)
    assert data["fields"][0]["a"] == 2
    assert len(warnings) == 1


@pytest.mark.parametrize("text", ['{"a": 1} {"b": 2}', '{"a": 1} x', '{"a": 1}]', '{"a": 1},'])
def test_trailing_tokens_rejected(text):
    with pytest.raises(SpecSyntaxError, match="X.json: invalid JSON"):
        load_text(text, "X.json")


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}'])
def test_non_numeric_numbers_rejected(text):
    with pytest.raises(SpecSyntaxError, match="X.json: invalid JSON"):
        load_text(text, "X.json")


@pytest.mark.parametrize("text", ["[1, 2]", '"x"', "3"])
def test_top_level_must_be_object(text):
    with pytest.raises(SpecSyntaxError, match="top level is not an object"):
        load_text(text, "X.json")


@pytest.mark.parametrize("text", ["{'a': 1}", '{a: 1}', '{"a": 1,}', '{"a": [1,]}', ""])
def test_non_json_rejected(text):
    with pytest.raises(SpecSyntaxError):
        load_text(text, "X.json")


# Jackson's coercions, as the model applies them to loaded values.

def test_tag_given_as_string():
    text = """{"type": "data", "name": "KgwProbe", "validVersions": "0-3",
      "flexibleVersions": "2+", "fields": [
        {"name": "T", "type": "[]uuid", "versions": "2+", "taggedVersions": "2+", "tag": "0"}
      ]}"""
    msg = build(load_text(text, "KgwProbe.json"))
    assert msg.root.fields[0].tag == 0


@pytest.mark.parametrize("raw, expected", [("false", False), ("true", True), ("TRUE", True),
                                           (False, False), (True, True)])
def test_ignorable_as_string_or_bool(raw, expected):
    msg = build(message([field(ignorable=raw)]))
    assert msg.root.fields[0].ignorable is expected


def test_ignorable_as_string_from_text():
    text = """{"type": "data", "name": "KgwProbe", "validVersions": "0-3",
      "flexibleVersions": "2+", "fields": [
        {"name": "F", "type": "string", "versions": "0+", "ignorable": "false"}]}"""
    msg = build(load_text(text, "KgwProbe.json"))
    assert msg.root.fields[0].ignorable is False


def test_raw_json_defaults():
    text = """{"type": "data", "name": "KgwProbe", "validVersions": "0-3",
      "flexibleVersions": "2+", "fields": [
        {"name": "Num", "type": "int32", "versions": "0+", "default": -1},
        {"name": "Big", "type": "int64", "versions": "0+", "default": 9007199254740993},
        {"name": "Flag", "type": "bool", "versions": "0+", "default": false},
        {"name": "On", "type": "bool", "versions": "0+", "default": true},
        {"name": "Ratio", "type": "float64", "versions": "0+", "default": 0.5},
        {"name": "Text", "type": "string", "versions": "0+", "nullableVersions": "0+",
         "default": null}
      ]}"""
    fields = {f.name: f for f in build(load_text(text, "KgwProbe.json")).root.fields}
    assert (fields["Num"].default, fields["Num"].default_value) == ("-1", -1)
    assert fields["Big"].default_value == 9007199254740993
    assert (fields["Flag"].default, fields["Flag"].default_value) == ("false", False)
    assert fields["On"].default_value is True
    assert fields["Ratio"].default_value == 0.5
    assert fields["Text"].default == "null" and fields["Text"].default_value is None


def test_listeners_single_value_as_array():
    text = """{"type": "request", "name": "KgwProbeRequest", "apiKey": 0,
      "validVersions": "0", "flexibleVersions": "none", "listeners": "broker", "fields": []}"""
    msg = build(load_text(text, "KgwProbeRequest.json"), "KgwProbeRequest.json")
    assert msg.listeners == ["broker"]
