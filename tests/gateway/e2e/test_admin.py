"""Topic administration end to end: CreateTopics, DeleteTopics,
CreatePartitions, DeleteRecords, DescribeConfigs, AlterConfigs,
IncrementalAlterConfigs, DescribeCluster and DescribeLogDirs, through
librdkafka's AdminClient, kafka-python's KafkaAdminClient and raw requests at
every version kgw advertises."""

import os
import uuid

import pytest
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import (AdminClient, ConfigResource, ConfigSource, NewPartitions,
                                   NewTopic)
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource as KPConfigResource
from kafka.admin import ConfigResourceType

import admin_wire as w
from kgw_harness import kgw

NONE, OFFSET_OUT_OF_RANGE, UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC = 0, 1, 3, 17
TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR = 36, 37, 38
INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG, INVALID_REQUEST = 39, 40, 42
UNKNOWN_TOPIC_ID, UNSUPPORTED_ENDPOINT_TYPE = 100, 115
TOPIC, BROKER = 2, 4
DYNAMIC_TOPIC_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG = 1, 4, 5


@pytest.fixture(scope="module")
def server():
    with kgw("num.partitions=2", "log.retention.ms=3600000") as k:
        yield k


def name(prefix="adm"):
    return prefix + "-" + uuid.uuid4().hex[:10]


def admin(k):
    return AdminClient({"bootstrap.servers": k.bootstrap})


def topic_names(k):
    return set(admin(k).list_topics(timeout=10).topics)


def partition_count(k, t):
    return len(admin(k).list_topics(topic=t, timeout=10).topics[t].partitions)


def produce(k, t, n, partition=0):
    p = Producer({"bootstrap.servers": k.bootstrap, "linger.ms": 0})
    for i in range(n):
        p.produce(t, value=b"v%d" % i, partition=partition)
    assert p.flush(15) == 0, "messages left unflushed"


def describe_topic_raw(k, t, v=4, keys=None, synonyms=False):
    r = w.call(k.bootstrap, w.DESCRIBE_CONFIGS, v,
               w.describe_configs(v, [(TOPIC, t, keys)], synonyms))
    res = r["results"][0]
    assert res["errorCode"] == NONE, f"describe {t}: expected 0, got {res}"
    return {c["name"]: c for c in res["configs"]}


def create_raw(k, v, topics, validate_only=False):
    r = w.call(k.bootstrap, w.CREATE_TOPICS, v, w.create_topics(v, topics, validate_only))
    return {x["name"]: x for x in r["topics"]}


# ---- CreateTopics ----

def test_create_topics_with_librdkafka(server):
    a = admin(server)
    t = name()
    fs = a.create_topics([NewTopic(t, 3, 1, config={"retention.ms": "120000",
                                                    "cleanup.policy": "compact"})])
    fs[t].result(timeout=10)
    assert partition_count(server, t) == 3, f"{t}: expected 3 partitions"
    entries = a.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, t)])
    cfg = list(entries.values())[0].result(timeout=10)
    assert cfg["retention.ms"].value == "120000", f"retention.ms: got {cfg['retention.ms'].value}"
    assert cfg["retention.ms"].source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value, \
        f"retention.ms source: expected DYNAMIC_TOPIC_CONFIG, got {cfg['retention.ms'].source}"
    assert cfg["cleanup.policy"].value == "compact", f"got {cfg['cleanup.policy'].value}"

    # validate_only creates nothing.
    v = name()
    a.create_topics([NewTopic(v, 1, 1)], validate_only=True)[v].result(timeout=10)
    assert v not in topic_names(server), f"validate_only created {v}"

    # Per-topic errors through the client.
    cases = [(NewTopic(t, 1, 1), TOPIC_ALREADY_EXISTS),
             (NewTopic(name(), 1, 3), INVALID_REPLICATION_FACTOR),
             (NewTopic(name(), 1, 1, config={"no.such": "1"}), INVALID_CONFIG),
             (NewTopic(name(), 1, 1, config={"retention.ms": "soon"}), INVALID_CONFIG),
             (NewTopic("bad/name", 1, 1), INVALID_TOPIC)]
    for nt, want in cases:
        with pytest.raises(KafkaException) as e:
            a.create_topics([nt])[nt.topic].result(timeout=10)
        got = e.value.args[0].code()
        assert got == want, f"{nt.topic} {nt.config}: expected {want}, got {got}"


