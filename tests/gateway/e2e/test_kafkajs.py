"""kafkajs 2.2.4 (Node.js) end to end: topic administration, producing with
keys, headers, null values, None and GZIP compression and the idempotent
producer, consumer groups (eachMessage and eachBatch, resuming from committed
offsets, two members splitting the partitions), group administration and
offsets by timestamp.

The kafkajs side is kafkajs/kgw_e2e.js: one scenario per test, printing a
JSON report that is checked here; the produce test also reads the data back
with librdkafka and checks the stored batches (codec, producer id, sequence)
with a raw Fetch. kafkajs is installed by ./dev deps (npm ci in kafkajs/);
without it these tests fail, unless KGW_E2E_NO_NODE=1 says to skip them."""

import json
import os
import shutil
import struct
import subprocess
import sys

import pytest
from confluent_kafka import Consumer, TopicPartition

import data_wire
from kgw_harness import kgw

HERE = os.path.dirname(os.path.abspath(__file__))
KAFKAJS_DIR = os.path.join(HERE, "kafkajs")
SCRIPT = os.path.join(KAFKAJS_DIR, "kgw_e2e.js")
KAFKAJS_VERSION = "2.2.4"
# Per scenario: kgw_e2e.js gives up after this long, the test a little later.
SCENARIO_TIMEOUT_S = 45

NONE, UNKNOWN_TOPIC_OR_PARTITION, INVALID_CONFIG = 0, 3, 40
NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND = 68, 69
DYNAMIC_TOPIC_CONFIG, DEFAULT_CONFIG = 1, 5
CODEC_NONE, CODEC_GZIP = 0, 1


def _missing_kafkajs():
    """Why kafkajs cannot run here, or None."""
    node = shutil.which("node")
    if node is None:
        return "node is not installed"
    pkg = os.path.join(KAFKAJS_DIR, "node_modules", "kafkajs", "package.json")
    try:
        with open(pkg) as f:
            version = json.load(f)["version"]
    except FileNotFoundError:
        return "kafkajs is not installed in %s/node_modules" % KAFKAJS_DIR
    if version != KAFKAJS_VERSION:
        return "kafkajs %s is installed in %s/node_modules, expected %s" % (
            version, KAFKAJS_DIR, KAFKAJS_VERSION)
    return None


@pytest.fixture(scope="module", autouse=True)
def kafkajs_installed():
    why = _missing_kafkajs()
    if why is None:
        return
    if os.environ.get("KGW_E2E_NO_NODE") == "1":
        pytest.skip("KGW_E2E_NO_NODE=1: " + why)
    pytest.fail("%s: run ./dev deps (it runs npm ci --prefix tests/gateway/e2e/kafkajs), "
                "or set KGW_E2E_NO_NODE=1 to skip the kafkajs tests" % why, pytrace=False)


@pytest.fixture(scope="module")
def server(kafkajs_installed):
    with kgw("group.initial.rebalance.delay.ms=0") as k:
        yield k
        rc = k.stop()
        assert rc == 0, "kgw exit code after the kafkajs tests: expected 0, got %s; log:\n%s" % (
            rc, k.log()[-4000:])


def run_scenario(k, scenario):
    """Runs one kgw_e2e.js scenario and returns its JSON report."""
    env = dict(os.environ, KGW_KAFKAJS_TIMEOUT_MS=str(SCENARIO_TIMEOUT_S * 1000))
    try:
        p = subprocess.run(["node", SCRIPT, scenario, k.bootstrap], capture_output=True,
                           text=True, timeout=SCENARIO_TIMEOUT_S + 15, env=env)
    except subprocess.TimeoutExpired as e:
        pytest.fail("kafkajs scenario %s: no exit after %d s; stderr:\n%s\nkgw log:\n%s"
                    % (scenario, SCENARIO_TIMEOUT_S + 15, (e.stderr or b"")[-4000:],
                       k.log()[-4000:]))
    lines = p.stdout.strip().splitlines()
    report = None
    if lines:
        try:
            report = json.loads(lines[-1])
        except ValueError:
            pass
    if p.returncode != 0 or report is None or "error" in report:
        pytest.fail("kafkajs scenario %s: expected exit 0 and a report, got exit %d, %s\n"
                    "stderr (last 6000 chars):\n%s\nkgw log (last 4000 chars):\n%s"
                    % (scenario, p.returncode, json.dumps(report)[:4000] if report else
                       repr(p.stdout[-2000:]), p.stderr[-6000:], k.log()[-4000:]))
    # Which protocol versions kafkajs negotiated, for the test log.
    print("kafkajs %s: %.1f s; requests: %s" % (scenario, report["elapsedMs"] / 1000,
                                                ", ".join(report["requests"])),
          file=sys.stderr)
    return report


