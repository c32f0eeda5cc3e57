"""Consumer groups with real clients: librdkafka (range and cooperative-sticky)
and kafka-python in one group, members leaving, killed and restarted, static
membership, committed offsets across a kgw restart and kill -9."""

import os
import signal
import subprocess
import sys
import threading
import time

import confluent_kafka as ck
import pytest
from confluent_kafka.admin import AdminClient, NewTopic

import admin_wire
from kgw_harness import kgw

PARTITIONS = 6
MESSAGES = 30000
# Fast rebalances for tests: no initial delay.
SETTINGS = ("group.initial.rebalance.delay.ms=0",)


def make_topic(k, name, partitions=PARTITIONS, messages=MESSAGES):
    a = AdminClient({"bootstrap.servers": k.bootstrap})
    a.create_topics([NewTopic(name, partitions, 1)])[name].result(15)
    p = ck.Producer({"bootstrap.servers": k.bootstrap, "linger.ms": 5})
    for i in range(messages):
        p.produce(name, b"%d" % i, partition=i % partitions)
        if i % 5000 == 0:
            p.poll(0)
    assert p.flush(30) == 0, "expected every message delivered"


class Described:
    def __init__(self, g):
        self.state = g["groupState"]
        self.protocol = g["protocolData"]
        self.members = [Member_(m) for m in g["members"]]


class Member_:
    def __init__(self, m):
        self.member_id = m["memberId"]
        self.group_instance_id = m.get("groupInstanceId")
        self.client_id = m["clientId"]


def describe(k, group):
    """DescribeGroups v5 through the project's codec."""
    body = admin_wire.call(k.bootstrap, 15, 5, {"groups": [group],
                                                 "includeAuthorizedOperations": False})
    (g,) = body["groups"]
    assert g["errorCode"] == 0, "DescribeGroups %s: error %d" % (group, g["errorCode"])
    return Described(g)


def wait_for(pred, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))


class Ledger:
    """Messages seen and partition ownership, shared by the consumers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen = {}  # (partition, offset) -> count
        self.owner = {}  # partition -> consumer name
        self.violations = []
        self.assigns = {}  # name -> number of assignment callbacks

    def assign(self, name, parts):
        with self.lock:
            self.assigns[name] = self.assigns.get(name, 0) + 1
            for p in parts:
                other = self.owner.get(p.partition)
                if other is not None and other != name:
                    self.violations.append("partition %d given to %s while %s owns it"
                                           % (p.partition, name, other))
                self.owner[p.partition] = name

    def revoke(self, name, parts):
        with self.lock:
            for p in parts:
                if self.owner.get(p.partition) == name:
                    del self.owner[p.partition]

    def record(self, msgs):
        with self.lock:
            for m in msgs:
                key = (m.partition(), m.offset())
                self.seen[key] = self.seen.get(key, 0) + 1

    def total(self):
        with self.lock:
            return len(self.seen)

    def owned_by(self, name):
        with self.lock:
            return sorted(p for p, o in self.owner.items() if o == name)


class Member(threading.Thread):
    """A librdkafka consumer that commits synchronously after each batch and
    on revocation, so nothing is consumed twice."""

    def __init__(self, k, group, topic, name, ledger, strategy, extra=None, throttle=0.01):
        super().__init__(daemon=True)
        conf = {"bootstrap.servers": k.bootstrap, "group.id": group,
                "auto.offset.reset": "earliest", "enable.auto.commit": False,
                "partition.assignment.strategy": strategy, "client.id": name,
                "session.timeout.ms": 6000, "heartbeat.interval.ms": 500}
        conf.update(extra or {})
        self.c = ck.Consumer(conf)
        self.name = name
        self.ledger = ledger
        self.topic = topic
        self.throttle = throttle
        self.stop = threading.Event()
        self.errors = []

    def on_assign(self, c, parts):
        self.ledger.assign(self.name, parts)

    def on_revoke(self, c, parts):
        try:
            c.commit(asynchronous=False)
        except ck.KafkaException as e:
            if e.args[0].code() != ck.KafkaError._NO_OFFSET:
                self.errors.append("commit on revoke: %s" % e)
        self.ledger.revoke(self.name, parts)

    def run(self):
        self.c.subscribe([self.topic], on_assign=self.on_assign, on_revoke=self.on_revoke,
                         on_lost=self.on_revoke)
        while not self.stop.is_set():
            msgs = self.c.consume(200, 0.2)
            good = [m for m in msgs if not m.error()]
            if good:
                self.ledger.record(good)
                try:
                    self.c.commit(asynchronous=False)
                except ck.KafkaException as e:
                    self.errors.append("commit: %s" % e)
                time.sleep(self.throttle)
        self.c.close()


def run_group(strategy):
    topic, group = "t-" + strategy.replace("-", ""), "g-" + strategy
    ledger = Ledger()
    with kgw(*SETTINGS) as k:
        make_topic(k, topic)
        ms = [Member(k, group, topic, "m%d" % i, ledger, strategy) for i in range(3)]
        for m in ms:
            m.start()
        wait_for(lambda: all(ledger.owned_by(m.name) for m in ms)
                 and len(ledger.owner) == PARTITIONS, 30, "3 members owning all 6 partitions")
        d = describe(k, group)
        assert d.state == "Stable", "expected Stable, got %s" % d.state
        assert len(d.members) == 3, "expected 3 members, got %d" % len(d.members)
        wait_for(lambda: ledger.total() >= MESSAGES // 3, 60, "a third of the messages")
        # m2 leaves (close sends LeaveGroup): its partitions move to the others.
        gone = ledger.owned_by("m2")
        ms[2].stop.set()
        ms[2].join(30)
        wait_for(lambda: not ledger.owned_by("m2") and len(ledger.owner) == PARTITIONS,
                 30, "m2's partitions %r to move" % gone)
        wait_for(lambda: ledger.total() >= MESSAGES, 90, "all %d messages" % MESSAGES)
        d = describe(k, group)
        assert len(d.members) == 2, "expected 2 members after the leave, got %d" % len(d.members)
        for m in ms[:2]:
            m.stop.set()
        for m in ms[:2]:
            m.join(30)
        dups = {key: n for key, n in ledger.seen.items() if n != 1}
        assert not dups, "expected every message once, got duplicates %r" % list(dups.items())[:5]
        assert len(ledger.seen) == MESSAGES, "expected %d, got %d" % (MESSAGES, len(ledger.seen))
        assert not ledger.violations, "ownership overlaps: %r" % ledger.violations[:5]
        errs = [e for m in ms for e in m.errors]
        assert not errs, "consumer errors: %r" % errs[:5]
        d = describe(k, group)
        assert d.state == "Empty", "expected Empty after all left, got %s" % d.state


def test_three_consumers_range():
    run_group("range")


def test_three_consumers_cooperative_sticky():
    run_group("cooperative-sticky")


CHILD = r"""
import sys, time, confluent_kafka as ck
c = ck.Consumer({"bootstrap.servers": sys.argv[1], "group.id": sys.argv[2],
                 "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
                 "heartbeat.interval.ms": 500, "client.id": "child",
                 "enable.auto.commit": False})
