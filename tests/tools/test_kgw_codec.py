"""Checks the kgw-codec command line: the API table it prints, decode/encode
byte identity on the golden vectors (bodies alone and behind request and
response headers built here), the error format and the exit codes.

Usage: test_kgw_codec.py KGW_CODEC VECTORS_DIR
"""
import json
import os
import re
import struct
import subprocess
import sys

CODEC = sys.argv[1]
VECTORS = sys.argv[2]

# Vectors that kafka-python encodes unlike the 3.9.0 schema; see
# tests/golden/README.md. They must not decode cleanly.
KNOWN_MISMATCHES = {
    "kafka-python/produce_v8_response.bin",
    "kafka-python/list_offsets_v4_request.bin",
    "kafka-python/list_offsets_v5_request.bin",
    "kafka-python/find_coordinator_v1_response.bin",
    "kafka-python/describe_groups_v3_response.bin",
    "kafka-python/describe_acls_v2_request.bin",
    "kafka-python/describe_acls_v2_response.bin",
}

# Must round-trip: both sources, requests and responses, flexible and not.
REQUIRED = [
    "kafka-python/produce_v3_request.bin",
    "kafka-python/fetch_v4_response.bin",
    "kafka-python/metadata_v5_response.bin",
    "kafka-python/api_versions_v2_response.bin",
    "kafka-python/create_topics_v3_request.bin",
    "kafkajs/produce_v7_request.bin",
    "kafkajs/fetch_v11_request.bin",
    "kafkajs/alter_partition_reassignments_v0_request.bin",
    "kafkajs/list_partition_reassignments_v0_request.bin",
]

ERROR_RE = re.compile(r"^offset -?\d+: [A-Za-z_][A-Za-z0-9_.\[\]()]*: \S.*$")

failures = []
counts = {}


def check(cond, what):
    counts["checks"] = counts.get("checks", 0) + 1
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)
    return cond