def test_create_topics_every_version(server):
    for v in range(0, 8):
        t, bad = name(f"ct{v}"), name(f"ct{v}")
        res = create_raw(server, v, [(t, -1, -1, {"retention.bytes": "1048576"}, None),
                                     (bad, 0, 1, {}, None)])
        assert res[t]["errorCode"] == NONE, f"v{v} {t}: got {res[t]}"
        assert res[bad]["errorCode"] == INVALID_PARTITIONS, f"v{v} 0 partitions: got {res[bad]}"
        assert partition_count(server, t) == 2, f"v{v}: expected num.partitions (2)"
        if v >= 5:
            assert (res[t]["numPartitions"], res[t]["replicationFactor"]) == (2, 1), \
                f"v{v}: expected (2, 1), got {res[t]}"
            cfg = {c["name"]: c for c in res[t]["configs"]}
            assert (cfg["retention.bytes"]["value"], cfg["retention.bytes"]["configSource"]) == \
                ("1048576", DYNAMIC_TOPIC_CONFIG), \
                f"v{v} retention.bytes: got {cfg['retention.bytes']}"
            # Set in server.properties terms (--override): Kafka's STATIC_BROKER_CONFIG.
            assert (cfg["retention.ms"]["value"], cfg["retention.ms"]["configSource"]) == \
                ("3600000", STATIC_BROKER_CONFIG), f"v{v} retention.ms: got {cfg['retention.ms']}"
            assert cfg["cleanup.policy"]["configSource"] == DEFAULT_CONFIG, \
                f"v{v} cleanup.policy: got {cfg['cleanup.policy']}"
        if v >= 7:
            assert res[t]["topicId"] != w.ZERO_UUID, f"v{v}: expected a topic id, got {res[t]}"
        if v >= 1:
            again = create_raw(server, v, [(t, 1, 1, {}, None)])
            assert again[t]["errorCode"] == TOPIC_ALREADY_EXISTS, f"v{v} again: got {again[t]}"
            assert again[t]["errorMessage"], f"v{v}: expected a message, got {again[t]}"
            vo = name()
            r = create_raw(server, v, [(vo, 4, 1, {}, None)], validate_only=True)
            assert r[vo]["errorCode"] == NONE, f"v{v} validate_only: got {r[vo]}"
            assert vo not in topic_names(server), f"v{v} validate_only created {vo}"

    # Manual assignments: only this node can hold replicas.
    t = name()
    res = create_raw(server, 7, [(t, -1, -1, {}, [(0, [1]), (1, [1]), (2, [1])])])
    assert res[t]["errorCode"] == NONE and res[t]["numPartitions"] == 3, f"assigned: got {res[t]}"
    bad = name()
    res = create_raw(server, 7, [(bad, -1, -1, {}, [(0, [2])])])
    assert res[bad]["errorCode"] == INVALID_REPLICA_ASSIGNMENT, f"broker 2: got {res[bad]}"
    res = create_raw(server, 7, [(bad, 3, -1, {}, [(0, [1])])])
    assert res[bad]["errorCode"] == INVALID_REQUEST, f"both counts and assignments: got {res[bad]}"
    res = create_raw(server, 7, [(bad, 1, 1, {"cleanup.policy": "shred"}, None)])
    assert res[bad]["errorCode"] == INVALID_CONFIG and "shred" in res[bad]["errorMessage"], \
        f"bad cleanup.policy: got {res[bad]}"


# ---- DeleteTopics ----