c.subscribe([sys.argv[3]], on_assign=lambda c, ps: print("assigned", len(ps), flush=True))
while True:
    c.poll(0.2)
"""


def test_killed_member_partitions_move_after_session_timeout():
    topic, group = "t-kill", "g-kill"
    ledger = Ledger()
    with kgw(*SETTINGS) as k:
        make_topic(k, topic, messages=600)
        child = subprocess.Popen([sys.executable, "-c", CHILD, k.bootstrap, group, topic],
                                 stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().startswith("assigned"), "child never got partitions"
            m = Member(k, group, topic, "survivor", ledger, "range", throttle=0)
            m.start()
            wait_for(lambda: len(describe(k, group).members) == 2
                     and describe(k, group).state == "Stable", 30, "2 members")
            wait_for(lambda: ledger.owned_by("survivor"), 30, "the survivor's share")
            assert len(ledger.owned_by("survivor")) < PARTITIONS, "expected a split"
            child.send_signal(signal.SIGKILL)
            child.wait()
            t0 = time.time()
            wait_for(lambda: len(ledger.owned_by("survivor")) == PARTITIONS, 30,
                     "the killed member's partitions to move")
            took = time.time() - t0
            assert 3 <= took <= 15, "expected the move after the 6 s session timeout, took %.1f" % took
            wait_for(lambda: ledger.total() >= 600, 30, "all 600 messages")
            d = describe(k, group)
            assert len(d.members) == 1, "expected 1 member, got %d" % len(d.members)
            m.stop.set()
            m.join(30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()


def consume_once(k, group, topic, count, extra=None):
    """A new consumer in the group: returns the (partition, offset) it reads
    until it has count messages, then commits and closes."""
    conf = {"bootstrap.servers": k.bootstrap, "group.id": group,
            "auto.offset.reset": "earliest", "enable.auto.commit": False}
    conf.update(extra or {})
    c = ck.Consumer(conf)
    c.subscribe([topic])
    got = []
    deadline = time.time() + 30
    while len(got) < count and time.time() < deadline:
        for m in c.consume(min(500, count - len(got)), 0.5):
            if not m.error():
                got.append((m.partition(), m.offset()))
    c.commit(asynchronous=False)
    c.close()
    return got


def test_resume_from_committed_offsets_across_restart_and_kill9():
    topic, group = "t-resume", "g-resume"
    with kgw(*SETTINGS) as k:
        make_topic(k, topic, messages=3000)
        first = consume_once(k, group, topic, 1000)
        assert len(first) == 1000, "expected 1000, got %d" % len(first)
        second = consume_once(k, group, topic, 500)
        assert not set(first) & set(second), "re-delivered committed messages"
        k.restart()
        third = consume_once(k, group, topic, 500)
        assert not (set(first) | set(second)) & set(third), \
            "after a restart: committed messages delivered again"
        k.kill9()
        k.start()
        rest = consume_once(k, group, topic, 1000)
        seen = first + second + third + rest
        assert len(seen) == 3000 and len(set(seen)) == 3000, \
            "after kill -9: expected 3000 distinct messages, got %d (%d distinct)" % (
                len(seen), len(set(seen)))
        c = ck.Consumer({"bootstrap.servers": k.bootstrap, "group.id": group})
        committed = c.committed([ck.TopicPartition(topic, p) for p in range(PARTITIONS)], 10)
        c.close()
        assert [tp.offset for tp in committed] == [500] * PARTITIONS, \
            "expected every partition committed at 500, got %r" % [tp.offset for tp in committed]


def test_static_member_restart_no_rebalance():
    topic, group = "t-static", "g-static"
    ledger = Ledger()
    with kgw(*SETTINGS) as k:
        make_topic(k, topic, messages=60)
        static = {"group.instance.id": "inst-a", "session.timeout.ms": 10000}
        other = Member(k, group, topic, "other", ledger, "range",
                       extra={"group.instance.id": "inst-b", "session.timeout.ms": 10000})
        other.start()
        a = ck.Consumer({"bootstrap.servers": k.bootstrap, "group.id": group,
                         "auto.offset.reset": "earliest", **static})
        a.subscribe([topic])
        def settled():
            a.poll(0.05)  # a real consumer keeps polling while it joins
            d = describe(k, group)
            return len(d.members) == 2 and d.state == "Stable" \
                and len(ledger.owned_by("other")) == 3

        try:
            wait_for(settled, 30, "2 static members, 3 partitions each")
        except AssertionError as e:
            d = describe(k, group)
            raise AssertionError("%s; group %s with %d members, other owns %r" % (
                e, d.state, len(d.members), sorted(ledger.owned_by("other")))) from None
        for _ in range(10):
            a.poll(0.1)
        before = describe(k, group)
        ids_before = {m.group_instance_id: m.member_id for m in before.members}
        assigns_before = ledger.assigns.get("other")
        a.close()  # a static member sends no LeaveGroup
        d = describe(k, group)
        assert len(d.members) == 2, "expected the static member kept, got %d" % len(d.members)
        a = ck.Consumer({"bootstrap.servers": k.bootstrap, "group.id": group,
                         "auto.offset.reset": "earliest", **static})
        a.subscribe([topic])
        got = wait_for(lambda: a.assignment() or a.poll(0.2) and a.assignment(), 20,
                       "the restarted static member's assignment")
        after = describe(k, group)
        ids_after = {m.group_instance_id: m.member_id for m in after.members}
        assert after.state == "Stable", "expected Stable, got %s" % after.state
        assert sorted(ids_after) == ["inst-a", "inst-b"], "got instances %r" % sorted(ids_after)
        assert ids_after["inst-b"] == ids_before["inst-b"], "the other member was replaced"
        assert ids_after["inst-a"] != ids_before["inst-a"], "expected a new member id for inst-a"
        time.sleep(2)
        assert ledger.assigns.get("other") == assigns_before, \
            "expected no rebalance for the other member: assignments %r -> %r" % (
                assigns_before, ledger.assigns.get("other"))
        assert len(got) == 3, "expected inst-a to keep 3 partitions, got %r" % got
        a.close()
        other.stop.set()
        other.join(30)


def test_kafka_python_alongside_librdkafka():
    from kafka import KafkaConsumer
    topic, group = "t-mixed", "g-mixed"
    ledger = Ledger()
    with kgw(*SETTINGS) as k:
        make_topic(k, topic, messages=6000)
        m = Member(k, group, topic, "rdkafka", ledger, "range", throttle=0.05)
        m.start()
        kp = KafkaConsumer(topic, bootstrap_servers=k.bootstrap, group_id=group,
                           auto_offset_reset="earliest", enable_auto_commit=False,
                           session_timeout_ms=6000, heartbeat_interval_ms=500,
                           client_id="kafka-python")
        seen_kp = {}
        deadline = time.time() + 60
        while time.time() < deadline and ledger.total() + len(seen_kp) < 6000:
            for tp, recs in kp.poll(200).items():
                for r in recs:
                    seen_kp[(tp.partition, r.offset)] = seen_kp.get((tp.partition, r.offset), 0) + 1
            if seen_kp:
                kp.commit()
        kp_parts = {p for p, _ in seen_kp}
        d = describe(k, group)
        clients = sorted(x.client_id for x in d.members)
        assert clients == ["kafka-python", "rdkafka"], "expected both clients, got %r" % clients
        kp.close()
        m.stop.set()
        m.join(30)
        assert kp_parts, "kafka-python got no partitions"
        both = set(seen_kp) & set(ledger.seen)
        # A partition may change hands once when kafka-python joins; after
        # that each message is read by one of them.
        total = set(seen_kp) | set(ledger.seen)
        assert len(total) == 6000, "expected 6000 distinct messages, got %d" % len(total)
        assert len(both) < 6000 // PARTITIONS * 3, "too much overlap: %d" % len(both)


def raw_admin(k):
    from kafka.admin import KafkaAdminClient
    return KafkaAdminClient(bootstrap_servers=k.bootstrap)


def test_list_delete_groups_and_offsets():
    topic, group = "t-admin", "g-admin"
    with kgw(*SETTINGS) as k:
        make_topic(k, topic, messages=60)
        consume_once(k, group, topic, 60)
        a = raw_admin(k)
        groups = dict(a.list_consumer_groups())
        assert groups.get(group) == "consumer", "expected %s listed, got %r" % (group, groups)
        offs = a.list_consumer_group_offsets(group)
        assert sorted((tp.partition, o.offset) for tp, o in offs.items()) == \
            [(p, 10) for p in range(PARTITIONS)], "got %r" % offs
        res = a.delete_consumer_groups([group])
        assert [(g, e.errno) for g, e in res] == [(group, 0)], "expected no error, got %r" % res
        groups = dict(a.list_consumer_groups())
        assert group not in groups, "expected %s gone, got %r" % (group, groups)
        a.close()
        k.restart()
        a = raw_admin(k)
        assert group not in dict(a.list_consumer_groups()), "deleted group came back after restart"
        a.close()


def test_offsets_topic_snapshot_moves_log_start():
    """Enough commits make kgw snapshot __consumer_offsets and move its log
    start past the older records; restarts (clean and kill -9) still give the
    latest offsets, a deleted group stays deleted, and the offsets of a
    deleted topic are gone."""
    topic, gone, group, dead = "t-snap", "t-snap-gone", "g-snap", "g-snap-dead"
    parts = 100
    with kgw(*SETTINGS) as k:
        a = AdminClient({"bootstrap.servers": k.bootstrap})
        for name, n in ((topic, parts), (gone, 2)):
            a.create_topics([NewTopic(name, n, 1)])[name].result(15)
        c = ck.Consumer({"bootstrap.servers": k.bootstrap, "group.id": group})
        c.commit(offsets=[ck.TopicPartition(gone, p, 7) for p in range(2)], asynchronous=False)
        d = ck.Consumer({"bootstrap.servers": k.bootstrap, "group.id": dead})
        d.commit(offsets=[ck.TopicPartition(topic, 0, 3)], asynchronous=False)
        d.close()
        r = raw_admin(k)
        res = r.delete_consumer_groups([dead])
        assert [(g, e.errno) for g, e in res] == [(dead, 0)], "got %r" % res
        r.close()
        a.delete_topics([gone])[gone].result(15)
        # 120 commits of 100 partitions: 12,000 records, past the 10,000 that
        # trigger a snapshot.
        for i in range(1, 121):
            c.commit(offsets=[ck.TopicPartition(topic, p, i * 10 + p) for p in range(parts)],
                     asynchronous=False)

        def watermarks():
            return c.get_watermark_offsets(ck.TopicPartition("__consumer_offsets", 0), 10)

        wait_for(lambda: watermarks()[0] > 0, 10, "the log start of __consumer_offsets to move")
        low, high = watermarks()
        assert high - low < 5000, "expected about the live state kept, got %d..%d" % (low, high)
        c.close()

        def check(when):
            r = raw_admin(k)
            groups = dict(r.list_consumer_groups())
            assert dead not in groups, "%s: deleted group came back: %r" % (when, groups)
            offs = r.list_consumer_group_offsets(group)
            r.close()
            got = sorted((tp.topic, tp.partition, o.offset) for tp, o in offs.items())
            assert got == [(topic, p, 1200 + p) for p in range(parts)], \
                "%s: expected the last commit of every partition only, got %r" % (when, got[:5])

        check("before a restart")
        k.restart()
        check("after a restart")
        k.kill9()
        k.start()
        check("after kill -9")