def assert_requests(report, apis):
    sent = {r.rsplit(" ", 1)[0] for r in report["requests"]}
    missing = sorted(set(apis) - sent)
    assert not missing, "expected kafkajs to send %s; it sent %s" % (missing, report["requests"])


def msg_id(m):
    return m["headers"]["id"]


def check_content(what, got, want):
    """got: messages as kgw_e2e.js reports them; want: as it produced them."""
    for field in ("key", "value", "headers"):
        assert got[field] == want[field], "%s %s: expected %s %r, got %r" % (
            what, msg_id(want), field, want[field], got[field])
    if want.get("partition") is not None:
        assert got["partition"] == want["partition"], "%s %s: expected partition %d, got %d" % (
            what, msg_id(want), want["partition"], got["partition"])


def check_read_once(what, read, produced):
    """Every produced message read exactly once, intact; offsets contiguous per
    partition."""
    want = {msg_id(m): m for m in produced}
    seen = {}
    for m in read:
        seen.setdefault(msg_id(m), []).append(m)
    dup = sorted(i for i, ms in seen.items() if len(ms) > 1)
    assert not dup, "%s: expected each message once, read these more than once: %s" % (
        what, dup[:20])
    extra = sorted(set(seen) - set(want))
    assert not extra, "%s: read messages that were not expected: %s" % (what, extra[:20])
    lost = sorted(set(want) - set(seen))
    assert not lost, "%s: expected %d messages, %d never read, e.g. %s" % (
        what, len(want), len(lost), lost[:20])
    for i, (m,) in seen.items():
        check_content(what, m, want[i])
    by_partition = {}
    for m in read:
        by_partition.setdefault(m["partition"], []).append(m["offset"])
    for p, offsets in by_partition.items():
        s = sorted(offsets)
        assert s == list(range(s[0], s[0] + len(s))), \
            "%s: partition %d offsets not contiguous: %s" % (what, p, s)
    return by_partition


def committed(report_offsets, topic):
    (t,) = report_offsets
    assert t["topic"] == topic, "fetchOffsets: expected topic %s, got %s" % (topic, t["topic"])
    return {p["partition"]: (p["offset"], p["metadata"]) for p in t["partitions"]}


# ---- 1. admin ----------------------------------------------------------------

