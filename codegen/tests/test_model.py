"""One test per validation rule: Apache Kafka generator's checks (reference
notes §A.13, items 1-16) and the extra ones a C target needs. Each builds the
smallest schema that breaks the rule and checks where the error points and
why."""

import pytest

from schema_helpers import (DROP, FILE, NAME, build, corpus_error, error, expect, field,
                            message, request, response, struct_field)
from kafkagen_lib.model import check_corpus, snake


def test_minimal_message_builds():
    msg = build(message([field()]))
    assert msg.name == NAME and msg.root.fields[0].name == "F"


# --- 1. flexibleVersions ----------------------------------------------------

def test_flexible_versions_missing():
    expect(message(flexibleVersions=DROP), NAME,
           "You must specify a value for flexibleVersions. Please use 0+ for all new messages.")


@pytest.mark.parametrize("flex", ["1-2", "2"])
def test_flexible_versions_not_open_ended(flex):
    expect(message(flexibleVersions=flex), NAME,
           "flexibleVersions must be either none or an open-ended range")


@pytest.mark.parametrize("flex", ["none", "0+", "7+"])
def test_flexible_versions_accepted(flex):
    build(message(flexibleVersions=flex))


def test_flexible_versions_unparsable():
    expect(message(flexibleVersions="soon"), NAME, "flexibleVersions: invalid version range")


# --- 2. listeners and latestVersionUnstable only on requests -------------------

@pytest.mark.parametrize("make", [response, message])
def test_listeners_only_on_requests(make):
    data = make(listeners=["broker"])
    expect(data, data["name"], "listeners can only be specified for requests")


@pytest.mark.parametrize("make", [response, message])
def test_latest_version_unstable_only_on_requests(make):
    data = make(latestVersionUnstable=True)
    expect(data, data["name"], "latestVersionUnstable can only be specified for requests")


def test_listeners_and_unstable_on_request():
    msg = build(request(listeners=["zkBroker", "broker", "controller"],
                        latestVersionUnstable="true"), "KgwProbeRequest.json")
    assert msg.latest_version_unstable is True


def test_unknown_listener():
    expect(request(listeners=["router"]), "KgwProbeRequest", "unknown listener 'router'")


def test_latest_version_unstable_not_boolean():
    expect(request(latestVersionUnstable="maybe"), "KgwProbeRequest",
           "latestVersionUnstable must be true or false")


# --- 3. top-level validVersions ----------------------------------------------

def test_valid_versions_open_ended():
    expect(message(validVersions="0+"), NAME,
           f"Message {NAME} does not specify a maximum version.")


def test_valid_versions_missing():
    expect(message(validVersions=DROP), NAME, "validVersions: missing version range")


def test_valid_versions_none():
    expect(message(validVersions="none"), NAME, "validVersions must not be none")


def test_valid_versions_backwards():
    expect(message(validVersions="3-1"), NAME, "validVersions: invalid version range '3-1'")


# --- 4. field names and field versions -----------------------------------------

@pytest.mark.parametrize("name", ["1Field", "Bad_Name", "Bad-Name", "", "_x", "Caf\u00e9"])
def test_field_name_regex(name):
    expect(message([field(name)]), f"{NAME}.{name}", "Invalid field name")


def test_field_name_missing():
    expect(message([{"type": "int32", "versions": "0+"}]), f"{NAME}.None", "Invalid field name")


def test_field_versions_missing():
    expect(message([field(versions=DROP)]), f"{NAME}.F",
           "You must specify the version of the field.")


def test_field_versions_implied_by_tagged_versions():
    msg = build(message([field(versions=DROP, taggedVersions="2+", tag=0)]))
    f = msg.root.fields[0]
    assert str(f.versions) == "2+" and f.tag == 0


def test_field_versions_none():
    expect(message([field(versions="none")]), f"{NAME}.F", "field versions must not be none")


def test_field_versions_unparsable():
    expect(message([field(versions="x+")]), f"{NAME}.F", "invalid version range 'x+'")


# --- 5. nullability only on types that can be null -----------------------------

