"""Produce and Fetch end to end with real clients: librdkafka (confluent_kafka,
kcat) and kafka-python, every codec, keys/headers/null key/null value, old
message formats through old protocol versions, acks=0, long-poll latency,
fetch-session refusal and per-partition produce errors."""

import base64
import signal
import struct
import subprocess
import time
import uuid

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

import admin_wire
import data_wire
from data_wire import kgw_bootstrap, kgw_host, kgw_port, kgw_server  # noqa: F401
from kgw_harness import kgw

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]


def new_topic(bootstrap, partitions=1):
    name = "t-" + uuid.uuid4().hex[:12]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    fut = admin.create_topics([NewTopic(name, partitions, 1)])[name]
    fut.result(timeout=10)
    return name


def consume_all(bootstrap, topic, count, partition=0, timeout=20.0, extra=None):
    conf = {"bootstrap.servers": bootstrap, "group.id": "g-" + uuid.uuid4().hex[:8],
            "enable.auto.commit": False, "auto.offset.reset": "earliest"}
    conf.update(extra or {})
    c = Consumer(conf)
    c.assign([TopicPartition(topic, partition, 0)])
    out = []
    deadline = time.time() + timeout
    try:
        while len(out) < count and time.time() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            assert m.error() is None, f"consumer error: {m.error()}"
            out.append(m)
    finally:
        c.close()
    return out


def sample_messages():
    """(key, value, headers) covering keys, headers, null key, null value."""
    msgs = []
    for i in range(50):
        msgs.append((f"k{i}".encode(), f"value-{i}-".encode() * 20, [("h", f"{i}".encode())]))
    msgs.append((None, b"no key", None))
    msgs.append((b"tombstone", None, None))
    msgs.append((None, None, [("only", b"headers"), ("empty", b"")]))
    return msgs


@pytest.mark.parametrize("codec", CODECS)
def test_librdkafka_roundtrip_every_codec(kgw_bootstrap, codec):
    topic = new_topic(kgw_bootstrap)
    p = Producer({"bootstrap.servers": kgw_bootstrap, "compression.type": codec,
                  "linger.ms": 5, "acks": "all"})
    errors = []
    msgs = sample_messages()
    for k, v, h in msgs:
        p.produce(topic, key=k, value=v, headers=h, partition=0,
                  on_delivery=lambda err, m: errors.append(err) if err else None)
    assert p.flush(15) == 0, "messages left unflushed"
    assert errors == [], f"delivery errors: {errors}"
    got = consume_all(kgw_bootstrap, topic, len(msgs))
    assert len(got) == len(msgs), f"expected {len(msgs)} messages, got {len(got)}"
    for i, (m, (k, v, h)) in enumerate(zip(got, msgs)):
        assert m.offset() == i, f"offset: expected {i}, got {m.offset()}"
        assert m.key() == k, f"key at {i}: expected {k!r}, got {m.key()!r}"
        assert m.value() == v, f"value at {i}: expected {v!r}, got {m.value()!r}"
        assert (m.headers() or None) == (h or None), \
            f"headers at {i}: expected {h!r}, got {m.headers()!r}"