def test_admin(server):
    r = run_scenario(server, "admin")
    t = r["topic"]
    assert r["created"] is True, "createTopics: expected true, got %r" % r["created"]
    assert r["createdAgain"] == {"resolved": False}, \
        "createTopics of an existing topic: expected false (TOPIC_ALREADY_EXISTS), got %r" % (
            r["createdAgain"],)
    errs = r["badConfig"].get("error", {}).get("errors", [])
    assert [e.get("code") for e in errs] == [INVALID_CONFIG], \
        "createTopics with retention.ms=soon: expected INVALID_CONFIG, got %r" % r["badConfig"]

    (md,) = r["metadata"]["topics"]
    assert md["name"] == t, "fetchTopicMetadata: expected %s, got %s" % (t, md["name"])
    parts = sorted(md["partitions"], key=lambda p: p["partitionId"])
    assert [p["partitionId"] for p in parts] == [0, 1, 2], \
        "fetchTopicMetadata: expected partitions 0..2, got %r" % parts
    for p in parts:
        got = (p["partitionErrorCode"], p["leader"], p["replicas"], p["isr"])
        assert got == (NONE, 1, [1], [1]), \
            "partition %d: expected (error 0, leader 1, replicas [1], isr [1]), got %r" % (
                p["partitionId"], got)
    c = r["cluster"]
    assert c["brokers"] == [{"nodeId": 1, "host": "127.0.0.1", "port": server.port}], \
        "describeCluster brokers: got %r" % c["brokers"]
    assert c["controller"] == 1 and c["clusterId"], "describeCluster: got %r" % c

    (res,) = r["configs"]
    assert res["errorCode"] == NONE and res["resourceName"] == t, "describeConfigs: got %r" % res
    entries = {e["name"]: e for e in res["entries"]}
    assert sorted(entries) == ["cleanup.policy", "retention.ms", "segment.bytes"], \
        "describeConfigs with configNames: expected exactly those 3, got %s" % sorted(entries)
    for name, value, source, default in (("retention.ms", "3600000", DYNAMIC_TOPIC_CONFIG, False),
                                         ("cleanup.policy", "compact", DYNAMIC_TOPIC_CONFIG, False),
                                         ("segment.bytes", "1073741824", DEFAULT_CONFIG, True)):
        e = entries[name]
        got = (e["value"], e["source"], e["isDefault"], e["readOnly"], e["sensitive"])
        assert got == (value, source, default, False, False), \
            "%s: expected (value, source, isDefault, readOnly, sensitive) %r, got %r" % (
                name, (value, source, default, False, False), got)
    for name in ("retention.ms", "cleanup.policy", "segment.bytes", "max.message.bytes",
                 "message.timestamp.type", "min.insync.replicas"):
        assert name in r["allConfigNames"], "describeConfigs (all): %s missing from %s" % (
            name, r["allConfigNames"])
    for name in ("retention.ms", "cleanup.policy"):
        syn = r["allConfigSynonyms"][name]
        assert syn and syn[0] == name, \
            "%s synonyms: expected the topic override first, got %r" % (name, syn)

    assert t in r["topicsBefore"], "listTopics: expected %s in %r" % (t, r["topicsBefore"])
    assert r["deleted"] == {"resolved": None}, "deleteTopics: got %r" % r["deleted"]
    assert t not in r["topicsAfter"], "listTopics after deleteTopics: %s still in %r" % (
        t, r["topicsAfter"])
    cause = r["deleteUnknown"].get("error", {}).get("cause", {})
    assert cause.get("code") == UNKNOWN_TOPIC_OR_PARTITION, \
        "deleteTopics of an unknown topic: expected UNKNOWN_TOPIC_OR_PARTITION, got %r" % (
            r["deleteUnknown"],)
    assert_requests(r, ["CreateTopics", "DeleteTopics", "DescribeConfigs", "Metadata"])


# ---- 2. producer ---------------------------------------------------------------

def read_partition(k, topic, partition, end):
    """Offsets 0..end-1 of one partition through librdkafka:
    [(offset, key, value, headers)]."""
    c = Consumer({"bootstrap.servers": k.bootstrap, "group.id": "kjs-readback",
                  "enable.auto.commit": False})
    c.assign([TopicPartition(topic, partition, 0)])
    out = []
    try:
        while len(out) < end:
            msgs = c.consume(end - len(out), 10)
            assert msgs, "librdkafka: partition %d: timed out after %d of %d messages" % (
                partition, len(out), end)
            for m in msgs:
                assert m.error() is None, "librdkafka: %s" % m.error()
                out.append(m)
    finally:
        c.close()
    return out