def test_delete_topics_removes_data(server):
    a = admin(server)
    t = name("del")
    a.create_topics([NewTopic(t, 1, 1)])[t].result(timeout=10)
    produce(server, t, 100)
    on_disk = [d for d, _, files in os.walk(server.datadir) if t in d and files]
    assert on_disk, f"expected files for {t} under {server.datadir}, found none"

    a.delete_topics([t], operation_timeout=10)[t].result(timeout=10)
    assert t not in topic_names(server), f"{t} still listed after delete"
    left = [os.path.join(d, f) for d, _, files in os.walk(server.datadir) if t in d
            for f in files]
    assert left == [], f"files of {t} still on disk: {left}"

    with pytest.raises(KafkaException) as e:
        a.delete_topics([t], operation_timeout=10)[t].result(timeout=10)
    assert e.value.args[0].code() == UNKNOWN_TOPIC_OR_PARTITION, f"got {e.value.args[0]}"

    # Recreating the name starts empty.
    a.create_topics([NewTopic(t, 1, 1)])[t].result(timeout=10)
    c = Consumer({"bootstrap.servers": server.bootstrap, "group.id": name("g")})
    lo, hi = c.get_watermark_offsets(TopicPartition(t, 0), timeout=10)
    c.close()
    assert (lo, hi) == (0, 0), f"recreated {t}: expected watermarks (0, 0), got {(lo, hi)}"


def test_delete_topics_every_version_and_by_id(server):
    for v in range(0, 7):
        t = name(f"dt{v}")
        create_raw(server, 7, [(t, 1, 1, {}, None)])
        missing = name()
        r = w.call(server.bootstrap, w.DELETE_TOPICS, v, w.delete_topics(v, [t, missing]))
        got = {x["name"]: x["errorCode"] for x in r["responses"]}
        assert got == {t: NONE, missing: UNKNOWN_TOPIC_OR_PARTITION}, f"v{v}: got {got}"
        assert t not in topic_names(server), f"v{v}: {t} still listed"

    t = name("byid")
    tid = create_raw(server, 7, [(t, 1, 1, {}, None)])[t]["topicId"]
    unknown = "AAAAAAAAAAAAAAAAAAAAAQ"
    r = w.call(server.bootstrap, w.DELETE_TOPICS, 6, w.delete_topics(6, ids=[tid, unknown]))
    got = [(x["name"], x["topicId"], x["errorCode"]) for x in r["responses"]]
    assert got == [(t, tid, NONE), (None, unknown, UNKNOWN_TOPIC_ID)], f"by id: got {got}"
    assert t not in topic_names(server), f"{t} still listed after delete by id"


# ---- CreatePartitions ----

def test_create_partitions(server):
    a = admin(server)
    t = name("cp")
    a.create_topics([NewTopic(t, 2, 1)])[t].result(timeout=10)
    a.create_partitions([NewPartitions(t, 5)], validate_only=True)[t].result(timeout=10)
    assert partition_count(server, t) == 2, "validate_only must not grow the topic"
    a.create_partitions([NewPartitions(t, 5)])[t].result(timeout=10)
    n = partition_count(server, t)
    assert n == 5, f"expected 5 partitions, got {n}"
    produce(server, t, 3, partition=4)
    for total in (5, 3):
        with pytest.raises(KafkaException) as e:
            a.create_partitions([NewPartitions(t, total)])[t].result(timeout=10)
        assert e.value.args[0].code() == INVALID_PARTITIONS, f"to {total}: got {e.value.args[0]}"

    for v in range(0, 4):
        body = w.create_partitions([(t, 6 + v, [[1]]), (name(), 3, None), (t + "x", 2, None)])
        body["topics"][0]["assignments"] = [{"brokerIds": [1]}]
        r = w.call(server.bootstrap, w.CREATE_PARTITIONS, v, body)
        got = [x["errorCode"] for x in r["results"]]
        assert got == [NONE, UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_OR_PARTITION], \
            f"v{v}: got {r['results']}"
        assert partition_count(server, t) == 6 + v, f"v{v}: expected {6 + v} partitions"
    r = w.call(server.bootstrap, w.CREATE_PARTITIONS, 3,
               w.create_partitions([(t, 20, [[2]])]))
    assert r["results"][0]["errorCode"] == INVALID_REPLICA_ASSIGNMENT, f"got {r['results']}"


# ---- DeleteRecords ----

