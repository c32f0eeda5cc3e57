"""The kafkagen command: errors go to stderr as "File.json: Struct.Field:
reason" with a non-zero exit, and --check fails when the output differs."""

import subprocess
import sys

from schema_helpers import CODEGEN

KAFKAGEN = CODEGEN / "kafkagen"
PROBE = ('{"type": "data", "name": "KgwProbe", "validVersions": "0-1", "flexibleVersions": "1+",'
         ' "fields": [{"name": "Count", "type": "int32", "versions": "0+", "default": "-1"},'
         ' {"name": "Label", "type": "string", "versions": "1+", "nullableVersions": "1+"}]}')


def run(*args):
    return subprocess.run([sys.executable, str(KAFKAGEN), *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_malformed_schema_reported(tmp_path):
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "Bad.json").write_text(
        '// a field that cannot be null\n'
        '{"type": "data", "name": "KgwBad", "validVersions": "0", "flexibleVersions": "none",\n'
        ' "fields": [{"name": "Count", "type": "int32", "versions": "0+",\n'
        '             "nullableVersions": "0+"}]}\n')
    out = tmp_path / "out"
    r = run("--spec", spec, "--out", out, "--record", tmp_path / "UPSTREAM.json")
    assert r.returncode != 0
    assert "Bad.json: KgwBad.Count: Type int32 cannot be nullable." in r.stderr, r.stderr
    assert not out.exists()
    assert not (tmp_path / "UPSTREAM.json").exists()


def test_invalid_json_reported(tmp_path):
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "Broken.json").write_text('{"type": "data",\n "name": }\n')
    r = run("--spec", spec, "--out", tmp_path / "out", "--record", tmp_path / "UPSTREAM.json")
    assert r.returncode != 0
    assert "Broken.json: invalid JSON at line 2" in r.stderr, r.stderr


def test_check(tmp_path):
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "KgwProbe.json").write_text(PROBE)
    out = tmp_path / "generated"
    record = tmp_path / "UPSTREAM.json"
    common = ["--spec", spec, "--out", out, "--record", record,
              "--test-specs", tmp_path / "no-test-specs"]

    r = run(*common)
    assert r.returncode == 0, r.stderr
    assert (out / "src" / "kgw_probe.c").is_file()
    assert '"KgwProbe.json"' in record.read_text()

    r = run(*common, "--check")
    assert r.returncode == 0, r.stderr

    (out / "src" / "kgw_probe.c").write_text("/* edited by hand */\n")
    r = run(*common, "--check")
    assert r.returncode == 1
    assert "differs: src/kgw_probe.c" in r.stderr, r.stderr
    assert "/* edited by hand */" in (out / "src" / "kgw_probe.c").read_text()


def test_check_against_other_directory(tmp_path):
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "KgwProbe.json").write_text(PROBE)
    other = tmp_path / "other"
    (other / "src").mkdir(parents=True)
    (other / "src" / "stale.c").write_text("int x;\n")
    r = run("--spec", spec, "--out", other, "--record", tmp_path / "UPSTREAM.json",
            "--test-specs", tmp_path / "none", "--check")
    assert r.returncode == 1
    assert "stale" in r.stderr


def test_check_spec_record_differs(tmp_path):
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "KgwProbe.json").write_text(PROBE)
    out = tmp_path / "generated"
    record = tmp_path / "UPSTREAM.json"
    common = ["--spec", spec, "--out", out, "--record", record, "--test-specs", tmp_path / "none"]
    assert run(*common).returncode == 0
    (spec / "KgwProbe.json").write_text(PROBE + "\n// a changed spec file\n")
    r = run(*common, "--check")
    assert r.returncode == 1
    assert "spec record" in r.stderr, r.stderr