def run(args, data=b""):
    p = subprocess.run([CODEC] + args, input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def codec_args(api, kind, version, header=False):
    args = ["--api", str(api), "--kind", kind, "--version", str(version)]
    return args + (["--header"] if header else [])


def round_trip(label, args, data):
    """decode then encode; returns the decoded JSON text or None."""
    rc, out, err = run(["decode"] + args, data)
    if not check(rc == 0, f"{label}: decode exit {rc}: {err.strip()}"):
        return None
    check(err == "", f"{label}: decode wrote to stderr: {err.strip()}")
    try:
        json.loads(out)
    except ValueError as e:
        check(False, f"{label}: decode output is not JSON: {e}")
        return None
    rc, back, err = run(["encode"] + args, out)
    if check(rc == 0, f"{label}: encode exit {rc}: {err.strip()}"):
        check(back == data, f"{label}: encode(decode(x)) != x "
              f"({len(back)} bytes vs {len(data)})")
    return out


def test_apis():
    rc, out, err = run(["apis"])
    check(rc == 0, f"apis exit {rc}: {err}")
    apis = json.loads(out)
    check(len(apis) == 88, f"apis: {len(apis)} entries, want 88")
    check([a["apiKey"] for a in apis] == list(range(88)), "apis: not in api-key order")
    by_name = {a["name"]: a for a in apis}
    for a in apis:
        check(set(a) == {"apiKey", "name", "minVersion", "maxVersion",
                         "firstFlexibleVersion"}, f"apis: keys of {a}")
    # Kafka 3.9.0: (min, max, first flexible or -1).
    want = {
        "Produce": (0, 11, 9),
        "Fetch": (0, 17, 12),
        "ListOffsets": (0, 9, 6),
        "Metadata": (0, 12, 9),
        "ApiVersions": (0, 4, 3),
        "SaslHandshake": (0, 1, -1),
        "ControlledShutdown": (0, 3, 3),
        "ReadShareGroupStateSummary": (0, 0, 0),
    }
    for name, (lo, hi, flex) in want.items():
        a = by_name.get(name)
        if check(a is not None, f"apis: {name} missing"):
            got = (a["minVersion"], a["maxVersion"], a["firstFlexibleVersion"])
            check(got == (lo, hi, flex), f"apis: {name} is {got}, want {(lo, hi, flex)}")
    return by_name


def load_vectors():
    vectors = []
    for source in sorted(os.listdir(VECTORS)):
        index_path = os.path.join(VECTORS, source, "index.json")
        if not os.path.isfile(index_path):
            continue
        with open(index_path) as f:
            for e in json.load(f):
                with open(os.path.join(VECTORS, source, e["file"]), "rb") as vf:
                    data = vf.read()
                vectors.append((f"{source}/{e['file']}", e["apiKey"], e["apiVersion"],
                                e["kind"], data))
    return vectors


def request_header(api, version, correlation, client_id, hv):
    h = struct.pack(">hhi", api, version, correlation)
    if hv >= 1:
        raw = client_id.encode()
        h += struct.pack(">h", len(raw)) + raw
    if hv >= 2:
        h += b"\x00"  # no tagged fields
    return h


def response_header(correlation, hv):
    return struct.pack(">i", correlation) + (b"\x00" if hv >= 1 else b"")


def request_header_version(apis_by_key, api, version):
    if api == 7 and version == 0:
        return 0
    flex = apis_by_key[api]["firstFlexibleVersion"]
    return 2 if 0 <= flex <= version else 1


def response_header_version(apis_by_key, api, version):
    if api == 18:
        return 0
    flex = apis_by_key[api]["firstFlexibleVersion"]
    return 1 if 0 <= flex <= version else 0


def test_vectors(apis_by_key):
    vectors = load_vectors()
    check(len(vectors) > 200, f"only {len(vectors)} golden vectors found")
    names = {v[0] for v in vectors}
    for r in REQUIRED:
        check(r in names, f"required vector {r} missing")
    ok = 0
    for label, api, version, kind, data in vectors:
        args = codec_args(api, kind, version)
        if label in KNOWN_MISMATCHES:
            rc, out, err = run(["decode"] + args, data)
            if rc == 0:
                rc, back, _ = run(["encode"] + args, out)
                check(rc != 0 or back != data, f"{label}: known mismatch round-trips")
            continue
        if round_trip(label, args, data) is not None:
            ok += 1
        # The same body behind a header of the version the API uses.
        if kind == "request":
            hv = request_header_version(apis_by_key, api, version)
            head = request_header(api, version, 0x01020304, "kgw-tést", hv)
        else:
            hv = response_header_version(apis_by_key, api, version)
            head = response_header(-7, hv)
        out = round_trip(label + " --header", codec_args(api, kind, version, True), head + data)
        if out is not None:
            doc = json.loads(out)
            check(set(doc) == {"header", "body"}, f"{label} --header: keys {sorted(doc)}")
            if kind == "request":
                h = doc["header"]
                check(h.get("requestApiKey") == api and h.get("requestApiVersion") == version
                      and h.get("correlationId") == 0x01020304,
                      f"{label} --header: header {h}")
                if hv >= 1:
                    check(h.get("clientId") == "kgw-tést", f"{label} --header: clientId {h}")
            else:
                check(doc["header"].get("correlationId") == -7,
                      f"{label} --header: header {doc['header']}")
    counts["vectors"] = ok


def test_hand_built():
    # ApiVersions v3 response: flexible body, but header v0 (no tag byte).
    body = struct.pack(">h", 0) + b"\x01" + struct.pack(">i", 0) + b"\x00"
    round_trip("ApiVersions v3 response --header",
               codec_args(18, "response", 3, True), response_header(5, 0) + body)
    rc, _, err = run(["decode"] + codec_args(18, "response", 3, True),
                     response_header(5, 1) + body)
    check(rc == 1, "ApiVersions v3 response with a v1 header must not decode")
    # Heartbeat v4 response: flexible, header v1.
    body = struct.pack(">ih", 100, 0) + b"\x00"
    round_trip("Heartbeat v4 response --header",
               codec_args(12, "response", 4, True), response_header(9, 1) + body)
    # ControlledShutdown v0 request: header v0 has no client id.
    body = struct.pack(">i", 3)
    out = round_trip("ControlledShutdown v0 request --header",
                     codec_args(7, "request", 0, True),
                     request_header(7, 0, 11, "", 0) + body)
    if out is not None:
        check("clientId" not in json.loads(out)["header"], "ControlledShutdown v0: clientId")
    # A data schema by name: ConsumerProtocolAssignment v0, one topic with
    # partitions 0 and 1, null user data; the API may be given by name too.
    body = (struct.pack(">i", 1) + struct.pack(">h", 1) + b"t" + struct.pack(">iii", 2, 0, 1)
            + struct.pack(">i", -1))
    out = round_trip("ConsumerProtocolAssignment v0",
                     ["--schema", "ConsumerProtocolAssignment", "--version", "0"], body)
    if out is not None:
        doc = json.loads(out)
        check(doc.get("assignedPartitions") == [{"topic": "t", "partitions": [0, 1]}]
              and doc.get("userData") is None, f"ConsumerProtocolAssignment: {doc}")
    round_trip("Heartbeat by name", ["--api", "Heartbeat", "--kind", "response",
                                     "--version", "0"], struct.pack(">h", 27))


def test_errors():
    with open(os.path.join(VECTORS, "kafka-python", "produce_v3_request.bin"), "rb") as f:
        data = f.read()
    args = codec_args(0, "request", 3)
    for cut in (1, 5, len(data) // 2, len(data) - 1):
        rc, out, err = run(["decode"] + args, data[:cut])
        check(rc == 1, f"truncated to {cut}: exit {rc}")
        check(out == b"", f"truncated to {cut}: wrote to stdout")
        lines = err.strip().splitlines()
        check(len(lines) == 1 and ERROR_RE.match(lines[0]) is not None,
              f"truncated to {cut}: error {err.strip()!r}")
        m = re.match(r"^offset (\d+): ", err)
        check(m is not None and int(m.group(1)) <= cut,
              f"truncated to {cut}: offset beyond the input: {err.strip()!r}")
    rc, _, err = run(["decode"] + args, data[:7])
    check(rc == 1 and any(f in err for f in ("transactionalId", "acks", "timeoutMs")),
          f"truncated: path names no field: {err.strip()!r}")
    # Trailing bytes are an error, reported at the first unread byte.
    rc, _, err = run(["decode"] + args, data + b"\x00")
    check(rc == 1 and err.startswith(f"offset {len(data)}: "),
          f"trailing byte: exit {rc}, {err.strip()!r}")
    # A bad header reports its field under header.
    rc, _, err = run(["decode"] + codec_args(0, "request", 3, True), b"\x00\x00\x00")
    check(rc == 1 and ERROR_RE.match(err.strip()) and "header." in err,
          f"short header: exit {rc}, {err.strip()!r}")
    # Encode failures: bad JSON text, JSON not matching the schema.
    rc, _, err = run(["encode"] + args, b"{not json")
    check(rc == 1 and err != "", f"encode of bad JSON: exit {rc}")
    rc, _, err = run(["encode"] + args, b'{"acks": "x"}')
    check(rc == 1 and ERROR_RE.match(err.strip()) is not None,
          f"encode of mismatched JSON: exit {rc}, {err.strip()!r}")
    rc, _, err = run(["encode"] + codec_args(0, "request", 3, True), b'{"acks": 1}')
    check(rc == 1, f"encode --header without header/body: exit {rc}")
    # Unknown api key, version out of range, unknown schema: exit 1.
    for args, what in (
        (codec_args(999, "request", 0), "api key 999"),
        (codec_args(-1, "request", 0), "api key -1"),
        (codec_args(0, "request", 12), "Produce v12"),
        (codec_args(2, "response", 10), "ListOffsets v10"),
        (["--schema", "NoSuchThing", "--version", "0"], "unknown schema"),
    ):
        for cmd in ("decode", "encode"):
            rc, _, err = run([cmd] + args, b"")
            check(rc == 1 and err.startswith("kgw-codec: ") and "usage" not in err,
                  f"{cmd} {what}: exit {rc}, {err.strip()!r}")


def test_usage():
    for args in ([], ["bogus"], ["decode"], ["decode", "--api", "0", "--kind", "request"],
                 ["decode", "--api", "0", "--version", "1"],
                 ["decode", "--api", "0", "--kind", "middle", "--version", "1"],
                 ["decode", "--api", "0", "--kind", "request", "--version", "x"],
                 ["decode", "--api", "0", "--kind", "request", "--version"],
                 ["encode", "--schema", "RequestHeader", "--version", "1", "--header"],
                 ["encode", "--schema", "RequestHeader", "--api", "0", "--version", "1"],
                 ["apis", "--version", "1"], ["apis", "extra"], ["--frobnicate"]):
        rc, out, err = run(args)
        check(rc == 2 and "usage:" in err, f"usage {args}: exit {rc}")
    rc, out, _ = run(["--help"])
    check(rc == 0 and b"decode" in out and b"--header" in out, f"--help: exit {rc}")


def main():
    apis = test_apis()
    apis_by_key = {a["apiKey"]: a for a in apis.values()}
    test_vectors(apis_by_key)
    test_hand_built()
    test_errors()
    test_usage()
    print(f"{counts.get('checks', 0)} checks, {counts.get('vectors', 0)} vectors round-tripped, "
          f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
