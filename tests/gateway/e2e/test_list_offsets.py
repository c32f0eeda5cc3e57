"""ListOffsets (earliest, latest, by timestamp, max timestamp, the v0 form)
and OffsetForLeaderEpoch, through librdkafka, kafka-python and raw requests."""

import struct
import uuid

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

import data_wire
from data_wire import kgw_bootstrap, kgw_host, kgw_port, kgw_server  # noqa: F401

BASE_TS = 1_650_000_000_000


def new_topic(bootstrap):
    name = "o-" + uuid.uuid4().hex[:12]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(name, 1, 1)])[name].result(timeout=10)
    return name


def produce_timestamped(bootstrap, topic, n=10):
    """Offset i has timestamp BASE_TS + 1000 * i, except offset 5, which has
    the largest timestamp of all (a max-timestamp lookup must find it)."""
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0, "acks": "all"})
    for i in range(n):
        ts = BASE_TS + 1000 * i if i != 5 else BASE_TS + 100_000
        p.produce(topic, value=str(i).encode(), partition=0, timestamp=ts)
        p.flush(10)
    return n


def test_librdkafka_offsets(kgw_bootstrap):
    topic = new_topic(kgw_bootstrap)
    n = produce_timestamped(kgw_bootstrap, topic)
    c = Consumer({"bootstrap.servers": kgw_bootstrap, "group.id": "g-" + uuid.uuid4().hex[:8]})
    try:
        lo, hi = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
        assert (lo, hi) == (0, n), f"watermarks: expected (0, {n}), got {(lo, hi)}"
        cases = [(BASE_TS - 1, 0), (BASE_TS, 0), (BASE_TS + 2500, 3), (BASE_TS + 4000, 4),
                 (BASE_TS + 6000, 5), (BASE_TS + 100_000, 5), (BASE_TS + 100_001, -1)]
        for ts, want in cases:
            got = c.offsets_for_times([TopicPartition(topic, 0, ts)], timeout=10)[0]
            assert got.error is None, f"offsets_for_times({ts}): error {got.error}"
            assert got.offset == want, \
                f"offsets_for_times(BASE+{ts - BASE_TS}): expected {want}, got {got.offset}"
    finally:
        c.close()


def test_kafka_python_offsets(kgw_bootstrap):
    from kafka import KafkaConsumer
    from kafka import TopicPartition as KTP
    topic = new_topic(kgw_bootstrap)
    n = produce_timestamped(kgw_bootstrap, topic)
    c = KafkaConsumer(bootstrap_servers=kgw_bootstrap)
    try:
        tp = KTP(topic, 0)
        assert c.beginning_offsets([tp]) == {tp: 0}
        assert c.end_offsets([tp]) == {tp: n}
        got = c.offsets_for_times({tp: BASE_TS + 2500})[tp]
        assert (got.offset, got.timestamp) == (3, BASE_TS + 3000), \
            f"offsets_for_times: expected (3, {BASE_TS + 3000}), got {got}"
    finally:
        c.close()


def list_offsets_v7(conn, topic, timestamp, current_leader_epoch=-1):
    body = (struct.pack(">ib", -1, 0) + data_wire.compact_array([
        data_wire.compact_string(topic) + data_wire.compact_array([
            struct.pack(">iiq", 0, current_leader_epoch, timestamp) + data_wire.TAGS])
        + data_wire.TAGS]) + data_wire.TAGS)
    r = data_wire.flexible_request(conn, 2, 7, body)
    r.unpack(">i")
    r.uvarint()
    r.compact_string()
    r.uvarint()
    _part, err, ts, offset, epoch = r.unpack(">ihqqi")
    return err, ts, offset, epoch


def test_raw_list_offsets(kgw_host, kgw_port, kgw_bootstrap):
    topic = new_topic(kgw_bootstrap)
    conn = data_wire.Conn(kgw_host, kgw_port)
    try:
        empty_max = list_offsets_v7(conn, topic, -3)
        assert empty_max == (0, -1, -1, -1), f"max timestamp, empty: got {empty_max}"
        n = produce_timestamped(kgw_bootstrap, topic)
        checks = [
            ("latest", list_offsets_v7(conn, topic, -1), (0, -1, n, 0)),
            ("earliest", list_offsets_v7(conn, topic, -2), (0, -1, 0, 0)),
            ("max timestamp", list_offsets_v7(conn, topic, -3), (0, BASE_TS + 100_000, 5, 0)),
            ("by time", list_offsets_v7(conn, topic, BASE_TS + 1), (0, BASE_TS + 1000, 1, 0)),
            ("after all", list_offsets_v7(conn, topic, BASE_TS + 200_000), (0, -1, -1, -1)),
            ("newer epoch", list_offsets_v7(conn, topic, -1, 3)[0], 75),
        ]
        # v0: the old array of offsets.
        body = struct.pack(">ii", -1, 1) + data_wire.string(topic) + struct.pack(
            ">iiqi", 1, 0, -1, 1)
        r = data_wire.Reader(conn.request(2, 0, body))
        r.unpack(">i")
        r.string()
        r.unpack(">i")
        part, err, count = r.unpack(">ihi")
        offsets = [r.unpack(">q") for _ in range(count)]
        checks.append(("v0 latest", (part, err, offsets), (0, 0, [n])))
        # OffsetForLeaderEpoch v3: epoch 0 ends at the log end; epoch 7 is unknown.
        body = struct.pack(">ii", -1, 1) + data_wire.string(topic) + struct.pack(
            ">iiii", 2, 0, -1, 0) + struct.pack(">iii", 0, -1, 7)
        r = data_wire.Reader(conn.request(23, 3, body))
        r.unpack(">ii")
        r.string()
        r.unpack(">i")
        got = [r.unpack(">hiiq") for _ in range(2)]
        checks.append(("OffsetForLeaderEpoch", got, [(0, 0, 0, n), (0, 0, -1, -1)]))
    finally:
        conn.close()
    bad = [(what, got, want) for what, got, want in checks if got != want]
    assert not bad, "; ".join(f"{w}: expected {e}, got {g}" for w, g, e in bad)