@pytest.mark.parametrize("t", ["bool", "int8", "int16", "uint16", "int32", "uint32", "int64",
                               "float64", "uuid"])
def test_nullable_fixed_width_types_rejected(t):
    expect(message([field(type=t, nullableVersions="0+")]), f"{NAME}.F",
           f"Type {t} cannot be nullable.")


def test_nullable_uuid_rejected():
    expect(message([field(type="uuid", nullableVersions="1+")]), f"{NAME}.F",
           "Type uuid cannot be nullable.")


@pytest.mark.parametrize("t", ["string", "bytes", "records", "[]int32", "[]string", "[]uuid"])
def test_nullable_variable_types_accepted(t):
    msg = build(message([field(type=t, nullableVersions="0+")]))
    assert not msg.root.fields[0].nullable_versions.empty


# --- 6. fields only on structs; no nested arrays; struct names ---------------------

@pytest.mark.parametrize("t", ["int32", "string", "bytes", "[]int32", "[]string"])
def test_fields_only_on_struct_types(t):
    expect(message([field(type=t, fields=[field("X")])]), f"{NAME}.F",
           "Non-array or Struct field F cannot have fields")


def test_array_of_arrays_rejected():
    expect(message([field(type="[][]int32")]), f"{NAME}.F", "Can't have an array of arrays")


@pytest.mark.parametrize("t", ["integer", "[]foo", "boolean", "[]", "int 32", "Foo_Bar"])
def test_unparsable_type(t):
    expect(message([field(type=t)]), f"{NAME}.F", f"Can't parse type {t}.")


def test_type_missing():
    expect(message([field(type=DROP)]), f"{NAME}.F", "type must be a string")


def test_common_struct_name_capitalized():
    data = message([field(type="[]lower")],
                   commonStructs=[{"name": "lower", "versions": "0+", "fields": []}])
    expect(data, "lower", "struct names must start with an uppercase letter")


def test_message_name_capitalized():
    expect(message(name="kgwProbe"), "kgwProbe", "invalid message name 'kgwProbe'")


# --- 7. per-field flexibleVersions override ----------------------------------------

@pytest.mark.parametrize("t", ["int32", "[]string", "[]bytes", "records", "uuid"])
def test_flexible_override_only_on_string_and_bytes(t):
    expect(message([field(type=t, flexibleVersions="none")]), f"{NAME}.F",
           "Only fields of type string or bytes can specify a flexibleVersions override.")


def test_flexible_override_not_subset_of_message():
    expect(message([field(type="string", flexibleVersions="1+")]), f"{NAME}.F",
           "specifies flexibleVersions 1+, which is not a subset of the message's "
           "flexibleVersions 2+")


def test_flexible_override_on_non_flexible_message():
    expect(message([field(type="bytes", flexibleVersions="0+")], flexibleVersions="none"),
           f"{NAME}.F", "not a subset of the message's flexibleVersions none")


@pytest.mark.parametrize("t, flex", [("string", "none"), ("bytes", "3+"), ("string", "2+")])
def test_flexible_override_accepted(t, flex):
    msg = build(message([field(type=t, flexibleVersions=flex)]))
    assert str(msg.root.fields[0].flexible_versions) == flex


# --- 8. tagged fields --------------------------------------------------------------

def tagged(name="T", t="int32", **keys):
    base = {"versions": "2+", "taggedVersions": "2+", "tag": 0}
    base.update(keys)
    return field(name, t, **base)


def test_tagged_field_accepted():
    f = build(message([tagged()])).root.fields[0]
    assert f.tag == 0 and str(f.tagged_versions) == "2+"


def test_tag_negative():
    expect(message([tagged(tag=-1)]), f"{NAME}.T",
           "Field T specifies a tag of -1. Tags cannot be negative.")


def test_tag_without_tagged_versions():
    expect(message([tagged(taggedVersions=DROP)]), f"{NAME}.T",
           "Field T specifies a tag, but no taggedVersions.")