@pytest.mark.parametrize("codec", [None, "gzip", "snappy", "lz4", "zstd"])
def test_kafka_python_roundtrip_every_codec(kgw_bootstrap, codec):
    from kafka import KafkaConsumer, KafkaProducer
    from kafka import TopicPartition as KTP
    topic = new_topic(kgw_bootstrap)
    p = KafkaProducer(bootstrap_servers=kgw_bootstrap, compression_type=codec, acks="all")
    # kafka-python refuses a record with neither key nor value.
    msgs = [m for m in sample_messages() if m[0] is not None or m[1] is not None]
    futs = [p.send(topic, key=k, value=v, headers=h or [], partition=0) for k, v, h in msgs]
    for f in futs:
        f.get(timeout=15)
    p.close()
    if codec == "zstd":
        # kafka-python 2.0.2 fetches with v4, which cannot carry zstd (Kafka
        # answers UNSUPPORTED_COMPRESSION_TYPE below Fetch v10, and so do we).
        got = consume_all(kgw_bootstrap, topic, len(msgs))
        assert [(m.offset(), m.key(), m.value()) for m in got] == \
            [(i, k, v) for i, (k, v, _) in enumerate(msgs)]
        return
    c = KafkaConsumer(bootstrap_servers=kgw_bootstrap, enable_auto_commit=False,
                      consumer_timeout_ms=10000)
    c.assign([KTP(topic, 0)])
    c.seek_to_beginning()
    got = []
    for m in c:
        got.append(m)
        if len(got) == len(msgs):
            break
    c.close()
    assert len(got) == len(msgs), f"expected {len(msgs)} messages, got {len(got)}"
    for i, (m, (k, v, h)) in enumerate(zip(got, msgs)):
        assert (m.offset, m.key, m.value) == (i, k, v), \
            f"message {i}: expected {(i, k, v)!r}, got {(m.offset, m.key, m.value)!r}"
        assert list(m.headers) == list(h or []), \
            f"headers at {i}: expected {h!r}, got {m.headers!r}"


@pytest.mark.parametrize("api_version,codec", [((0, 10, 0), None), ((0, 10, 0), "gzip"),
                                               ((0, 9), None), ((0, 9), "snappy")])
def test_kafka_python_old_message_formats(kgw_bootstrap, api_version, codec):
    """(0,10,0) produces magic 1 with Produce v2 and fetches with Fetch v2;
    (0,9) produces magic 0 with Produce v1 and fetches with Fetch v1."""
    from kafka import KafkaConsumer, KafkaProducer
    from kafka import TopicPartition as KTP
    topic = new_topic(kgw_bootstrap)
    p = KafkaProducer(bootstrap_servers=kgw_bootstrap, api_version=api_version,
                      compression_type=codec, acks=1)
    sent_ts = 1_600_000_000_000
    kw = {"timestamp_ms": sent_ts} if api_version >= (0, 10, 0) else {}
    msgs = [(f"k{i}".encode(), f"v{i}".encode()) for i in range(20)] + [(None, b"x"), (b"y", None)]
    for k, v in msgs:
        p.send(topic, key=k, value=v, partition=0, **kw).get(timeout=15)
    p.close()
    c = KafkaConsumer(bootstrap_servers=kgw_bootstrap, api_version=api_version,
                      enable_auto_commit=False, consumer_timeout_ms=10000)
    c.assign([KTP(topic, 0)])
    c.seek(KTP(topic, 0), 0)
    got = []
    for m in c:
        got.append((m.offset, m.key, m.value))
        if len(got) == len(msgs):
            break
    c.close()
    want = [(i, k, v) for i, (k, v) in enumerate(msgs)]
    assert got == want, f"expected {want!r}, got {got!r}"
    # The batches were converted to v2 when stored: a modern client reads them too.
    modern = consume_all(kgw_bootstrap, topic, len(msgs))
    assert [(m.offset(), m.key(), m.value()) for m in modern] == want
    if api_version >= (0, 10, 0):
        assert all(m.timestamp()[1] == sent_ts for m in modern), \
            f"timestamps: expected {sent_ts}, got {[m.timestamp() for m in modern]}"