def stored_batches(k, topic, partition):
    """[(base offset, records, codec, producer id, epoch, base sequence)] of
    a partition, from a raw Fetch v7."""
    conn = data_wire.Conn("127.0.0.1", k.port)
    try:
        r = conn.request(1, 7, data_wire.fetch_v7_body(topic, partition, 0))
    finally:
        conn.close()
    _throttle, err, _session, ntopics = data_wire.parse_fetch_v7_header(r)
    assert (err, ntopics) == (NONE, 1), "Fetch v7: expected error 0 and 1 topic, got %d, %d" % (
        err, ntopics)
    pos = 14
    (n,) = struct.unpack_from(">h", r, pos)
    pos += 2 + n + 4  # topic name, partition count (1)
    pidx, perr, _hw, _lso, _start, naborted = struct.unpack_from(">ihqqqi", r, pos)
    pos += 34 + max(naborted, 0) * 16
    assert (pidx, perr) == (partition, NONE), "Fetch v7 partition: got %d error %d" % (pidx, perr)
    (size,) = struct.unpack_from(">i", r, pos)
    pos += 4
    records = r[pos:pos + size]
    out = []
    at = 0
    while at + 61 <= len(records):
        base, length = struct.unpack_from(">qi", records, at)
        attrs, = struct.unpack_from(">h", records, at + 21)
        pid, epoch, seq, count = struct.unpack_from(">qhii", records, at + 43)
        out.append((base, count, attrs & 7, pid, epoch, seq))
        at += 12 + length
    return out


def test_producer(server):
    r = run_scenario(server, "produce")
    t, nparts = r["topic"], r["partitions"]
    for res in r["results"]:
        errs = [(x["partition"], x["errorCode"]) for x in res["records"] if x["errorCode"]]
        assert not errs, "send (%s, idempotent %s): partition errors %r" % (
            res["compression"], res["idempotent"], errs)
    assert "error" in r["idempotentAcks1"], \
        "idempotent send with acks=1: expected kafkajs to refuse, got %r" % r["idempotentAcks1"]

    # Everything back through librdkafka, in send order within each partition.
    high = {int(o["partition"]): int(o["high"]) for o in r["offsets"]}
    sent = r["sent"]
    want = {msg_id(m): m for m in sent}
    assert len(want) == len(sent), "the scenario sent duplicate ids"
    placed = {}
    for p in range(nparts):
        got = read_partition(server, t, p, high[p])
        assert len(got) == high[p], "partition %d: expected %d messages, read %d" % (
            p, high[p], len(got))
        for off, m in enumerate(got):
            assert m.offset() == off, "partition %d: expected offset %d, got %d" % (
                p, off, m.offset())
            headers = {}
            for hk, hv in m.headers() or []:
                hv = None if hv is None else hv.decode()
                headers.setdefault(hk, []).append(hv)
            headers = {hk: v[0] if len(v) == 1 else v for hk, v in headers.items()}
            as_reported = {"partition": p, "offset": off,
                           "key": None if m.key() is None else m.key().decode(),
                           "value": None if m.value() is None else m.value().decode(),
                           "headers": headers}
            i = headers.get("id")
            assert i in want, "partition %d offset %d: unexpected message %r" % (
                p, off, as_reported)
            assert i not in placed, "message %s stored twice" % i
            placed[i] = as_reported
            check_content("librdkafka read", as_reported, want[i])
    lost = sorted(set(want) - set(placed))
    assert not lost, "expected all %d sent messages stored, missing %s" % (len(want), lost)
    for p in range(nparts):
        order = [msg_id(m) for m in sent if placed[msg_id(m)]["partition"] == p]
        stored = sorted(order, key=lambda i: placed[i]["offset"])
        assert order == stored, "partition %d: expected send order %s, stored %s" % (
            p, order, stored)

    # The batches as stored: one per send and partition, the codec kafkajs
    # chose, a producer id and consecutive sequences for the idempotent sends.
    rounds = [(res["compression"], res["idempotent"]) for res in r["results"]]
    pids = set()
    for p in range(nparts):
        batches = stored_batches(server, t, p)
        assert len(batches) == len(rounds), \
            "partition %d: expected %d batches (one per send), got %r" % (p, len(rounds), batches)
        seq = 0
        for (base, count, codec, pid, epoch, bseq), (comp, idem) in zip(batches, rounds):
            want_codec = CODEC_GZIP if comp == "gzip" else CODEC_NONE
            assert codec == want_codec, \
                "partition %d batch at %d: expected codec %d (%s), got %d" % (
                    p, base, want_codec, comp, codec)
            if idem:
                assert pid >= 0 and epoch == 0 and bseq == seq, \
                    "partition %d idempotent batch at %d: expected producer id >= 0, epoch 0, " \
                    "base sequence %d; got %d, %d, %d" % (p, base, seq, pid, epoch, bseq)
                pids.add(pid)
                seq += count
            else:
                # (kafkajs writes base sequence 0, not -1, without a producer id.)
                assert pid == -1, "partition %d batch at %d: expected no producer id, got %d" % (
                    p, base, pid)
    assert len(pids) == 1, "expected one producer id for the idempotent producer, got %s" % pids
    assert_requests(r, ["Produce", "InitProducerId", "ListOffsets"])


