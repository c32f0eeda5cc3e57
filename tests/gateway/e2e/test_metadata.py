"""Metadata end to end: kcat, librdkafka's list_topics and kafka-python against
kgw; auto-creation on and off; every Metadata version on the wire (brokers,
cluster id, controller, topic ids, leader epochs, authorized operations,
unknown and invalid topics)."""

import json
import subprocess
import uuid

from confluent_kafka.admin import AdminClient
from kafka import KafkaAdminClient

import admin_wire as w
from kgw_harness import kgw

UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION, INVALID_REQUEST = 3, 17, 42
UNKNOWN_TOPIC_ID = 100
TOPIC_OPS, CLUSTER_OPS, OMITTED = 3576, 8096, -2147483648


def kcat_metadata(bootstrap, topic=None):
    args = ["kcat", "-b", bootstrap, "-L", "-J", "-m", "10"]
    if topic:
        args += ["-t", topic]
    p = subprocess.run(args, capture_output=True, timeout=30)
    assert p.returncode == 0, f"kcat -L: expected exit 0, got {p.returncode}: {p.stderr!r}"
    return json.loads(p.stdout)


def name():
    return "md-" + uuid.uuid4().hex[:10]


def test_kcat_lists_broker_and_auto_creates():
    with kgw("num.partitions=3") as k:
        md = kcat_metadata(k.bootstrap)
        brokers = [(b["id"], b["name"]) for b in md["brokers"]]
        assert brokers == [(1, k.bootstrap)], \
            f"brokers: expected [(1, {k.bootstrap})], got {brokers}"
        assert md["controllerid"] == 1, f"controller: expected 1, got {md['controllerid']}"
        assert md["topics"] == [], f"topics: expected none, got {md['topics']}"

        t = name()
        md = kcat_metadata(k.bootstrap, t)
        topics = {x["topic"]: x for x in md["topics"]}
        assert t in topics, f"expected {t} auto-created, got {list(topics)}"
        assert "error" not in topics[t], f"{t}: expected no error, got {topics[t].get('error')}"
        parts = topics[t]["partitions"]
        assert len(parts) == 3, f"partitions: expected 3 (num.partitions), got {len(parts)}"
        for p in parts:
            assert p["leader"] == 1, f"leader: expected 1, got {p['leader']}"
            assert [r["id"] for r in p["replicas"]] == [1], f"replicas: got {p['replicas']}"
            assert [r["id"] for r in p["isrs"]] == [1], f"isrs: got {p['isrs']}"

        # The created topic stays: listing all topics now shows it.
        listed = [x["topic"] for x in kcat_metadata(k.bootstrap)["topics"]]
        assert listed == [t], f"all topics: expected [{t}], got {listed}"


def test_confluent_list_topics_auto_creates_and_kafka_python_describes():
    with kgw() as k:
        admin = AdminClient({"bootstrap.servers": k.bootstrap})
        t = name()
        md = admin.list_topics(topic=t, timeout=10)
        assert t in md.topics, f"expected {t} in {list(md.topics)}"
        assert md.topics[t].error is None, f"{t}: expected no error, got {md.topics[t].error}"
        assert md.cluster_id, f"cluster id: expected one, got {md.cluster_id!r}"
        assert md.controller_id == 1, f"controller: expected 1, got {md.controller_id}"
        assert list(md.topics[t].partitions) == [0], \
            f"partitions: expected [0], got {list(md.topics[t].partitions)}"

        ka = KafkaAdminClient(bootstrap_servers=k.bootstrap)
        try:
            assert t in ka.list_topics(), f"kafka-python list_topics: {t} missing"
            desc = ka.describe_topics([t])
            assert desc[0]["error_code"] == 0, f"describe_topics error: got {desc[0]}"
            assert len(desc[0]["partitions"]) == 1, f"partitions: got {desc[0]['partitions']}"
            cluster = ka.describe_cluster()
            assert cluster["cluster_id"] == md.cluster_id, \
                f"cluster id: expected {md.cluster_id}, got {cluster['cluster_id']}"
        finally:
            ka.close()


def test_unknown_topic_without_auto_create():
    with kgw("auto.create.topics.enable=false") as k:
        t = name()
        md = kcat_metadata(k.bootstrap, t)
        topics = {x["topic"]: x for x in md["topics"]}
        assert t in topics, f"expected {t} reported, not dropped; got {list(topics)}"
        err = topics[t].get("error", "")
        assert "Unknown topic or partition" in err, \
            f"expected 'Unknown topic or partition', got {err!r}"
        for v in (0, 1, 4, 9, 12):
            r = w.call(k.bootstrap, w.METADATA, v, w.metadata(v, names=[t]))
            got = [(x["name"], x["errorCode"]) for x in r["topics"]]
            assert got == [(t, UNKNOWN_TOPIC_OR_PARTITION)], \
                f"v{v}: expected [({t}, 3)], got {got}"
        assert kcat_metadata(k.bootstrap)["topics"] == [], "the topic must not have been created"