def test_kcat_produce_consume(kgw_bootstrap):
    topic = new_topic(kgw_bootstrap)
    lines = [f"line {i}" for i in range(100)]
    r = subprocess.run(["kcat", "-b", kgw_bootstrap, "-P", "-t", topic, "-p", "0", "-K:"],
                       input="\n".join(f"key{i}:{v}" for i, v in enumerate(lines)) + "\n",
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, f"kcat -P failed: {r.stderr}"
    r = subprocess.run(["kcat", "-b", kgw_bootstrap, "-C", "-t", topic, "-p", "0", "-o",
                        "beginning", "-e", "-f", "%o %k %s\n"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, f"kcat -C failed: {r.stderr}"
    want = [f"{i} key{i} {v}" for i, v in enumerate(lines)]
    got = r.stdout.splitlines()
    assert got == want, f"expected {want[:3]}..., got {got[:3]}... ({len(got)} lines)"


def test_long_poll_wakes_on_produce(kgw_bootstrap):
    """A consumer blocked in a long poll (fetch.wait.max.ms 10 s) gets a new
    message right after it is produced, not when the wait runs out."""
    topic = new_topic(kgw_bootstrap)
    c = Consumer({"bootstrap.servers": kgw_bootstrap, "group.id": "g-" + uuid.uuid4().hex[:8],
                  "fetch.wait.max.ms": 10000, "enable.auto.commit": False})
    c.assign([TopicPartition(topic, 0, 0)])
    p = Producer({"bootstrap.servers": kgw_bootstrap, "linger.ms": 0, "acks": 1})
    p.produce(topic, value=b"warm-up", partition=0)
    p.flush(10)
    m = None
    deadline = time.time() + 10
    while m is None and time.time() < deadline:
        m = c.poll(0.5)
    assert m is not None and m.value() == b"warm-up", "warm-up message not consumed"
    latencies = []
    for i in range(5):
        time.sleep(0.3)  # let the consumer's fetch park
        t0 = time.time()
        p.produce(topic, value=f"m{i}".encode(), partition=0)
        p.flush(10)
        m = c.poll(5)
        latencies.append(time.time() - t0)
        assert m is not None and m.value() == f"m{i}".encode(), f"message {i} not received"
    c.close()
    latencies.sort()
    median = latencies[len(latencies) // 2]
    assert median < 0.1, f"median produce-to-consume latency: expected < 0.1 s, got {median:.3f} s"


def test_acks0_gets_no_response_frame(kgw_host, kgw_port, kgw_bootstrap):
    topic = new_topic(kgw_bootstrap)
    conn = data_wire.Conn(kgw_host, kgw_port)
    try:
        for i in range(3):
            batch = data_wire.record_batch([f"a{i}".encode()])
            conn.send(0, 7, data_wire.produce_body(topic, 0, batch, acks=0))
        # The next frame must answer this request, not any of the produces.
        corr = conn.send(22, 0, data_wire.string(None) + struct.pack(">i", 60000))
        got, _ = conn.recv()
        assert got == corr, f"first response: expected correlation {corr}, got {got}"
    finally:
        conn.close()
    got = consume_all(kgw_bootstrap, topic, 3)
    assert [m.value() for m in got] == [b"a0", b"a1", b"a2"]


def test_acks0_with_librdkafka(kgw_bootstrap):
    topic = new_topic(kgw_bootstrap)
    p = Producer({"bootstrap.servers": kgw_bootstrap, "acks": 0, "linger.ms": 5})
    for i in range(200):
        p.produce(topic, value=str(i).encode(), partition=0)
    assert p.flush(10) == 0
    got = consume_all(kgw_bootstrap, topic, 200)
    assert [m.value() for m in got] == [str(i).encode() for i in range(200)]


def test_produce_partition_errors(kgw_host, kgw_port, kgw_bootstrap):
    topic = new_topic(kgw_bootstrap)
    conn = data_wire.Conn(kgw_host, kgw_port)
    try:
        def produce(t, part, records, acks=-1):
            r = conn.request(0, 7, data_wire.produce_body(t, part, records, acks=acks))
            return data_wire.parse_produce_v7(r)[0][2]

        good = data_wire.record_batch([b"ok"])
        checks = [
            ("unknown topic", produce("no-such-topic-" + uuid.uuid4().hex, 0, good), 3),
            ("unknown partition", produce(topic, 7, good), 3),
            ("invalid acks", produce(topic, 0, good, acks=2), 21),
        ]
        bad_crc = bytearray(good)
        bad_crc[-1] ^= 0xFF
        checks.append(("bad CRC", produce(topic, 0, bytes(bad_crc)), 2))
        bad_count = bytearray(good)
        struct.pack_into(">i", bad_count, 57, 2)  # record count 2 for one record
        crc = data_wire.crc32c(bytes(bad_count[21:]))
        struct.pack_into(">I", bad_count, 17, crc)
        checks.append(("bad record count", produce(topic, 0, bytes(bad_count)), 87))
        big = data_wire.record_batch([b"x" * (2 << 20)])
        checks.append(("too large", produce(topic, 0, big), 10))
        txn = bytearray(data_wire.record_batch([b"t"], producer_id=1, producer_epoch=0,
                                               base_sequence=0))
        struct.pack_into(">h", txn, 21, 0x10)
        struct.pack_into(">I", txn, 17, data_wire.crc32c(bytes(txn[21:])))
        checks.append(("transactional batch", produce(topic, 0, bytes(txn)), 48))
        checks.append(("still works", produce(topic, 0, good), 0))
    finally:
        conn.close()
    bad = [(what, got, want) for what, got, want in checks if got != want]
    assert not bad, "; ".join(f"{w}: expected {e}, got {g}" for w, g, e in bad)


def test_fetch_sessions_declined(kgw_host, kgw_port, kgw_bootstrap):
    topic = new_topic(kgw_bootstrap)
    conn = data_wire.Conn(kgw_host, kgw_port)
    try:
        r = conn.request(1, 7, data_wire.fetch_v7_body(topic, 0, 0, session_id=0,
                                                       session_epoch=0))
        _t, err, sid, ntopics = data_wire.parse_fetch_v7_header(r)
        assert (err, sid, ntopics) == (0, 0, 1), \
            f"full fetch asking for a session: expected (0, 0, 1), got {(err, sid, ntopics)}"
        r = conn.request(1, 7, data_wire.fetch_v7_body(topic, 0, 0, session_id=1234,
                                                       session_epoch=3))
        _t, err, sid, ntopics = data_wire.parse_fetch_v7_header(r)
        assert (err, sid, ntopics) == (70, 0, 0), \
            f"incremental fetch: expected (70, 0, 0), got {(err, sid, ntopics)}"
    finally:
        conn.close()


def test_fetch_out_of_range(kgw_host, kgw_port, kgw_bootstrap):
    topic = new_topic(kgw_bootstrap)
    conn = data_wire.Conn(kgw_host, kgw_port)
    try:
        conn.request(0, 7, data_wire.produce_body(topic, 0, data_wire.record_batch([b"a", b"b"])))
        r = conn.request(1, 7, data_wire.fetch_v7_body(topic, 0, 5))
        # throttle, error, session, [topic name, [partition, error, hw ...]]
        pos = 14
        (ln,) = struct.unpack_from(">h", r, pos)
        pos += 2 + ln + 4
        part, err = struct.unpack_from(">ih", r, pos)
        assert (part, err) == (0, 1), f"fetch at 5 of 2: expected (0, 1), got {(part, err)}"
    finally:
        conn.close()


def produce_json(version, topic, records, acks=-1):
    body = {"acks": acks, "timeoutMs": 30000,
            "topicData": [{"name": topic, "partitionData": [
                {"index": 0, "records": base64.b64encode(records).decode()}]}]}
    if version >= 3:
        body["transactionalId"] = None
    return body


def fetch_json(version, topic, topic_id, offset, max_wait_ms=0, min_bytes=0,
               partition_max_bytes=1 << 20, max_bytes=1 << 24):
    part = {"partition": 0, "fetchOffset": offset, "partitionMaxBytes": partition_max_bytes}
    if version >= 9:
        part["currentLeaderEpoch"] = -1
    if version >= 12:
        part["lastFetchedEpoch"] = -1
    if version >= 5:
        part["logStartOffset"] = -1
    t = {"partitions": [part]}
    if version >= 13:
        t["topicId"] = topic_id
    else:
        t["topic"] = topic
    body = {"maxWaitMs": max_wait_ms, "minBytes": min_bytes, "topics": [t]}
    if version <= 14:
        body["replicaId"] = -1
    if version >= 3:
        body["maxBytes"] = max_bytes
    if version >= 4:
        body["isolationLevel"] = 0
    if version >= 7:
        body["sessionId"] = 0
        body["sessionEpoch"] = -1
        body["forgottenTopicsData"] = []
    if version >= 11:
        body["rackId"] = ""
    return body


def topic_id_of(bootstrap, topic):
    md = admin_wire.call(bootstrap, admin_wire.METADATA, 12, admin_wire.metadata(12, [topic]))
    return md["topics"][0]["topicId"]


def test_every_produce_and_fetch_version(kgw_bootstrap):
    """Produce v0-11 (magic 0 for v0-1, magic 1 for v2, magic 2 from v3) and
    Fetch v0-17 (down-converted to magic 0 for v0-1 and magic 1 for v2-3)
    through the project's codec, checking offsets, watermarks and formats."""
    topic = new_topic(kgw_bootstrap)
    problems = []
    for v in range(12):
        if v <= 2:
            magic = 0 if v < 2 else 1
            recs = data_wire.legacy_message(magic, 0, b"k%d" % v, b"v%d" % v)
        else:
            recs = data_wire.record_batch([b"v%d" % v])
        r = admin_wire.call(kgw_bootstrap, 0, v, produce_json(v, topic, recs))
        p = r["responses"][0]["partitionResponses"][0]
        if (p["errorCode"], p["baseOffset"]) != (0, v):
            problems.append(f"Produce v{v}: expected (0, {v}), got "
                            f"{(p['errorCode'], p['baseOffset'])}")
    tid = topic_id_of(kgw_bootstrap, topic)
    for v in range(18):
        r = admin_wire.call(kgw_bootstrap, 1, v, fetch_json(v, topic, tid, 0))
        if v >= 7 and (r["errorCode"], r["sessionId"]) != (0, 0):
            problems.append(f"Fetch v{v}: session: got {(r['errorCode'], r['sessionId'])}")
        p = r["responses"][0]["partitions"][0]
        recs = base64.b64decode(p["records"] or "")
        want_magic = 0 if v <= 1 else 1 if v <= 3 else 2
        got = (p["errorCode"], p["highWatermark"], data_wire.records_magic(recs))
        if got != (0, 12, want_magic):
            problems.append(f"Fetch v{v}: expected (0, 12, magic {want_magic}), got {got}")
        if v >= 4 and p.get("lastStableOffset") != 12:
            problems.append(f"Fetch v{v}: last stable offset {p.get('lastStableOffset')}")
        if v >= 5 and p.get("logStartOffset") != 0:
            problems.append(f"Fetch v{v}: log start offset {p.get('logStartOffset')}")
    unknown = admin_wire.call(kgw_bootstrap, 1, 13,
                              fetch_json(13, topic, "AAAAAAAAAAAAAAAAAAAAAQ", 0))
    err = unknown["responses"][0]["partitions"][0]["errorCode"]
    if err != 100:
        problems.append(f"Fetch v13 unknown topic id: expected 100, got {err}")
    assert not problems, "\n".join(problems)


def test_fetch_max_bytes_at_least_one_batch(kgw_bootstrap):
    topic = new_topic(kgw_bootstrap)
    for i in range(3):
        admin_wire.call(kgw_bootstrap, 0, 7,
                        produce_json(7, topic, data_wire.record_batch([b"x" * 1000])))
    batch_len = len(data_wire.record_batch([b"x" * 1000]))
    checks = []
    # A limit smaller than one batch still returns that (first) batch whole.
    for label, body in [("partition limit", fetch_json(11, topic, None, 0, partition_max_bytes=10)),
                        ("response limit", fetch_json(11, topic, None, 0, max_bytes=10)),
                        ("two batches", fetch_json(11, topic, None, 0,
                                                   partition_max_bytes=2 * batch_len + 5))]:
        r = admin_wire.call(kgw_bootstrap, 1, 11, body)
        recs = base64.b64decode(r["responses"][0]["partitions"][0]["records"] or "")
        checks.append((label, len(recs)))
    want = [("partition limit", batch_len), ("response limit", batch_len),
            ("two batches", 2 * batch_len)]
    assert checks == want, f"record bytes: expected {want}, got {checks}"
    # From the middle of a batch: the whole batch comes back.
    admin_wire.call(kgw_bootstrap, 0, 7, produce_json(
        7, topic, data_wire.record_batch([b"a", b"b", b"c"])))
    r = admin_wire.call(kgw_bootstrap, 1, 11, fetch_json(11, topic, None, 4))
    recs = base64.b64decode(r["responses"][0]["partitions"][0]["records"] or "")
    base = struct.unpack(">q", recs[:8])[0]
    assert base == 3, f"fetch at 4 inside batch 3-5: expected base offset 3, got {base}"


def test_long_poll_timer_and_min_bytes(kgw_bootstrap):
    topic = new_topic(kgw_bootstrap)
    t0 = time.time()
    r = admin_wire.call(kgw_bootstrap, 1, 11, fetch_json(11, topic, None, 0, max_wait_ms=400,
                                                          min_bytes=1))
    waited = time.time() - t0
    p = r["responses"][0]["partitions"][0]
    assert p["errorCode"] == 0 and not base64.b64decode(p["records"] or ""), f"got {p}"
    assert 0.35 <= waited < 2.0, f"empty long poll: expected ~0.4 s, got {waited:.3f} s"
    # min_bytes above what one small batch has: the wait runs its course.
    admin_wire.call(kgw_bootstrap, 0, 7, produce_json(7, topic, data_wire.record_batch([b"s"])))
    t0 = time.time()
    r = admin_wire.call(kgw_bootstrap, 1, 11, fetch_json(11, topic, None, 0, max_wait_ms=300,
                                                          min_bytes=100000))
    waited = time.time() - t0
    recs = base64.b64decode(r["responses"][0]["partitions"][0]["records"] or "")
    assert recs and 0.25 <= waited < 2.0, \
        f"min_bytes not reached: expected data after ~0.3 s, got {len(recs)} bytes " \
        f"after {waited:.3f} s"


def test_shutdown_answers_parked_fetch():
    with kgw() as k:
        topic = new_topic(k.bootstrap)
        conn = data_wire.Conn("127.0.0.1", k.port)
        try:
            corr = conn.send(1, 7, data_wire.fetch_v7_body(topic, 0, 0, max_wait_ms=60000,
                                                           min_bytes=1))
            time.sleep(0.3)
            t0 = time.time()
            k.proc.send_signal(signal.SIGTERM)
            got, _ = conn.recv()
            answered = time.time() - t0
            assert got == corr, f"correlation: expected {corr}, got {got}"
            assert answered < 2.0, f"parked fetch answered {answered:.2f} s after SIGTERM"
            rc = k.proc.wait(10)
            assert rc == 0, f"exit code: expected 0, got {rc}"
        finally:
            conn.close()


def test_topic_configs_shape_produce(kgw_host, kgw_port, kgw_bootstrap):
    """max.message.bytes, cleanup.policy=compact and LogAppendTime, set on a
    topic, decide what its produces get."""
    admin = AdminClient({"bootstrap.servers": kgw_bootstrap})
    names = {"small": {"max.message.bytes": "200"}, "compact": {"cleanup.policy": "compact"},
             "lat": {"message.timestamp.type": "LogAppendTime"}}
    topics = {k: "c-" + k + "-" + uuid.uuid4().hex[:8] for k in names}
    futs = admin.create_topics([NewTopic(topics[k], 1, 1, config=cfg) for k, cfg in names.items()])
    for f in futs.values():
        f.result(timeout=10)
    conn = data_wire.Conn(kgw_host, kgw_port)
    try:
        def produce(topic, records):
            r = conn.request(0, 7, data_wire.produce_body(topic, 0, records))
            return data_wire.parse_produce_v7(r)[0]

        before = int(time.time() * 1000)
        got = {
            "small ok": produce(topics["small"], data_wire.record_batch([b"x" * 50]))[2],
            "small too large": produce(topics["small"], data_wire.record_batch([b"x" * 300]))[2],
            "compact without key": produce(topics["compact"], data_wire.record_batch([b"v"]))[2],
        }
        lat = produce(topics["lat"], data_wire.record_batch([b"v"], timestamp=1000))
    finally:
        conn.close()
    want = {"small ok": 0, "small too large": 10, "compact without key": 87}
    assert got == want, f"errors: expected {want}, got {got}"
    assert lat[2] == 0 and lat[4] >= before, \
        f"LogAppendTime topic: expected error 0 and append time >= {before}, got {lat}"
    c = consume_all(kgw_bootstrap, topics["lat"], 1)
    assert c and c[0].timestamp()[1] == lat[4], \
        f"consumed timestamp: expected {lat[4]}, got {c[0].timestamp() if c else None}"


def test_deleted_records_are_out_of_range(kgw_host, kgw_port, kgw_bootstrap):
    topic = new_topic(kgw_bootstrap)
    conn = data_wire.Conn(kgw_host, kgw_port)
    try:
        for i in range(10):
            conn.request(0, 7, data_wire.produce_body(topic, 0, data_wire.record_batch([b"%d" % i])))
        r = admin_wire.call(kgw_bootstrap, admin_wire.DELETE_RECORDS, 2,
                            admin_wire.delete_records(topic, {0: 5}))
        low = r["topics"][0]["partitions"][0]
        assert (low["errorCode"], low["lowWatermark"]) == (0, 5), f"DeleteRecords: got {low}"
        r = admin_wire.call(kgw_bootstrap, 1, 11, fetch_json(11, topic, None, 2))
        p = r["responses"][0]["partitions"][0]
        assert p["errorCode"] == 1, f"fetch below log start: expected 1, got {p['errorCode']}"
    finally:
        conn.close()
    # A consumer told to start there resets to the new log start.
    c = Consumer({"bootstrap.servers": kgw_bootstrap, "group.id": "g-" + uuid.uuid4().hex[:8],
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.assign([TopicPartition(topic, 0, 2)])
    m = None
    deadline = time.time() + 15
    while m is None and time.time() < deadline:
        m = c.poll(0.5)
    c.close()
    assert m is not None and (m.offset(), m.value()) == (5, b"5"), \
        f"after reset: expected (5, b'5'), got {(m.offset(), m.value()) if m else None}"


@pytest.mark.parametrize("api_version", [(0, 9), (0, 10, 0)])
@pytest.mark.parametrize("codec", ["none", "gzip", "snappy", "lz4"])
def test_v2_batches_down_converted_for_old_consumers(kgw_bootstrap, api_version, codec):
    """Batches a modern producer wrote (magic 2, headers, compressed) read by
    a consumer that only knows magic 0 (Fetch v1) or magic 1 (Fetch v2)."""
    from kafka import KafkaConsumer
    from kafka import TopicPartition as KTP
    topic = new_topic(kgw_bootstrap)
    p = Producer({"bootstrap.servers": kgw_bootstrap, "compression.type": codec,
                  "linger.ms": 20})
    msgs = [(b"k%d" % i, b"v%d" % i * 10) for i in range(30)] + [(None, b"nokey")]
    for k, v in msgs:
        p.produce(topic, key=k, value=v, partition=0, headers=[("h", b"dropped")],
                  timestamp=1_600_000_000_000)
    assert p.flush(10) == 0
    c = KafkaConsumer(bootstrap_servers=kgw_bootstrap, api_version=api_version,
                      enable_auto_commit=False, consumer_timeout_ms=10000)
    c.assign([KTP(topic, 0)])
    c.seek(KTP(topic, 0), 0)
    got = []
    for m in c:
        got.append((m.offset, m.key, m.value, m.timestamp))
        if len(got) == len(msgs):
            break
    c.close()
    ts = 1_600_000_000_000 if api_version >= (0, 10, 0) else None
    want = [(i, k, v, ts) for i, (k, v) in enumerate(msgs)]
    assert got == want, f"expected {want[:2]}..., got {got[:2]}... ({len(got)} messages)"