def test_tagged_versions_without_tag():
    expect(message([tagged(tag=DROP)]), f"{NAME}.T",
           "Field T specifies taggedVersions 2+, but no tag.")


def test_tag_not_an_integer():
    expect(message([tagged(tag="first")]), f"{NAME}.T", "tag must be an integer")


def test_tagged_versions_not_open_ended():
    expect(message([tagged(versions="2-3", taggedVersions="2-3")]), f"{NAME}.T",
           "Field T specifies taggedVersions 2-3, which is not open-ended.")


def test_tagged_versions_not_subset_of_versions():
    expect(message([tagged(versions="3+", taggedVersions="2+")]), f"{NAME}.T",
           "Field T specifies taggedVersions 2+, which is not a subset of the field's "
           "versions 3+")


def test_tagged_versions_not_subset_of_flexible_versions():
    expect(message([tagged(versions="1+", taggedVersions="1+")]), f"{NAME}.T",
           "Field T specifies tagged versions 1+ that are not a subset of the flexible "
           "versions 2+")


def test_tagged_field_in_non_flexible_message():
    expect(message([tagged()], flexibleVersions="none"), f"{NAME}.T",
           "that are not a subset of the flexible versions none")


def test_tagged_versions_not_subset_of_field_flexible_override():
    # Kafka checks tagged versions against the field's own flexible versions.
    expect(message([tagged(t="string", flexibleVersions="none")]), f"{NAME}.T",
           "Field T specifies tagged versions 2+ that are not a subset of the flexible "
           "versions none")


def test_tagged_versions_outside_struct_versions():
    # The struct only occurs in v0-2, so a field tagged from v3 can never be written.
    sub = struct_field("Sub", "Sub", [tagged(versions="0+", taggedVersions="3+")],
                       versions="0-2")
    expect(message([sub]), "Sub.T", "Version ranges 3+ and 0-2 have no versions in common.")


def test_tagged_nullability_all_or_nothing():
    expect(message([tagged(t="string", nullableVersions="3+")]), f"{NAME}.T",
           "Field T specifies nullableVersions 3+ and taggedVersions 2+. Either all tagged "
           "versions must be nullable, or none must be.")


@pytest.mark.parametrize("nullable", ["2+", "0+"])
def test_tagged_nullable_in_all_tagged_versions(nullable):
    build(message([tagged(t="string", nullableVersions=nullable)]))


def test_duplicate_tags():
    expect(message([tagged("A", tag=0), tagged("B", tag=1), tagged("C", tag=1)]), NAME,
           "duplicate tag 1")


def test_tags_not_contiguous():
    expect(message([tagged("A", tag=0), tagged("B", tag=2)]), NAME,
           "tags are not contiguous from 0: missing tag 1")


def test_tags_must_start_at_zero():
    expect(message([tagged("A", tag=1)]), NAME, "missing tag 0")


def test_tags_restart_in_each_struct():
    sub = struct_field("Subs", "[]Sub", [tagged("Inner", tag=0)])
    build(message([tagged("Outer", tag=0), sub]))


def test_tagged_map_key():
    sub = struct_field("Subs", "[]Sub", [tagged("Key", t="string", mapKey=True)])
    expect(message([sub]), "Sub.Key", "Tagged field Key cannot be used as a map key.")


def test_tagged_records():
    expect(message([tagged(t="records")]), f"{NAME}.T",
           "Unsupported attempt to declare field `T` with `records` type as a tagged field.")


# --- 9. zeroCopy -------------------------------------------------------------------

@pytest.mark.parametrize("t", ["string", "records", "[]bytes", "int32"])
def test_zero_copy_only_on_bytes(t):
    expect(message([field(type=t, zeroCopy=True)]), f"{NAME}.F",
           "Invalid zeroCopy value for F. Only fields of type bytes can use zeroCopy flag.")


def test_zero_copy_on_bytes():
    assert build(message([field(type="bytes", zeroCopy="true")])).root.fields[0].zero_copy


# --- 10. defaults ------------------------------------------------------------------

