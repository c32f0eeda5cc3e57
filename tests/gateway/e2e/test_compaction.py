"""Log compaction (cleanup.policy=compact) seen through real clients: after
the cleaner has run, librdkafka, kafka-python and kcat read the same
records, with offsets kept and gaps where superseded values went, and every
key's latest value (or tombstone) present."""

import os
import subprocess
import time
import uuid

import pytest
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from kgw_harness import kgw

KEYS = 20
ROUNDS = 50


def create_compacted(bootstrap):
    name = "c-" + uuid.uuid4().hex[:10]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    configs = {"cleanup.policy": "compact", "segment.bytes": "16384",
               "min.cleanable.dirty.ratio": "0.01"}
    admin.create_topics([NewTopic(name, 1, 1, config=configs)])[name].result(timeout=10)
    return name


def value(r):
    """Round r's value: random bytes, so compressed batches stay large."""
    return b"r%d-" % r + os.urandom(50).hex().encode()


def produce_rounds(bootstrap, topic, codec):
    """ROUNDS values for each of KEYS keys, then a tombstone for k0; returns
    the count and each key's last value."""
    p = Producer({"bootstrap.servers": bootstrap, "compression.type": codec,
                  "linger.ms": 0, "acks": "all"})
    errors = []

    def report(err, _msg):
        if err:
            errors.append(err)
    last = {}
    for r in range(ROUNDS):
        for k in range(KEYS):
            last[b"k%d" % k] = value(r)
            p.produce(topic, key=b"k%d" % k, value=last[b"k%d" % k], partition=0,
                      on_delivery=report)
        p.flush(15)
    p.produce(topic, key=b"k0", value=None, partition=0, on_delivery=report)
    last[b"k0"] = None
    assert p.flush(15) == 0, "messages left unflushed"
    assert errors == [], f"delivery errors: {errors}"
    return ROUNDS * KEYS + 1, last


def read_librdkafka(bootstrap, topic, end):
    """[(offset, key, value)] from the log start to offset `end`."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "g-" + uuid.uuid4().hex[:8],
                  "enable.auto.commit": False, "enable.partition.eof": True})
    c.assign([TopicPartition(topic, 0, 0)])
    out = []
    deadline = time.time() + 20
    try:
        while time.time() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == -191:  # _PARTITION_EOF
                    if out and out[-1][0] >= end - 1:
                        break
                    continue
                raise KafkaException(m.error())
            out.append((m.offset(), m.key(), m.value()))
    finally:
        c.close()
    return out


def read_kafka_python(bootstrap, topic):
    from kafka import KafkaConsumer
    from kafka import TopicPartition as KTP
    c = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                      consumer_timeout_ms=3000)
    c.assign([KTP(topic, 0)])
    c.seek_to_beginning()
    out = [(m.offset, m.key, m.value) for m in c]
    c.close()
    return out


def read_kcat(bootstrap, topic):
    r = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", topic, "-p", "0", "-o",
                        "beginning", "-e", "-Z", "-f", "%o|%k|%s|%S\n"],
                       capture_output=True, timeout=30)
    assert r.returncode == 0, f"kcat -C failed: {r.stderr.decode()}"
    out = []
    for line in r.stdout.decode().splitlines():
        off, key, val, size = line.split("|")
        out.append((int(off), key.encode(), None if size == "-1" else val.encode()))
    return out


def wait_compacted(bootstrap, topic, total, timeout=20.0):
    """Reads until the cleaner has removed something; returns the records."""
    deadline = time.time() + timeout
    while True:
        recs = read_librdkafka(bootstrap, topic, total)
        if len(recs) < total or time.time() > deadline:
            return recs
        time.sleep(0.3)


@pytest.mark.parametrize("codec", ["none", "gzip", "zstd"])
def test_compacted_topic_read_by_every_client(codec):
    with kgw("log.cleaner.backoff.ms=100") as k:
        topic = create_compacted(k.bootstrap)
        total, want = produce_rounds(k.bootstrap, topic, codec)
        recs = wait_compacted(k.bootstrap, topic, total)
        assert len(recs) < total // 2, \
            f"compaction: expected well under {total // 2} of {total} records left, got {len(recs)}"
        offsets = [o for o, _, _ in recs]
        assert offsets == sorted(set(offsets)), "offsets read back out of order or repeated"
        assert offsets[-1] == total - 1, f"last offset: expected {total - 1}, got {offsets[-1]}"
        latest = {}
        for _, key, val in recs:
            latest[key] = val
        assert latest == want, \
            "latest value per key after compaction differs from the last produced: " + \
            ", ".join(f"{key!r}: expected {want.get(key)!r:.12}, got {latest.get(key)!r:.12}"
                      for key in sorted(set(want) | set(latest)) if want.get(key) != latest.get(key))
        got = read_kcat(k.bootstrap, topic)
        assert got == recs, f"kcat read {len(got)} records, librdkafka {len(recs)}: they differ"
        if codec != "zstd":  # kafka-python 2.0.2 fetches with v4, which cannot carry zstd
            got = read_kafka_python(k.bootstrap, topic)
            assert got == recs, \
                f"kafka-python read {len(got)} records, librdkafka {len(recs)}: they differ"


def test_keyless_record_refused_by_compacted_topic():
    with kgw() as k:
        topic = create_compacted(k.bootstrap)
        p = Producer({"bootstrap.servers": k.bootstrap, "retries": 0})
        errors = []
        p.produce(topic, value=b"no key", partition=0,
                  on_delivery=lambda err, _m: errors.append(err))
        p.flush(15)
        assert len(errors) == 1 and errors[0] is not None, \
            f"expected the keyless record to fail, got {errors}"
        assert errors[0].name() == "INVALID_RECORD", \
            f"expected INVALID_RECORD, got {errors[0].name()}"
