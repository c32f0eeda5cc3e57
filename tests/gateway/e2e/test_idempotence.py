"""The idempotent producer: librdkafka with enable.idempotence, a retried
Produce sent byte for byte twice, sequence gaps, KIP-360 epoch bumps,
transactional ids, and DescribeProducers."""

import struct
import time
import uuid

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

import data_wire
from data_wire import kgw_bootstrap, kgw_host, kgw_port, kgw_server  # noqa: F401


def new_topic(bootstrap, partitions=1):
    name = "i-" + uuid.uuid4().hex[:12]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(name, partitions, 1)])[name].result(timeout=10)
    return name


def read_values(bootstrap, topic, count, partition=0, timeout=20.0):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "g-" + uuid.uuid4().hex[:8],
                  "enable.auto.commit": False})
    c.assign([TopicPartition(topic, partition, 0)])
    out = []
    deadline = time.time() + timeout
    while len(out) < count and time.time() < deadline:
        m = c.poll(0.5)
        if m is not None:
            assert m.error() is None, f"consumer error: {m.error()}"
            out.append((m.offset(), m.value()))
    # Anything beyond count would be a duplicate.
    m = c.poll(1.0)
    if m is not None and m.error() is None:
        out.append((m.offset(), m.value()))
    c.close()
    return out