INT_CASES = {
    # type: (accepted, out of range)
    "int8": (["-128", "127", "0x7f", "0", "-0", "+5"], ["128", "-129", "0x80"]),
    "int16": (["-32768", "32767", "0x7fff"], ["32768", "-32769", "0x8000"]),
    "uint16": (["0", "65535", "0xffff", "0xABCD"], ["-1", "65536", "0x10000"]),
    "int32": (["-2147483648", "2147483647", "0x7fffffff"],
              ["2147483648", "-2147483649", "0x80000000"]),
    "uint32": (["0", "4294967295", "0xffffffff"], ["-1", "4294967296", "0x100000000"]),
    "int64": (["-9223372036854775808", "9223372036854775807", "0x7fffffffffffffff",
               "0xcafcacafcacafca"],
              ["9223372036854775808", "-9223372036854775809", "0x8000000000000000"]),
}


@pytest.mark.parametrize("t, text", [(t, v) for t, (ok, _) in INT_CASES.items() for v in ok])
def test_int_default_in_range(t, text):
    f = build(message([field(type=t, default=text)])).root.fields[0]
    expected = int(text[2:], 16) if text.startswith("0x") else int(text)
    assert f.default_value == expected


@pytest.mark.parametrize("t, text", [(t, v) for t, (_, bad) in INT_CASES.items() for v in bad])
def test_int_default_out_of_range(t, text):
    expect(message([field(type=t, default=text)]), f"{NAME}.F",
           f"Invalid default for {t} field F: {text} is out of range")


@pytest.mark.parametrize("t", list(INT_CASES))
@pytest.mark.parametrize("text", ["abc", "1.5", "0x", "0xg1", "0x-1", "-0x1", "0X10", "1e3",
                                  " 1", "null"])
def test_int_default_malformed(t, text):
    reason = f"Invalid default for {t}: null" if text == "null" else \
        f"Invalid default for {t} field F: {text}"
    expect(message([field(type=t, default=text)]), f"{NAME}.F", reason)


@pytest.mark.parametrize("text", ["010", "-07", "00", "0123456789"])
def test_int_default_leading_zero_rejected(text):
    # Kafka validates these as decimal but pastes them into Java, where a
    # leading 0 means octal; we refuse to guess.
    expect(message([field(default=text)]), f"{NAME}.F", f"Invalid default for int32 field F: "
                                                        f"{text}")


@pytest.mark.parametrize("text, value", [("true", True), ("TRUE", True), ("False", False),
                                         ("false", False)])
def test_bool_default(text, value):
    assert build(message([field(type="bool", default=text)])).root.fields[0].default_value \
        is value


@pytest.mark.parametrize("text", ["yes", "1", "t", "nul"])
def test_bool_default_malformed(text):
    expect(message([field(type="bool", default=text)]), f"{NAME}.F",
           f"Invalid default for boolean field F: {text}")


@pytest.mark.parametrize("text, value", [("12.34", 12.34), ("-1e3", -1000.0), ("0.5", 0.5),
                                         (".5", 0.5), ("7", 7.0), ("1E-2", 0.01)])
def test_float64_default(text, value):
    assert build(message([field(type="float64", default=text)])).root.fields[0].default_value \
        == value


def test_float64_default_java_specials():
    for text in ("NaN", "Infinity", "-Infinity"):
        build(message([field(type="float64", default=text)]))


@pytest.mark.parametrize("text", ["abc", "1_000", "nan", "inf", "infinity", "1.2.3", "0x10",
                                  "1e", "--1"])
def test_float64_default_malformed(text):
    expect(message([field(type="float64", default=text)]), f"{NAME}.F",
           f"Invalid default for float64 field F: {text}")


def test_uuid_default():
    f = build(message([field(type="uuid", default="H3KKO4NTRPaCWtEmm3vW7A")])).root.fields[0]
    assert f.default_value == bytes.fromhex("1f728a3b835344f6825ad1269b7bd6ec")


def test_uuid_default_padded():
    f = build(message([field(type="uuid", default="AAAAAAAAAAAAAAAAAAAAAQ==")])).root.fields[0]
    assert f.default_value == bytes(15) + b"\x01"


