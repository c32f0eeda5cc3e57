"""Every schema of the pinned Kafka spec and of the later snapshot loads and
validates, and so do kgw's own test schemas in spec/test, which together
must keep exercising every generator feature."""

from pathlib import Path

import pytest

from schema_helpers import SPEC_ROOT, TEST_SPECS
from kafkagen_lib.emit import load_dir, render
from kafkagen_lib.loader import load_file
from kafkagen_lib.model import FIXED_WIDTH, SpecError, check_corpus

UPSTREAM = ["3.9.0", "4.0.0-snapshot"]


def spec_dir(version: str) -> Path:
    d = SPEC_ROOT / version
    if not d.is_dir():
        pytest.skip(f"{d} is not present")
    return d


@pytest.mark.parametrize("version", UPSTREAM)
def test_upstream_spec_validates(version):
    warnings = []
    msgs = load_dir(spec_dir(version), warnings)
    check_corpus(msgs)
    assert len(msgs) == len(list(spec_dir(version).glob("*.json")))
    by_type = {}
    for m in msgs:
        by_type[m.type] = by_type.get(m.type, 0) + 1
    assert by_type["request"] == by_type["response"] >= 88
    assert by_type["header"] == 2
    # Only the known duplicate "versions" keys (DescribeTopicPartitions*).
    assert all("duplicate key 'versions'" in w for w in warnings), warnings


@pytest.mark.parametrize("version", UPSTREAM)
def test_upstream_spec_with_test_specs(version):
    msgs = load_dir(spec_dir(version), []) + load_dir(TEST_SPECS, [])
    check_corpus(msgs)
    upstream = {m.name for m in msgs if not m.name.startswith("KgwTest")}
    assert not upstream & {m.name for m in load_dir(TEST_SPECS, [])}


def test_upstream_file_count():
    d = spec_dir("3.9.0")
    assert len(list(d.glob("*.json"))) == 186


# --- spec/test ------------------------------------------------------------------------

TEST_FILES = sorted(TEST_SPECS.glob("*.json"))


def test_test_specs_exist():
    names = {p.stem for p in TEST_FILES}
    assert {"KgwTestAllTypes", "KgwTestTaggedFields", "KgwTestNullable", "KgwTestCommonStructs",
            "KgwTestDefaults", "KgwTestNonFlexible"} <= names


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_test_spec_loads(path):
    text = path.read_text()
    assert text.startswith("//"), "each test schema opens with a comment saying what it covers"
    warnings = []
    msgs = load_dir(TEST_SPECS, warnings)
    msg = [m for m in msgs if m.file == path.name][0]
    assert msg.type == "data"
    assert msg.name == path.stem and msg.name.startswith("KgwTest")
    assert not warnings
    assert load_file(path)["name"] == msg.name


def all_fields(msgs):
    for m in msgs:
        for s in m.structs:
            for f in s.fields:
                yield m, s, f


def test_test_specs_cover_every_feature():
    msgs = load_dir(TEST_SPECS, [])
    fields = list(all_fields(msgs))
    prims = set(FIXED_WIDTH) | {"string", "bytes", "records"}
    plain = {f.type.base for _, _, f in fields if not f.type.is_array and not f.type.is_struct}
    assert prims <= plain, prims - plain
    arrays = {f.type.base for _, _, f in fields if f.type.is_array and not f.type.is_struct}
    missing = (set(FIXED_WIDTH) | {"string", "bytes"}) - arrays
    assert not missing, missing
    assert any(f.type.is_array and f.type.is_struct for _, _, f in fields)

    tagged = [f for _, _, f in fields if f.tag is not None]
    kinds = {("[]" if f.type.is_array else "") + ("struct" if f.type.is_struct else f.type.base)
             for f in tagged}
    for kind in ("bool", "int8", "int16", "uint16", "int32", "uint32", "int64", "float64",
                 "uuid", "string", "bytes", "[]int32", "[]string", "[]uuid", "[]struct",
                 "struct"):
        assert kind in kinds, kind
    assert any(f.type.base == "string" and not f.nullable_versions.empty for f in tagged)
    assert any(f.type.base == "string" and f.nullable_versions.empty for f in tagged)
    assert any(f.type.is_struct and not f.type.is_array and not f.nullable_versions.empty
               for f in tagged), "a tagged nullable struct"
    assert any(f.tag is not None and f.versions != f.tagged_versions for f in tagged), \
        "a field that is untagged in early versions"

    assert any(f.type.is_struct and not f.type.is_array and not f.nullable_versions.empty
               and f.tag is None for _, _, f in fields), "an untagged nullable struct"
    assert any(s.is_common and s.uses >= 2 for m in msgs for s in m.structs)
    assert any(f.zero_copy for _, _, f in fields)
    assert any(f.map_key for _, _, f in fields)
    assert any(f.ignorable for _, _, f in fields)
    assert any(str(f.flexible_versions) == "none" for _, _, f in fields)
    assert any(f.versions.lo > 0 for _, _, f in fields), "a field added later"
    assert any(not f.versions.open_ended for _, _, f in fields), "a field removed later"
    assert any(m.flexible_versions.empty for m in msgs)
    assert any(not m.flexible_versions.empty and m.flexible_versions.lo > 0 for m in msgs)

    defaults = {(f.type.base, f.default) for _, _, f in fields if f.default is not None}
    assert ("int64", "0xcafcacafcacafca") in defaults
    assert ("float64", "12.34") in defaults
    assert ("uuid", "H3KKO4NTRPaCWtEmm3vW7A") in defaults
    assert ("bool", "true") in defaults
    assert ("string", "null") in defaults
    assert any(t == "string" and d not in ("", "null") for t, d in defaults)
    assert any(t.startswith(("int", "uint")) and d.startswith("0x") for t, d in defaults)
    assert any(t.startswith("int") and d.startswith("-") for t, d in defaults)

    def depth(s):
        return 1 + max([depth(f.struct) for f in s.fields if f.struct is not None], default=0)
    assert max(depth(m.root) for m in msgs) >= 4


def test_test_specs_must_be_data(tmp_path):
    upstream = tmp_path / "upstream"
    upstream.mkdir()
    (upstream / "KgwProbe.json").write_text(
        '{"type": "data", "name": "KgwProbe", "validVersions": "0", "flexibleVersions": "none",'
        ' "fields": []}')
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "KgwTestProbeRequest.json").write_text(
        '{"type": "request", "name": "KgwTestProbeRequest", "apiKey": 9000, "validVersions": "0",'
        ' "flexibleVersions": "none", "fields": []}')
    with pytest.raises(SpecError, match="KgwTestProbeRequest.json: test schemas must be of type"):
        render(upstream, tests, "probe", [])