def test_delete_records(server):
    t = name("dr")
    a = admin(server)
    a.create_topics([NewTopic(t, 1, 1)])[t].result(timeout=10)
    produce(server, t, 10)
    for v in range(0, 3):
        want_low = 2 + v
        r = w.call(server.bootstrap, w.DELETE_RECORDS, v,
                   w.delete_records(t, {0: want_low, 7: 1}))
        got = {p["partitionIndex"]: (p["errorCode"], p["lowWatermark"])
               for p in r["topics"][0]["partitions"]}
        assert got[0] == (NONE, want_low), f"v{v}: expected (0, {want_low}), got {got[0]}"
        assert got[7][0] == UNKNOWN_TOPIC_OR_PARTITION, f"v{v} partition 7: got {got[7]}"
    r = w.call(server.bootstrap, w.DELETE_RECORDS, 2, w.delete_records(t, {0: 11}))
    p = r["topics"][0]["partitions"][0]
    assert p["errorCode"] == OFFSET_OUT_OF_RANGE, f"beyond the end: expected 1, got {p}"

    c = Consumer({"bootstrap.servers": server.bootstrap, "group.id": name("g")})
    lo, hi = c.get_watermark_offsets(TopicPartition(t, 0), timeout=10)
    assert (lo, hi) == (4, 10), f"watermarks: expected (4, 10), got {(lo, hi)}"
    r = w.call(server.bootstrap, w.DELETE_RECORDS, 2, w.delete_records(t, {0: -1}))
    p = r["topics"][0]["partitions"][0]
    assert (p["errorCode"], p["lowWatermark"]) == (NONE, 10), f"-1: expected (0, 10), got {p}"
    lo, hi = c.get_watermark_offsets(TopicPartition(t, 0), timeout=10)
    c.close()
    assert (lo, hi) == (10, 10), f"watermarks after -1: expected (10, 10), got {(lo, hi)}"


# ---- DescribeConfigs / AlterConfigs / IncrementalAlterConfigs ----

def test_describe_configs_topic_and_broker(server):
    t = name("dc")
    create_raw(server, 7, [(t, 1, 1, {"segment.bytes": "1048576"}, None)])
    for v in range(0, 5):
        cfg = describe_topic_raw(server, t, v, synonyms=True)
        for key in ("cleanup.policy", "retention.ms", "retention.bytes", "segment.bytes",
                    "segment.ms", "max.message.bytes", "message.timestamp.type",
                    "min.insync.replicas", "compression.type"):
            assert key in cfg, f"v{v}: {key} missing from {sorted(cfg)}"
        assert cfg["segment.bytes"]["value"] == "1048576", f"v{v}: got {cfg['segment.bytes']}"
        assert cfg["retention.ms"]["value"] == "3600000", f"v{v}: got {cfg['retention.ms']}"
        if v == 0:
            assert cfg["segment.bytes"]["isDefault"] is False, f"v0: got {cfg['segment.bytes']}"
            assert cfg["cleanup.policy"]["isDefault"] is True, f"v0: got {cfg['cleanup.policy']}"
        else:
            assert cfg["segment.bytes"]["configSource"] == DYNAMIC_TOPIC_CONFIG, \
                f"v{v}: got {cfg['segment.bytes']}"
            assert cfg["retention.ms"]["configSource"] == STATIC_BROKER_CONFIG, \
                f"v{v}: got {cfg['retention.ms']}"
            syn = [(s["name"], s["value"], s["source"]) for s in cfg["segment.bytes"]["synonyms"]]
            assert syn[0] == ("segment.bytes", "1048576", DYNAMIC_TOPIC_CONFIG), f"v{v}: got {syn}"
            assert syn[1][0] == "log.segment.bytes", f"v{v}: got {syn}"
        if v >= 3:
            assert cfg["retention.ms"]["configType"] == 5, f"v{v} LONG: got {cfg['retention.ms']}"
            assert cfg["cleanup.policy"]["configType"] == 7, \
                f"v{v} LIST: got {cfg['cleanup.policy']}"

    only = describe_topic_raw(server, t, 4, keys=["retention.ms", "no.such"])
    assert sorted(only) == ["retention.ms"], f"key filter: got {sorted(only)}"

    r = w.call(server.bootstrap, w.DESCRIBE_CONFIGS, 4,
               w.describe_configs(4, [(TOPIC, name(), None), (BROKER, "1", None),
                                      (BROKER, "7", None), (BROKER, "", None)]))
    res = r["results"]
    assert res[0]["errorCode"] == UNKNOWN_TOPIC_OR_PARTITION, f"unknown topic: got {res[0]}"
    broker = {c["name"]: c for c in res[1]["configs"]}
    assert res[1]["errorCode"] == NONE, f"broker 1: got {res[1]}"
    assert broker["num.partitions"]["value"] == "2", \
        f"num.partitions: got {broker['num.partitions']}"
    assert broker["num.partitions"]["configSource"] == STATIC_BROKER_CONFIG, \
        f"num.partitions source: got {broker['num.partitions']}"
    assert res[2]["errorCode"] == INVALID_REQUEST, f"broker 7: got {res[2]}"
    assert (res[3]["errorCode"], res[3]["configs"]) == (NONE, []), f"default broker: got {res[3]}"

    # librdkafka's view of the broker resource.
    a = admin(server)
    fs = a.describe_configs([ConfigResource(ConfigResource.Type.BROKER, "1")])
    cfg = list(fs.values())[0].result(timeout=10)
    assert cfg["auto.create.topics.enable"].value == "true", \
        f"auto.create.topics.enable: got {cfg['auto.create.topics.enable']}"