def test_uuid_default_implicit_zero():
    assert build(message([field(type="uuid")])).root.fields[0].default_value == bytes(16)


@pytest.mark.parametrize("text", ["not-a-uuid", "H3KKO4NTRPaCWtEmm3vW7", "H3KKO4NTRPaCWtEmm3vW7AA",
                                  "H3KKO4NTRPaCWtEmm3vW7!", "H3KKO4NTRPaCWtEmm3v+7A",
                                  "H3KKO4NT RPaCWtEmm3vW7A", "1f728a3b-8353-44f6-825a-d1269b7bd6ec",
                                  "H3KKO4NTRPaCWtEmm3vW7A="])
def test_uuid_default_malformed(text):
    expect(message([field(type="uuid", default=text)]), f"{NAME}.F",
           f"Invalid default for uuid field F: {text}")


def test_string_defaults():
    fields = build(message([
        field("A", "string", default="hello, kgw"),
        field("B", "string", default=""),
        field("C", "string"),
        field("D", "string", nullableVersions="0+", default="null"),
    ])).root.fields
    assert [f.default_value for f in fields] == ["hello, kgw", "", "", None]


def test_string_default_too_long():
    expect(message([field(type="string", default="x" * 32768)]), f"{NAME}.F",
           "string default is longer than 32767 bytes")


@pytest.mark.parametrize("t", ["string", "bytes", "[]int32", "[]string"])
def test_null_default_needs_nullable_in_all_versions(t):
    expect(message([field(type=t, nullableVersions="1+", default="null")]), f"{NAME}.F",
           "null cannot be the default for field F, because not all versions of this field "
           "are nullable.")


def test_null_default_when_field_starts_later():
    # Nullable from v1 covers a field that only exists from v1.
    build(message([field(type="string", versions="1+", nullableVersions="1+", default="null")]))


def test_null_default_on_non_nullable_type():
    expect(message([field(type="int64", default="null")]), f"{NAME}.F",
           "Invalid default for int64: null")


@pytest.mark.parametrize("t, text", [("bytes", "abc"), ("records", "x"), ("[]int32", "[]"),
                                     ("[]int32", "0"), ("[]string", "a")])
def test_bytes_and_array_defaults_only_empty_or_null(t, text):
    expect(message([field(type=t, default=text)]), f"{NAME}.F",
           f"Invalid default for {t}: only empty or null defaults are supported")


def test_struct_default_only_empty_or_null():
    sub = struct_field("Sub", "Sub", [field("X")], default="{}")
    expect(message([sub]), f"{NAME}.Sub",
           "Invalid default for Sub: only empty or null defaults are supported")


def test_struct_default_empty_accepted():
    build(message([struct_field("Sub", "Sub", [field("X")], default="")]))


def test_struct_array_default_null():
    build(message([struct_field("Subs", "[]Sub", [field("X")], nullableVersions="0+",
                                default="null")]))


def test_nullable_struct_must_default_to_null():
    # kgw keeps a nullable struct behind a pointer that starts out NULL.
    sub = struct_field("Sub", "Sub", [field("X")], nullableVersions="0+")
    expect(message([sub]), f"{NAME}.Sub", 'nullable struct field Sub must have default "null"')


def test_nullable_struct_empty_default_rejected():
    sub = struct_field("Sub", "Sub", [field("X")], nullableVersions="0+", default="")
    expect(message([sub]), f"{NAME}.Sub", 'must have default "null"')


def test_struct_nullable_in_some_versions_rejected():
    sub = struct_field("Sub", "Sub", [field("X")], nullableVersions="2+", default="null")
    expect(message([sub]), f"{NAME}.Sub", "because not all versions of this field are nullable")


def test_nullable_struct_with_null_default():
    f = build(message([struct_field("Sub", "Sub", [field("X")], nullableVersions="0+",
                                    default="null")])).root.fields[0]
    assert f.default_value is None


def test_default_not_a_scalar():
    expect(message([field(default=[1])]), f"{NAME}.F", "default must be a scalar")


