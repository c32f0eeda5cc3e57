"""Several log dirs end to end (log.dirs=A,B): every dir gets meta.properties
with the cluster id, each new partition goes to the dir holding the fewest
partitions (the earlier dir on a tie), data is produced and consumed,
DescribeLogDirs reports each dir with the partitions it holds, and after a
restart every partition is found where it is and read back."""

import contextlib
import os
import re
import shutil
import tempfile
import time
import uuid

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic

import admin_wire as w
from kgw_harness import kgw

PER_PARTITION = 25
PARTITION_DIR = re.compile(r"^(.+)-(\d+)$")


@contextlib.contextmanager
def two_dir_server():
    """A kgw on log.dirs=<tmp>/a,<tmp>/b; yields (server, [a, b])."""
    root = tempfile.mkdtemp(prefix="kgw-e2e-logdirs-")
    dirs = [os.path.realpath(os.path.join(root, d)) for d in ("a", "b")]
    try:
        with contextlib.ExitStack() as stack:
            k = stack.enter_context(kgw("log.dirs=" + ",".join(dirs)))
            yield k, dirs
    finally:
        shutil.rmtree(root, ignore_errors=True)


def partitions_on_disk(d):
    """{(topic, partition)} of the partition directories in log dir d."""
    out = set()
    for name in os.listdir(d):
        m = PARTITION_DIR.match(name)
        if m and os.path.isdir(os.path.join(d, name)):
            out.add((m.group(1), int(m.group(2))))
    return out


def layout(dirs):
    return [partitions_on_disk(d) for d in dirs]


def place(dirs, topic, partitions):
    """Where kgw must put new partitions of topic, from what is on disk now:
    each in the dir holding the fewest, the earlier dir on a tie."""
    load = [len(x) for x in layout(dirs)]
    want = {}
    for p in partitions:
        i = load.index(min(load))
        want[(topic, p)] = dirs[i]
        load[i] += 1
    return want


def check_placement(dirs, want):
    got = layout(dirs)
    for tp, d in sorted(want.items()):
        holders = [dirs[i] for i in range(len(dirs)) if tp in got[i]]
        assert holders == [d], f"{tp[0]}-{tp[1]}: expected in {d}, found in {holders}"


def produce(k, topic, partitions):
    p = Producer({"bootstrap.servers": k.bootstrap, "acks": "all", "linger.ms": 5})
    errors = []
    for part in partitions:
        for i in range(PER_PARTITION):
            p.produce(topic, key=b"k%d" % part, value=b"%s-%d-%d" % (topic.encode(), part, i),
                      partition=part,
                      on_delivery=lambda err, m: errors.append(err) if err else None)
    assert p.flush(30) == 0, "messages left unflushed"
    assert errors == [], f"delivery errors: {errors[:5]}"


def consume_all(k, topic, partitions):
    """{partition: [values]} read from offset 0 up to PER_PARTITION each."""
    c = Consumer({"bootstrap.servers": k.bootstrap, "group.id": "ld-" + uuid.uuid4().hex,
                  "enable.auto.commit": False})
    c.assign([TopicPartition(topic, p, 0) for p in partitions])
    got = {p: [] for p in partitions}
    deadline = time.time() + 30
    try:
        while sum(map(len, got.values())) < PER_PARTITION * len(partitions) \
                and time.time() < deadline:
            for m in c.consume(1000, 0.5):
                assert m.error() is None, f"consumer error: {m.error()}"
                got[m.partition()].append(m.value())
    finally:
        c.close()
    return got


def check_data(k, topic, partitions):
    got = consume_all(k, topic, partitions)
    for p in partitions:
        want = [b"%s-%d-%d" % (topic.encode(), p, i) for i in range(PER_PARTITION)]
        assert got[p] == want, f"{topic}-{p}: expected {len(want)} values {want[:2]}..., " \
                               f"got {len(got[p])}: {got[p][:2]}..."