def test_every_metadata_version_on_the_wire():
    with kgw() as k:
        known = name()
        w.call(k.bootstrap, w.CREATE_TOPICS, 7, w.create_topics(7, [(known, 2, 1, {}, None)]))
        ids = {}
        for v in range(0, 13):
            missing = name()
            body = w.metadata(v, names=[known, missing, "bad name!"], allow_auto=False,
                              topic_ops=True, cluster_ops=True)
            r = w.call(k.bootstrap, w.METADATA, v, body, correlation_id=100 + v)
            b = r["brokers"]
            assert [(x["nodeId"], x["host"], x["port"]) for x in b] == [(1, "127.0.0.1", k.port)], \
                f"v{v} brokers: got {b}"
            if v >= 1:
                assert r["controllerId"] == 1, \
                    f"v{v} controller: expected 1, got {r['controllerId']}"
            if v >= 2:
                assert r["clusterId"], f"v{v} cluster id: expected one, got {r['clusterId']!r}"
            if 8 <= v <= 10:
                assert r["clusterAuthorizedOperations"] == CLUSTER_OPS, \
                    f"v{v} cluster ops: expected {CLUSTER_OPS}, " \
                    f"got {r['clusterAuthorizedOperations']}"
            topics = {x["name"]: x for x in r["topics"]}
            assert topics[known]["errorCode"] == 0, f"v{v} {known}: got {topics[known]}"
            parts = topics[known]["partitions"]
            assert [p["partitionIndex"] for p in parts] == [0, 1], f"v{v} partitions: got {parts}"
            for p in parts:
                assert (p["leaderId"], p["replicaNodes"], p["isrNodes"]) == (1, [1], [1]), \
                    f"v{v} partition: got {p}"
                if v >= 7:
                    assert p["leaderEpoch"] == 0, f"v{v} leader epoch: got {p['leaderEpoch']}"
            if v >= 8:
                assert topics[known]["topicAuthorizedOperations"] == TOPIC_OPS, \
                    f"v{v} topic ops: expected {TOPIC_OPS}, got {topics[known]}"
            if v >= 10:
                ids[v] = topics[known]["topicId"]
                assert ids[v] != w.ZERO_UUID, f"v{v}: expected a topic id, got {ids[v]}"
            if v == 0:
                # v0 has no way to refuse auto-creation: Kafka creates the topic.
                assert topics[missing]["errorCode"] == 0, f"v0 {missing}: got {topics[missing]}"
            elif v >= 4:
                assert topics[missing]["errorCode"] == UNKNOWN_TOPIC_OR_PARTITION, \
                    f"v{v} {missing}: expected 3, got {topics[missing]}"
            assert topics["bad name!"]["errorCode"] == INVALID_TOPIC_EXCEPTION, \
                f"v{v} invalid name: expected 17, got {topics['bad name!']}"
        assert len(set(ids.values())) == 1, f"topic id must be stable, got {ids}"

        # Without asking, authorized operations stay at Kafka's "omitted" value.
        r = w.call(k.bootstrap, w.METADATA, 12, w.metadata(12, names=[known]))
        assert r["topics"][0]["topicAuthorizedOperations"] == OMITTED, \
            f"topic ops not requested: expected {OMITTED}, got {r['topics'][0]}"

        # v12 by topic id: known id resolves to the name, unknown id is reported.
        unknown_id = "AAAAAAAAAAAAAAAAAAAAAQ"
        r = w.call(k.bootstrap, w.METADATA, 12, w.metadata(12, ids=[ids[12], unknown_id]))
        got = [(x["name"], x["topicId"], x["errorCode"]) for x in r["topics"]]
        assert got == [(known, ids[12], 0), (None, unknown_id, UNKNOWN_TOPIC_ID)], \
            f"by id: expected [({known}, id, 0), (None, unknown, 100)], got {got}"

        # v1+: an empty list asks for no topics; a null list for all of them.
        r = w.call(k.bootstrap, w.METADATA, 1, {"topics": []})
        assert r["topics"] == [], f"v1 empty list: expected no topics, got {r['topics']}"
        r = w.call(k.bootstrap, w.METADATA, 1, {"topics": None})
        assert known in [x["name"] for x in r["topics"]], f"v1 null list: got {r['topics']}"