# --- 11. entityType ----------------------------------------------------------------

@pytest.mark.parametrize("entity, t", [("topicName", "int32"), ("brokerId", "string"),
                                       ("producerId", "int32"), ("groupId", "[]int32"),
                                       ("transactionalId", "bytes"), ("brokerId", "int64")])
def test_entity_type_mismatch(entity, t):
    expect(message([field(type=t, entityType=entity)]), f"{NAME}.F",
           f"Field F has entity type {entity}, but field type {t}, which does not match.")


@pytest.mark.parametrize("entity, t", [("topicName", "string"), ("topicName", "[]string"),
                                       ("brokerId", "[]int32"), ("producerId", "int64"),
                                       ("groupId", "string"), ("transactionalId", "string"),
                                       ("unknown", "uuid")])
def test_entity_type_match(entity, t):
    build(message([field(type=t, entityType=entity)]))


def test_entity_type_unknown_name():
    expect(message([field(entityType="clusterId")]), f"{NAME}.F",
           "unknown entityType 'clusterId'")


# --- 12. common and inline struct uniqueness ------------------------------------------

COMMON = {"name": "Shared", "versions": "0+", "fields": [field("X")]}


def test_common_struct_used_twice():
    msg = build(message([field("A", "Shared"), field("B", "[]Shared")], commonStructs=[COMMON]))
    shared = [s for s in msg.structs if s.name == "Shared"]
    assert len(shared) == 1 and shared[0].uses == 2 and shared[0].is_common


def test_common_struct_respecified_inline():
    data = message([struct_field("A", "[]Shared", [field("X")])], commonStructs=[COMMON])
    expect(data, f"{NAME}.A", "Can't re-specify the common struct Shared as an inline struct.")


def test_common_struct_defined_twice():
    data = message([field("A", "Shared")], commonStructs=[COMMON, dict(COMMON)])
    expect(data, "Shared", "Common struct Shared was specified twice.")


def test_common_struct_versions_missing():
    data = message([field("A", "Shared")],
                   commonStructs=[{"name": "Shared", "fields": [field("X")]}])
    expect(data, "Shared", "You must specify the version of the Shared structure.")


def test_common_struct_deprecated_versions_allowed():
    build(message([field("A", "Shared")], commonStructs=[dict(COMMON, deprecatedVersions="0")]))


def test_inline_struct_defined_twice():
    data = message([struct_field("A", "[]Sub", [field("X")]),
                    struct_field("B", "Sub", [field("Y")])])
    expect(data, f"{NAME}.B", "Struct Sub was specified twice.")


def test_inline_struct_defined_twice_at_different_depths():
    inner = struct_field("Deep", "[]Sub", [field("Y")])
    data = message([struct_field("A", "[]Sub", [field("X")]),
                    struct_field("B", "[]Other", [inner])])
    expect(data, "Other.Deep", "Struct Sub was specified twice.")


def test_struct_named_like_message():
    expect(message([struct_field("A", NAME, [field("X")])]), f"{NAME}.A",
           f"struct name {NAME} is the message's own name")


def test_no_struct_named():
    expect(message([field("A", "[]Missing")]), f"{NAME}.A", "no struct named Missing is defined")


# --- 13. mapKey ----------------------------------------------------------------------

def test_map_key_at_top_level():
    expect(message([field(type="string", mapKey=True)]), f"{NAME}.F",
           "Cannot set mapKey on top level fields.")


def test_map_key_in_struct_array():
    msg = build(message([struct_field("Subs", "[]Sub", [field("K", mapKey=True), field("V")])]))
    sub = [s for s in msg.structs if s.name == "Sub"][0]
    assert [f.map_key for f in sub.fields] == [True, False]


# --- 14. one request and one response per api key; metadata ids --------------------------

def pair(key=0, **top):
    return [(f"KgwProbe{key}Request.json", request(key, f"KgwProbe{key}Request", **top)),
            (f"KgwProbe{key}Response.json", response(key, f"KgwProbe{key}Response", **top))]