# ---- 3. consumer groups ------------------------------------------------------------

def assignment(a, topic):
    return sorted(a["assignment"].get(topic, []))


def test_consumer_groups(server):
    r = run_scenario(server, "groups")
    t, nparts = r["topic"], r["partitions"]
    assert not r["crashesA"] and not r["crashesB"] and not r["crashesC"], \
        "consumer crashes: %r" % (r["crashesA"] + r["crashesB"] + r["crashesC"])

    # A: eachMessage from the beginning, every message once.
    assert [assignment(a, t) for a in r["assignmentsA"]] == [[0, 1, 2, 3]], \
        "consumer A: expected one assignment of partitions 0-3, got %r" % r["assignmentsA"]
    assert r["assignmentsA"][0]["protocol"] == "RoundRobinAssigner"
    offs = check_read_once("consumer A", r["readA"], r["producedA"])
    assert {p: (min(o), max(o)) for p, o in offs.items()} == {p: (0, 99) for p in range(nparts)}, \
        "consumer A: expected offsets 0-99 of every partition, got %r" % {
            p: (min(o), max(o)) for p, o in offs.items()}
    got = committed(r["committedA"], t)
    want = {p: ("50", "A was here %d" % p) for p in range(nparts)}
    assert got == want, "committed by A: expected %r, got %r" % (want, got)

    # B: a new member of the group resumes at the committed offsets.
    assert r["firstBatchOffsetsB"] == {str(p): 50 for p in range(nparts)}, \
        "consumer B: expected its first batch of every partition at offset 50, got %r" % (
            r["firstBatchOffsetsB"],)
    expect_b = [m for m in r["producedA"] if m["partition"] is not None]
    # The first 50 of each partition (A's 0..49) were committed past.
    a_offset = {msg_id(m): m["offset"] for m in r["readA"]}
    expect_b = [m for m in expect_b if a_offset[msg_id(m)] >= 50] + r["producedB"]
    offs = check_read_once("consumer B", r["readB"], expect_b)
    got = {p: (min(o), max(o)) for p, o in offs.items()}
    assert got == {p: (50, 124) for p in range(nparts)}, \
        "consumer B: expected offsets 50-124 of every partition, got %r" % got
    got = committed(r["committedB"], t)
    want = {p: ("125", None) for p in range(nparts)}
    assert got == want, "committed by B (auto-commit): expected %r, got %r" % (want, got)

    # C1 alone, then C1 and C2 splitting the partitions, then C1 alone again.
    t2 = r["topic2"]
    assert [assignment(a, t2) for a in r["c1AloneAssignments"]] == [[0, 1, 2, 3]], \
        "C1 alone: got %r" % r["c1AloneAssignments"]
    s1, s2 = (assignment(r["splitAssignments"][n], t2) for n in ("C1", "C2"))
    assert len(s1) == 2 and len(s2) == 2 and sorted(s1 + s2) == [0, 1, 2, 3], \
        "after C2 joined: expected 2 partitions each, disjoint, got C1 %s C2 %s" % (s1, s2)
    assert r["splitAssignments"]["C1"]["memberId"] != r["splitAssignments"]["C2"]["memberId"]
    assert assignment(r["afterLeaveAssignment"], t2) == [0, 1, 2, 3], \
        "after C2 left: expected C1 to own 0-3, got %r" % r["afterLeaveAssignment"]
    read = r["readC1"] + r["readC2"]
    offs = check_read_once("C1 and C2", read, r["producedC"])
    assert {p: (min(o), max(o)) for p, o in offs.items()} == {p: (0, 124) for p in range(nparts)}
    owner = {p: "C1" for p in s1}
    owner.update({p: "C2" for p in s2})
    split_ids = {msg_id(m) for m in r["producedC"][200:400]}
    for name in ("C1", "C2"):
        for m in r["read" + name]:
            if msg_id(m) in split_ids:
                assert owner[m["partition"]] == name, \
                    "%s read %s of partition %d while %s owned it" % (
                        name, msg_id(m), m["partition"], owner[m["partition"]])
    assert {msg_id(m) for m in r["readC2"]} <= split_ids, \
        "C2 read messages produced before it joined or after it left"
    assert any(msg_id(m) in split_ids for m in r["readC2"]), "C2 read nothing while it was a member"
    got = committed(r["committedC"], t2)
    want = {p: ("125", None) for p in range(nparts)}
    assert got == want, "committed by C1 and C2: expected %r, got %r" % (want, got)
    assert_requests(r, ["GroupCoordinator", "JoinGroup", "SyncGroup", "Heartbeat", "OffsetCommit",
                        "OffsetFetch", "LeaveGroup", "Fetch"])