def check_describe_log_dirs(k, dirs, topic, partitions):
    """Every version: one result per dir, in log.dirs order, each with the
    partitions of topic its directory holds; a per-partition filter keeps
    every dir but only the partitions asked for."""
    on_disk = layout(dirs)
    for v in range(0, 5):
        for asked in (None, {topic: [partitions[0]]}):
            r = w.call(k.bootstrap, w.DESCRIBE_LOG_DIRS, v, w.describe_log_dirs(asked))
            got_dirs = [x["logDir"] for x in r["results"]]
            assert got_dirs == dirs, f"v{v} {asked}: expected log dirs {dirs}, got {got_dirs}"
            for i, res in enumerate(r["results"]):
                assert res["errorCode"] == 0, f"v{v} {dirs[i]}: got {res}"
                mine = {p["partitionIndex"]: p for t in res["topics"] if t["name"] == topic
                        for p in t["partitions"]}
                held = sorted(p for t, p in on_disk[i] if t == topic)
                want = held if asked is None else [p for p in held if p == partitions[0]]
                assert sorted(mine) == want, \
                    f"v{v} {asked} {dirs[i]}: expected partitions {want}, got {sorted(mine)}"
                for p, e in mine.items():
                    assert e["partitionSize"] > 0, f"v{v} {dirs[i]} {topic}-{p}: got {e}"
                if asked is not None:
                    others = [t["name"] for t in res["topics"] if t["name"] != topic]
                    assert others == [], f"v{v}: only {topic} asked for, got {others}"
                if v >= 4:
                    assert res["totalBytes"] > 0 and 0 <= res["usableBytes"] <= res["totalBytes"],\
                        f"v4 {dirs[i]} sizes: got {res['totalBytes']}, {res['usableBytes']}"


def cluster_ids(dirs):
    out = []
    for d in dirs:
        with open(os.path.join(d, "meta.properties")) as f:
            ids = [line.strip().split("=", 1)[1] for line in f if line.startswith("cluster.id=")]
        out.append(ids[0] if ids else None)
    return out


def test_two_log_dirs():
    with two_dir_server() as (k, dirs):
        a, b = dirs
        admin = AdminClient({"bootstrap.servers": k.bootstrap})
        cid = admin.list_topics(timeout=10).cluster_id
        assert cluster_ids(dirs) == [cid, cid], \
            f"meta.properties cluster.id: expected {cid} in both dirs, got {cluster_ids(dirs)}"

        topic = "ld-" + uuid.uuid4().hex[:8]
        parts = [0, 1, 2, 3]
        want = place(dirs, topic, parts)
        admin.create_topics([NewTopic(topic, 4, 1)])[topic].result(timeout=10)
        check_placement(dirs, want)
        split = [sum(1 for tp in want if want[tp] == d) for d in dirs]
        assert split == [2, 2], f"{topic}: expected 2 partitions per dir, got {split}"
        assert os.path.isdir(os.path.join(a, "__kgw_topics")) and \
            not os.path.exists(os.path.join(b, "__kgw_topics")), \
            f"topic metadata: expected in the first dir {a} only, got {os.listdir(b)} in {b}"

        produce(k, topic, parts)
        check_data(k, topic, parts)
        check_describe_log_dirs(k, dirs, topic, parts)

        assert k.restart() == 0, "graceful stop: expected exit code 0"
        check_placement(dirs, want)
        check_data(k, topic, parts)
        check_describe_log_dirs(k, dirs, topic, parts)

        # Growing the topic places the new partitions by the same rule.
        want.update(place(dirs, topic, [4, 5, 6]))
        admin = AdminClient({"bootstrap.servers": k.bootstrap})
        admin.create_partitions([NewPartitions(topic, 7)])[topic].result(timeout=10)
        check_placement(dirs, want)

        # Deleting removes the partition directories from both dirs.
        admin.delete_topics([topic])[topic].result(timeout=10)
        deadline = time.time() + 10
        left = None
        while time.time() < deadline:
            left = [sorted(n for n in os.listdir(d) if n.startswith(topic)) for d in dirs]
            if left == [[], []]:
                break
            time.sleep(0.1)
        assert left == [[], []], f"after delete: expected no {topic} directories, got {left}"
        assert k.stop() == 0, "graceful stop: expected exit code 0"


def test_partition_in_both_dirs_refused():
    with two_dir_server() as (k, dirs):
        topic = "twice-" + uuid.uuid4().hex[:8]
        admin = AdminClient({"bootstrap.servers": k.bootstrap})
        admin.create_topics([NewTopic(topic, 2, 1)])[topic].result(timeout=10)
        assert k.stop() == 0, "graceful stop: expected exit code 0"
        holder = [d for d in dirs if (topic, 0) in partitions_on_disk(d)]
        assert len(holder) == 1, f"{topic}-0: expected in one dir, found in {holder}"
        other = [d for d in dirs if d != holder[0]][0]
        shutil.copytree(os.path.join(holder[0], f"{topic}-0"), os.path.join(other, f"{topic}-0"))
        with pytest.raises(RuntimeError) as e:
            k.start()
        msg = str(e.value)
        for d in dirs:
            assert os.path.join(d, f"{topic}-0") in msg, \
                f"start-up error: expected {d}/{topic}-0 named, got:\n{msg}"