def describe_broker_raw(k, keys):
    r = w.call(k.bootstrap, w.DESCRIBE_CONFIGS, 4,
               w.describe_configs(4, [(BROKER, "1", keys)], synonyms=True))
    res = r["results"][0]
    assert res["errorCode"] == NONE, f"describe broker 1: expected 0, got {res}"
    return {c["name"]: (c["value"], c["configSource"],
                        [(s["name"], s["value"], s["source"]) for s in c["synonyms"]])
            for c in res["configs"]}


RETENTION_KEYS = ["log.retention.ms", "log.retention.minutes", "log.retention.hours",
                  "log.roll.ms", "log.roll.hours"]


def test_describe_broker_time_units():
    """Kafka's broker view of settings with several units: each form's own
    value or null, synonyms down to the hours form (default 168)."""
    with kgw() as k:
        got = describe_broker_raw(k, RETENTION_KEYS)
        want = {
            "log.retention.ms": (None, DEFAULT_CONFIG,
                                 [("log.retention.hours", "168", DEFAULT_CONFIG)]),
            "log.retention.minutes": (None, DEFAULT_CONFIG,
                                      [("log.retention.hours", "168", DEFAULT_CONFIG)]),
            "log.retention.hours": ("168", DEFAULT_CONFIG,
                                    [("log.retention.hours", "168", DEFAULT_CONFIG)]),
            "log.roll.ms": (None, DEFAULT_CONFIG, [("log.roll.hours", "168", DEFAULT_CONFIG)]),
            "log.roll.hours": ("168", DEFAULT_CONFIG, [("log.roll.hours", "168", DEFAULT_CONFIG)]),
        }
        assert got == want, f"defaults: expected {want}, got {got}"
    with kgw("log.retention.hours=24") as k:
        got = describe_broker_raw(k, RETENTION_KEYS)
        assert got["log.retention.ms"] == (
            None, STATIC_BROKER_CONFIG, [("log.retention.hours", "24", STATIC_BROKER_CONFIG)]), \
            f"log.retention.ms with hours=24: got {got['log.retention.ms']}"
        assert got["log.retention.hours"][:2] == ("24", STATIC_BROKER_CONFIG), \
            f"log.retention.hours=24: got {got['log.retention.hours']}"
        t = name("units")
        create_raw(k, 7, [(t, 1, 1, {}, None)])
        cfg = describe_topic_raw(k, t)
        assert (cfg["retention.ms"]["value"], cfg["retention.ms"]["configSource"]) == \
            ("86400000", STATIC_BROKER_CONFIG), \
            f"topic retention.ms under log.retention.hours=24: got {cfg['retention.ms']}"