# ---- 4. group administration ---------------------------------------------------------

def test_group_admin(server):
    r = run_scenario(server, "group-admin")
    t, g, nparts = r["topic"], r["group"], r["partitions"]
    assert not r["crashes"], "consumer crashes: %r" % r["crashes"]
    assert r["readFirst"] == 90 and r["readAgain"] == 90, \
        "expected 90 messages read before and after the reset, got %d and %d" % (
            r["readFirst"], r["readAgain"])

    (d,) = r["describedRunning"]
    got = (d["groupId"], d["errorCode"], d["state"], d["protocolType"], d["protocol"])
    assert got == (g, NONE, "Stable", "consumer", "RoundRobinAssigner"), \
        "describeGroups while consuming: got %r" % (got,)
    (m,) = d["members"]
    assert m["assignment"] == {t: [0, 1, 2]} and m["topics"] == [t], \
        "describeGroups member: expected assignment of %s 0-2 and subscription [%s], got %r" % (
            t, t, m)
    assert m["clientId"] == "kgw-e2e-kafkajs" and m["clientHost"] == "/127.0.0.1", \
        "describeGroups member client: got %r" % m
    listed = {x["groupId"]: x["protocolType"] for x in r["listedRunning"]}
    assert listed.get(g) == "consumer", "listGroups while consuming: %s not listed in %r" % (
        g, r["listedRunning"])
    groups = r["deleteRunning"].get("error", {}).get("groups", [])
    assert [(x["groupId"], x["errorCode"]) for x in groups] == [(g, NON_EMPTY_GROUP)], \
        "deleteGroups of a group with a member: expected NON_EMPTY_GROUP, got %r" % (
            r["deleteRunning"],)
    assert "Stable" in r["resetRunning"].get("error", {}).get("message", ""), \
        "resetOffsets while consuming: expected kafkajs to refuse (group Stable), got %r" % (
            r["resetRunning"],)

    (d,) = r["describedEmpty"]
    got = (d["state"], d["protocolType"], d["members"])
    assert got == ("Empty", "consumer", []), "describeGroups after stop: got %r" % (got,)
    assert {x["groupId"]: x["protocolType"] for x in r["listedEmpty"]}.get(g) == "consumer", \
        "listGroups after stop: %s not listed" % g
    want = {p: ("30", None) for p in range(nparts)}
    got = committed(r["fetchedCommitted"], t)
    assert got == want, "fetchOffsets: expected %r, got %r" % (want, got)
    got = committed(r["fetchedAllTopics"], t)
    assert got == want, "fetchOffsets without topics (all of the group's): expected %r, got %r" % (
        want, got)

    assert r["reset"] == {"resolved": None}, "resetOffsets: got %r" % r["reset"]
    # kafkajs commits the EARLIEST sentinel (-2) itself, then resolves it.
    for key, off in (("fetchedAfterReset", "-2"), ("fetchedResolved", "0"),
                     ("fetchedAfterResolve", "0")):
        want = {p: (off, None) for p in range(nparts)}
        got = committed(r[key], t)
        assert got == want, "%s: expected %r, got %r" % (key, want, got)

    assert r["deleted"] == {"resolved": [{"groupId": g, "errorCode": NONE}]}, \
        "deleteGroups: got %r" % r["deleted"]
    assert g not in {x["groupId"] for x in r["listedAfterDelete"]}, \
        "listGroups after deleteGroups: %s still listed" % g
    (d,) = r["describedAfterDelete"]
    got = (d["errorCode"], d["state"], d["members"])
    assert got == (NONE, "Dead", []), "describeGroups after deleteGroups: got %r" % (got,)
    want = {p: ("-1", None) for p in range(nparts)}
    got = committed(r["fetchedAfterDelete"], t)
    assert got == want, "fetchOffsets after deleteGroups: expected %r, got %r" % (want, got)
    groups = r["deleteUnknown"].get("error", {}).get("groups", [])
    assert [x["errorCode"] for x in groups] == [GROUP_ID_NOT_FOUND], \
        "deleteGroups of an unknown group: expected GROUP_ID_NOT_FOUND, got %r" % (
            r["deleteUnknown"],)
    assert_requests(r, ["DescribeGroups", "ListGroups", "DeleteGroups", "OffsetFetch"])