def test_pairs_accepted():
    msgs = [build(d, f) for f, d in pair(0) + pair(1)]
    check_corpus(msgs)


def test_two_requests_with_one_api_key():
    text = corpus_error(pair(0) + [("KgwOtherRequest.json", request(0, "KgwOtherRequest"))])
    assert text.startswith("KgwProbe0Request.json: KgwProbe0Request: api key 0 is also used by "
                           "KgwOtherRequest.json") or \
        text.startswith("KgwOtherRequest.json: KgwOtherRequest: api key 0 is also used by"), text


def test_two_responses_with_one_api_key():
    text = corpus_error(pair(0) + [("KgwOtherResponse.json", response(0, "KgwOtherResponse"))])
    assert "api key 0 is also used by" in text


def test_request_without_response():
    text = corpus_error(pair(0)[:1])
    assert text == "KgwProbe0Request.json: KgwProbe0Request: no response has api key 0"


def test_response_without_request():
    text = corpus_error(pair(0)[1:])
    assert text == "KgwProbe0Response.json: KgwProbe0Response: no request has api key 0"


def test_metadata_record_ids_unique():
    a = message(name="KgwRecordA", type="metadata", apiKey=3)
    b = message(name="KgwRecordB", type="metadata", apiKey=3)
    text = corpus_error([("KgwRecordA.json", a), ("KgwRecordB.json", b)])
    assert text == "KgwRecordB.json: KgwRecordB: api key 3 is also used by KgwRecordA.json"


def test_api_key_required():
    expect(request(api_key=DROP), "KgwProbeRequest", "apiKey is required")
    expect(message(type="metadata"), NAME, "apiKey is required")


@pytest.mark.parametrize("key", [-1, 32768, "x"])
def test_api_key_range(key):
    expect(request(api_key=key), "KgwProbeRequest", "apiKey")


def test_data_messages_may_share_api_keys():
    check_corpus([build(message(name="KgwA", apiKey=1)), build(message(name="KgwB", apiKey=1))])


# --- 15. version conditions that can never be true ---------------------------------------

def test_field_outside_message_versions():
    expect(message([field(versions="5+")]), f"{NAME}.F",
           "Version ranges 5+ and 0-3 have no versions in common.")


def test_field_outside_parent_struct_versions():
    sub = struct_field("Sub", "[]Sub", [field("X", versions="2+")], versions="0-1")
    expect(message([sub]), "Sub.X", "Version ranges 2+ and 0-1 have no versions in common.")


def test_field_outside_common_struct_versions():
    data = message([field("A", "Shared")],
                   commonStructs=[{"name": "Shared", "versions": "0-1",
                                   "fields": [field("X", versions="3+")]}])
    expect(data, "Shared.X", "have no versions in common")


# --- 16. request/response pairs agree ---------------------------------------------------

def test_pair_valid_versions_differ():
    req, resp = pair(0)
    resp = (resp[0], dict(resp[1], validVersions="0-2"))
    assert corpus_error([req, resp]) == (
        "KgwProbe0Response.json: KgwProbe0Response: validVersions 0-2 differ from "
        "KgwProbe0Request's 0-3")


def test_pair_flexible_versions_differ():
    req, resp = pair(0)
    resp = (resp[0], dict(resp[1], flexibleVersions="3+"))
    assert corpus_error([req, resp]) == (
        "KgwProbe0Response.json: KgwProbe0Response: flexibleVersions 3+ differ from "
        "KgwProbe0Request's 2+")


# --- message shape -----------------------------------------------------------------------

def test_request_name_suffix():
    expect(request(name="KgwProbe"), "KgwProbe", "request names must end in Request")


def test_response_name_suffix():
    expect(response(name="KgwProbeReply"), "KgwProbeReply", "response names must end in Response")


@pytest.mark.parametrize("t", ["requests", "record", None, "Data"])
def test_message_type(t):
    expect(message(type=t), NAME, "invalid message type")


def test_fields_must_be_an_array():
    expect(message(fields=DROP), NAME, "fields must be an array")