def test_alter_configs_full_replacement(server):
    a = admin(server)
    t = name("ac")
    a.create_topics([NewTopic(t, 1, 1, config={"retention.bytes": "5000000"})])[t].result(10)
    res = ConfigResource(ConfigResource.Type.TOPIC, t,
                         set_config={"retention.ms": "7200000", "max.message.bytes": "2000000"})
    list(a.alter_configs([res]).values())[0].result(timeout=10)
    cfg = describe_topic_raw(server, t)
    got = {k: (cfg[k]["value"], cfg[k]["configSource"])
           for k in ("retention.ms", "max.message.bytes", "retention.bytes")}
    assert got["retention.ms"] == ("7200000", DYNAMIC_TOPIC_CONFIG), f"got {got}"
    assert got["max.message.bytes"] == ("2000000", DYNAMIC_TOPIC_CONFIG), f"got {got}"
    # Full replacement: retention.bytes was not listed, so it is back to default.
    assert got["retention.bytes"][1] != DYNAMIC_TOPIC_CONFIG, f"retention.bytes kept: {got}"

    for v in range(0, 3):
        body = w.alter_configs([(TOPIC, t, {"segment.ms": "999999"})], validate_only=True)
        r = w.call(server.bootstrap, w.ALTER_CONFIGS, v, body)
        assert r["responses"][0]["errorCode"] == NONE, f"v{v} validate_only: got {r}"
        seg = describe_topic_raw(server, t)["segment.ms"]
        assert seg["value"] != "999999", f"v{v} validate_only changed segment.ms: {seg}"
        r = w.call(server.bootstrap, w.ALTER_CONFIGS, v,
                   w.alter_configs([(TOPIC, t, {"segment.ms": str(100000 + v)}),
                                    (TOPIC, t + "-missing", {"segment.ms": "1"}),
                                    (TOPIC, t, {"segment.ms": "0"}),
                                    (BROKER, "1", {"log.retention.ms": "1"})]))
        got = [x["errorCode"] for x in r["responses"]]
        assert got[:2] == [NONE, UNKNOWN_TOPIC_OR_PARTITION], f"v{v}: got {r['responses']}"
        assert got[2] == INVALID_CONFIG, f"v{v} segment.ms=0: got {r['responses'][2]}"
        assert got[3] == INVALID_REQUEST, f"v{v} broker: got {r['responses'][3]}"

    # kafka-python sees and changes the same configs.
    ka = KafkaAdminClient(bootstrap_servers=server.bootstrap)
    try:
        ka.alter_configs([KPConfigResource(ConfigResourceType.TOPIC, t,
                                           configs={"message.timestamp.type": "LogAppendTime"})])
        d = ka.describe_configs([KPConfigResource(ConfigResourceType.TOPIC, t)])
        entries = {e[0]: e[1] for e in d[0].resources[0][4]}
        assert entries["message.timestamp.type"] == "LogAppendTime", f"got {entries}"
    finally:
        ka.close()


def test_incremental_alter_configs(server):
    t = name("iac")
    create_raw(server, 7, [(t, 1, 1, {"retention.ms": "1000000"}, None)])
    for v in range(0, 2):
        ops = [("retention.bytes", w.SET, str(123456 + v)), ("retention.ms", w.DELETE, None),
               ("cleanup.policy", w.APPEND, "compact")]
        r = w.call(server.bootstrap, w.INCREMENTAL_ALTER_CONFIGS, v,
                   w.incremental_alter_configs([(TOPIC, t, ops)]))
        assert r["responses"][0]["errorCode"] == NONE, f"v{v}: got {r}"
        cfg = describe_topic_raw(server, t)
        assert cfg["retention.bytes"]["value"] == str(123456 + v), f"v{v}: {cfg['retention.bytes']}"
        assert cfg["retention.ms"]["configSource"] == STATIC_BROKER_CONFIG, \
            f"v{v} deleted retention.ms falls back to the broker's: {cfg['retention.ms']}"
        assert cfg["cleanup.policy"]["value"] == "delete,compact", f"v{v}: {cfg['cleanup.policy']}"

        r = w.call(server.bootstrap, w.INCREMENTAL_ALTER_CONFIGS, v,
                   w.incremental_alter_configs([(TOPIC, t, [("cleanup.policy", w.SUBTRACT,
                                                             "delete")])]))
        assert r["responses"][0]["errorCode"] == NONE, f"v{v} subtract: got {r}"
        assert describe_topic_raw(server, t)["cleanup.policy"]["value"] == "compact"

        r = w.call(server.bootstrap, w.INCREMENTAL_ALTER_CONFIGS, v,
                   w.incremental_alter_configs([(TOPIC, t, [("segment.ms", w.SET, "5000")])],
                                               validate_only=True))
        assert r["responses"][0]["errorCode"] == NONE, f"v{v} validate_only: got {r}"
        seg = describe_topic_raw(server, t)["segment.ms"]
        assert seg["configSource"] != DYNAMIC_TOPIC_CONFIG, f"v{v} validate_only applied: {seg}"

        bad = [(TOPIC, t, [("retention.ms", w.APPEND, "5")]),
               (TOPIC, t, [("no.such", w.SET, "5")]),
               (TOPIC, t, [("retention.ms", w.SET, "x")]),
               (TOPIC, t, [("retention.ms", w.SET, "5"), ("retention.ms", w.DELETE, None)]),
               (TOPIC, name(), [("retention.ms", w.SET, "5")]),
               (BROKER, "1", [("log.retention.ms", w.SET, "5")])]
        r = w.call(server.bootstrap, w.INCREMENTAL_ALTER_CONFIGS, v,
                   w.incremental_alter_configs(bad))
        got = [x["errorCode"] for x in r["responses"]]
        want = [INVALID_CONFIG, INVALID_CONFIG, INVALID_CONFIG, INVALID_REQUEST,
                UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST]
        assert got == want, f"v{v} errors: expected {want}, got {got}: {r['responses']}"
        # Restore the list for the next version's APPEND.
        w.call(server.bootstrap, w.INCREMENTAL_ALTER_CONFIGS, v,
               w.incremental_alter_configs([(TOPIC, t, [("cleanup.policy", w.DELETE, None)])]))