# ---- 5. offsets by time ------------------------------------------------------------

def test_offsets_by_timestamp(server):
    r = run_scenario(server, "offsets")
    n = r["perPartition"]

    def table(offsets, *fields):
        return {o["partition"]: tuple(o[f] for f in fields) for o in offsets}

    assert table(r["empty"], "offset", "high", "low") == {0: ("0", "0", "0"), 1: ("0", "0", "0")}, \
        "fetchTopicOffsets of an empty topic: got %r" % r["empty"]
    want = {p: (str(n), str(n), "0") for p in (0, 1)}
    got = table(r["latest"], "offset", "high", "low")
    assert got == want, "fetchTopicOffsets: expected %r, got %r" % (want, got)
    # Message i of each partition is stamped base + i s. kafkajs answers the
    # high watermark where kgw finds no message at or after the time (-1).
    for name, off in (("before", 0), ("exact0", 0), ("exact5", 5), ("between5and6", 6),
                      ("last", n - 1), ("after", n)):
        got = table(r["byTimestamp"][name], "offset")
        want = {0: (str(off),), 1: (str(off),)}
        assert got == want, "fetchTopicOffsetsByTimestamp %s: expected %r, got %r" % (
            name, want, got)
    got = table(r["afterDeleteRecords"], "offset", "high", "low")
    want = {0: (str(n), str(n), "7"), 1: (str(n), str(n), "0")}
    assert got == want, "fetchTopicOffsets after deleteTopicRecords(p0, 7): expected %r, got %r" % (
        want, got)
    got = table(r["byTimestampAfterDelete"], "offset")
    assert got == {0: ("7",), 1: ("2",)}, \
        "fetchTopicOffsetsByTimestamp(base + 2 s) after deleting p0 below 7: got %r" % got
    assert_requests(r, ["ListOffsets", "DeleteRecords"])