def test_librdkafka_idempotent_producer(kgw_bootstrap):
    topic = new_topic(kgw_bootstrap, partitions=3)
    p = Producer({"bootstrap.servers": kgw_bootstrap, "enable.idempotence": True,
                  "linger.ms": 2, "max.in.flight.requests.per.connection": 5})
    errors = []
    n = 3000
    for i in range(n):
        p.produce(topic, value=str(i).encode(), partition=i % 3,
                  on_delivery=lambda err, m: errors.append(err) if err else None)
        if i % 500 == 0:
            p.poll(0)
    assert p.flush(20) == 0
    assert errors == [], f"delivery errors: {errors[:5]}"
    for part in range(3):
        got = read_values(kgw_bootstrap, topic, n // 3, partition=part)
        want = [(j, str(part + 3 * j).encode()) for j in range(n // 3)]
        assert got == want, f"partition {part}: expected {want[:3]}..., got {got[:3]}... " \
                            f"({len(got)} messages)"


def test_retried_duplicate_gets_original_offset(kgw_host, kgw_port, kgw_bootstrap):
    topic = new_topic(kgw_bootstrap)
    conn = data_wire.Conn(kgw_host, kgw_port)
    try:
        err, pid, epoch = data_wire.init_producer_id(conn)
        assert err == 0 and pid >= 0 and epoch == 0, \
            f"InitProducerId: expected (0, id >= 0, 0), got {(err, pid, epoch)}"

        def produce(values, seq):
            batch = data_wire.record_batch(values, pid, epoch, seq)
            r = conn.request(0, 7, data_wire.produce_body(topic, 0, batch))
            return data_wire.parse_produce_v7(r)[0][2:4]

        first = produce([b"a", b"b", b"c"], 0)
        assert first == (0, 0), f"first batch: expected (0, 0), got {first}"
        second = produce([b"d"], 3)
        assert second == (0, 3), f"second batch: expected (0, 3), got {second}"
        # The same bytes again, as a producer retrying after a lost response.
        batch = data_wire.record_batch([b"d"], pid, epoch, 4, timestamp=1_700_000_000_000)
        body = data_wire.produce_body(topic, 0, batch)
        r1 = data_wire.parse_produce_v7(conn.request(0, 7, body))[0][2:4]
        r2 = data_wire.parse_produce_v7(conn.request(0, 7, body))[0][2:4]
        assert r1 == (0, 4), f"new batch: expected (0, 4), got {r1}"
        assert r2 == r1, f"retried duplicate: expected the original {r1}, got {r2}"
        gap = produce([b"x"], 9)
        assert gap[0] == 45, f"sequence gap: expected OUT_OF_ORDER_SEQUENCE_NUMBER 45, got {gap}"
    finally:
        conn.close()
    got = [v for _, v in read_values(kgw_bootstrap, topic, 5)]
    assert got == [b"a", b"b", b"c", b"d", b"d"], f"log: expected a b c d d, got {got}"


def init_producer_id_v4(conn, transactional_id=None, producer_id=-1, producer_epoch=-1):
    body = (data_wire.compact_string(transactional_id) + struct.pack(">iqh", 60000, producer_id,
                                                                      producer_epoch)
            + data_wire.TAGS)
    r = data_wire.flexible_request(conn, 22, 4, body)
    _throttle, err, pid, epoch = r.unpack(">ihqh")
    return err, pid, epoch


def test_init_producer_id_versions(kgw_host, kgw_port):
    conn = data_wire.Conn(kgw_host, kgw_port)
    try:
        err, pid, epoch = init_producer_id_v4(conn)
        assert err == 0 and pid >= 0 and epoch == 0, f"fresh id: got {(err, pid, epoch)}"
        bumped = init_producer_id_v4(conn, producer_id=pid, producer_epoch=epoch)
        assert bumped == (0, pid, 1), f"KIP-360 bump: expected {(0, pid, 1)}, got {bumped}"
        exhausted = init_producer_id_v4(conn, producer_id=pid, producer_epoch=32766)
        assert exhausted[0] == 0 and exhausted[1] != pid and exhausted[2] == 0, \
            f"exhausted epoch: expected a new id at epoch 0, got {exhausted}"
        other = data_wire.init_producer_id(conn)
        assert other[0] == 0 and other[1] not in (pid, exhausted[1]), \
            f"ids must be distinct: {pid}, {exhausted[1]}, {other[1]}"
        txn = init_producer_id_v4(conn, transactional_id="my-txn")
        assert txn == (15, -1, -1), f"transactional id: expected (15, -1, -1), got {txn}"
        empty = init_producer_id_v4(conn, transactional_id="")
        assert empty[0] == 42, f"empty transactional id: expected INVALID_REQUEST 42, got {empty}"
    finally:
        conn.close()


def test_describe_producers(kgw_host, kgw_port, kgw_bootstrap):
    topic = new_topic(kgw_bootstrap)
    conn = data_wire.Conn(kgw_host, kgw_port)
    try:
        _err, pid, epoch = data_wire.init_producer_id(conn)
        batch = data_wire.record_batch([b"a", b"b"], pid, epoch, 0)
        res = data_wire.parse_produce_v7(conn.request(0, 7, data_wire.produce_body(topic, 0, batch)))
        assert res[0][2] == 0, f"produce: got {res}"
        body = data_wire.compact_array([
            data_wire.compact_string(topic) + data_wire.compact_array(
                [struct.pack(">i", 0), struct.pack(">i", 5)]) + data_wire.TAGS,
        ]) + data_wire.TAGS
        r = data_wire.flexible_request(conn, 61, 0, body)
        r.unpack(">i")
        assert r.uvarint() - 1 == 1
        assert r.compact_string() == topic
        parts = {}
        for _ in range(r.uvarint() - 1):
            index, err = r.unpack(">ih")
            r.compact_string()
            producers = []
            for _ in range(r.uvarint() - 1):
                p_id, p_epoch, last_seq, _ts, _ce, _txn = r.unpack(">qiiqiq")
                r.tags()
                producers.append((p_id, p_epoch, last_seq))
            r.tags()
            parts[index] = (err, producers)
    finally:
        conn.close()
    assert parts[5] == (3, []), f"partition 5: expected UNKNOWN_TOPIC_OR_PARTITION, got {parts[5]}"
    assert parts[0] == (0, [(pid, epoch, 1)]), \
        f"partition 0: expected {[(pid, epoch, 1)]}, got {parts[0]}"