def test_deprecated_versions():
    assert str(build(message(deprecatedVersions="0-1")).deprecated_versions) == "0-1"
    expect(message(deprecatedVersions="old"), NAME, "deprecatedVersions: invalid version range")


# --- unknown keys ------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["apiStability", "headerVersions", "about", "version"])
def test_unknown_message_key(key):
    expect(message(**{key: "x"}), NAME, f"unknown key '{key}'")


@pytest.mark.parametrize("key", ["nullable", "doc", "Versions", "deprecatedVersions"])
def test_unknown_field_key(key):
    expect(message([field(**{key: "x"})]), f"{NAME}.F", f"unknown key '{key}'")


def test_unknown_common_struct_key():
    data = message([field("A", "Shared")], commonStructs=[dict(COMMON, about="x")])
    expect(data, "Shared", "unknown key 'about'")


# --- C names -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Int", "Default", "Bool", "Struct", "Register", "Volatile",
                                  "Case", "True"])
def test_c_keyword_field_name(name):
    expect(message([field(name)]), f"{NAME}.{name}",
           f"field name is the C keyword '{name.lower()}'")


def test_c_keyword_nested_field_name():
    expect(message([struct_field("Subs", "[]Sub", [field("Switch")])]), "Sub.Switch",
           "C keyword 'switch'")


@pytest.mark.parametrize("a, b", [("Id", "ID"), ("Foobar", "FOOBar"), ("Topic", "topic")])
def test_snake_case_collision(a, b):
    assert snake(a) == snake(b)
    expect(message([field(a), field(b)]), f"{NAME}.{b}",
           f"field name collides with {a} (both are '{snake(a)}' in C)")


def test_snake_case_collision_in_nested_struct():
    sub = struct_field("Subs", "[]Sub", [field("GroupID"), field("GroupId")])
    expect(message([sub]), "Sub.GroupId", "field name collides with GroupID")


def test_duplicate_field_name():
    expect(message([field("Same"), field("Same", "string")]), f"{NAME}.Same",
           "duplicate field name Same")


def test_same_field_name_in_different_structs():
    build(message([field("X"), struct_field("Subs", "[]Sub", [field("X")])]))


def test_struct_c_names_collide_within_message():
    # Snake case makes both structs kafka_kgw_probe_foobar.
    data = message([struct_field("A", "[]Foobar", [field("X")]),
                    struct_field("B", "[]FOOBar", [field("Y")])])
    text = error(data)
    assert text.startswith(f"{FILE}: ") and "C name kafka_kgw_probe_foobar collides with struct" \
        in text, text


def test_struct_name_collides_with_array_type():
    # Struct Item has an array type kafka_kgw_probe_item_array_t; so would ItemArray.
    data = message([struct_field("A", "[]Item", [field("X")]),
                    struct_field("B", "[]ItemArray", [field("Y")])])
    expect(data, "ItemArray", "C name kafka_kgw_probe_item_array collides with struct Item")


def test_struct_helper_names_collide_with_message():
    # File-local helpers are named after snake(struct name): decode_kgw_probe
    # would serve both the message and this struct.
    data = message([struct_field("A", "[]KgwPROBE", [field("X")])])
    expect(data, "KgwProbe", "C name decode_kgw_probe collides with struct KgwPROBE")


def test_c_names_collide_across_messages():
    a = message([struct_field("Items", "[]Item", [field("X")])], name="KgwProbe")
    b = message(name="KgwProbeItem")
    text = corpus_error([("KgwProbe.json", a), ("KgwProbeItem.json", b)])
    assert text.startswith("KgwProbeItem.json: KgwProbeItem: C name kafka_kgw_probe_item "
                           "collides with KgwProbe.json Item"), text


def test_message_collides_with_array_type_of_another():
    text = corpus_error([("KgwProbe.json", message()),
                         ("KgwProbeArray.json", message(name="KgwProbeArray"))])
    assert "C name kafka_kgw_probe_array collides with KgwProbe.json KgwProbe" in text, text