# ---- DescribeCluster / DescribeLogDirs ----

def test_describe_cluster(server):
    md = admin(server).list_topics(timeout=10)
    for v in range(0, 2):
        r = w.call(server.bootstrap, w.DESCRIBE_CLUSTER, v, w.describe_cluster(v, ops=True))
        assert r["errorCode"] == NONE, f"v{v}: got {r}"
        assert r["clusterId"] == md.cluster_id, f"v{v}: expected {md.cluster_id}, got {r}"
        assert r["controllerId"] == 1, f"v{v} controller: got {r['controllerId']}"
        brokers = [(b["brokerId"], b["host"], b["port"]) for b in r["brokers"]]
        assert brokers == [(1, "127.0.0.1", server.port)], f"v{v} brokers: got {brokers}"
        assert r["clusterAuthorizedOperations"] == 8096, f"v{v} ops: got {r}"
        r = w.call(server.bootstrap, w.DESCRIBE_CLUSTER, v, w.describe_cluster(v))
        assert r["clusterAuthorizedOperations"] == -2147483648, f"v{v} ops omitted: got {r}"
    r = w.call(server.bootstrap, w.DESCRIBE_CLUSTER, 1, w.describe_cluster(1, endpoint_type=2))
    assert r["errorCode"] == UNSUPPORTED_ENDPOINT_TYPE, f"controllers: expected 115, got {r}"


def test_describe_log_dirs(server):
    t = name("ld")
    a = admin(server)
    a.create_topics([NewTopic(t, 2, 1)])[t].result(timeout=10)
    produce(server, t, 50, partition=1)
    for v in range(0, 5):
        for topics in (None, {t: [1]}):
            r = w.call(server.bootstrap, w.DESCRIBE_LOG_DIRS, v, w.describe_log_dirs(topics))
            assert len(r["results"]) == 1, f"v{v}: expected one log dir, got {r}"
            d = r["results"][0]
            assert d["errorCode"] == NONE, f"v{v}: got {d}"
            assert os.path.realpath(d["logDir"]) == os.path.realpath(server.datadir), \
                f"v{v} log dir: expected {server.datadir}, got {d['logDir']}"
            mine = {p["partitionIndex"]: p for x in d["topics"] if x["name"] == t
                    for p in x["partitions"]}
            want = [0, 1] if topics is None else [1]
            assert sorted(mine) == want, f"v{v} {topics}: expected partitions {want}, got {mine}"
            assert mine[1]["partitionSize"] > 0, f"v{v}: expected a size, got {mine[1]}"
            assert (mine[1]["offsetLag"], mine[1]["isFutureKey"]) == (0, False), f"got {mine[1]}"
            if topics is not None:
                others = [x["name"] for x in d["topics"] if x["name"] != t]
                assert others == [], f"v{v}: only {t} asked for, got {others}"
            if v >= 4:
                assert d["totalBytes"] > 0 and 0 <= d["usableBytes"] <= d["totalBytes"], \
                    f"v4 sizes: got {d['totalBytes']}, {d['usableBytes']}"
