#!/usr/bin/python3
"""Concurrent mixed load against one kgw, with a kill -9 and restart in the
middle. Every worker runs for a bounded time; at the end the driver checks:

- liveness: ApiVersions answered within 2 s throughout (except while the
  server is deliberately down);
- durability: every acks=all message acknowledged on the durable topics
  (no compaction, no retention) is there exactly once and in order;
- bounded RSS;
- the server's log has no sanitizer report and the final SIGTERM exits 0.

    KGW_BIN=/tmp/kgw-asan/gateway/kgw KGW_CODEC=build/tools/kgw-codec \
        /usr/bin/python3 tests/stress/stress.py --seconds 90

Exit code 0 when every check holds; the failures are printed otherwise.
"""

import argparse
import os
import random
import re
import socket
import struct
import sys
import threading
import time
import traceback
import uuid

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_HERE, "..", "gateway", "e2e"))

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic  # noqa: E402

import admin_wire  # noqa: E402
from kgw_harness import api_versions_request, kgw, read_frame  # noqa: E402

SERVER_SETTINGS = (
    "log.retention.check.interval.ms=200",
    "log.cleaner.backoff.ms=100",
    "producer.id.expiration.check.interval.ms=200",
    "producer.id.expiration.ms=15000",
    "connections.max.idle.ms=2000",
    "group.initial.rebalance.delay.ms=0",
    "group.min.session.timeout.ms=1000",
    "offsets.retention.minutes=1",
    "log.segment.bytes=65536",
    "num.partitions=2",
)

CODECS = ("none", "gzip", "snappy", "lz4", "zstd")
SANITIZER = re.compile(r"(ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|"
                       r"WARNING: ThreadSanitizer|ERROR: ThreadSanitizer|SUMMARY: \w+Sanitizer)")


class Run:
    def __init__(self, server, seconds, seed):
        self.k = server
        self.seconds = seconds
        self.rng = random.Random(seed)
        self.t0 = time.monotonic()
        self.stop = threading.Event()
        self.down = threading.Event()  # set while the server is deliberately down
        self.lock = threading.Lock()
        self.failures = []
        self.notes = []
        self.counts = {}
        self.rss_max = 0
        self.rss_samples = []
        # durable topic -> {(producer, partition): [(seq, offset)]}
        self.acked = {}
        self.churn_topics = []
        self.first_errors = {}

    @property
    def bootstrap(self):
        return self.k.bootstrap

    def fail(self, msg):
        with self.lock:
            self.failures.append("%.1fs %s" % (time.monotonic() - self.t0, msg))

    def count(self, key, n=1):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n

    def running(self):
        return not self.stop.is_set()

    def sleep(self, s):
        self.stop.wait(s)


def worker(fn):
    def wrapped(run, *a):
        try:
            fn(run, *a)
        except Exception:
            run.fail("worker %s crashed:\n%s" % (fn.__name__, traceback.format_exc()))
    wrapped.__name__ = fn.__name__
    return wrapped


# ---- liveness and RSS --------------------------------------------------------

def rss_anon_kib(pid):
    """Anonymous resident memory: the heap, not the page cache of mapped
    segment files, which the kernel can drop at will."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    raise RuntimeError("no RssAnon for pid %d" % pid)


@worker
def probe(run):
    misses = 0
    while run.running():
        if run.down.is_set():
            misses = 0
            run.sleep(0.2)
            continue
        t = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", run.k.port), timeout=2.0) as s:
                s.settimeout(2.0)
                s.sendall(api_versions_request(0, 7))
                read_frame(s)
            misses = 0
            run.count("probe.ok")
        except OSError as e:
            if run.down.is_set():
                continue
            misses += 1
            # One miss can be a restart racing the flag; two in a row is a hang.
            if misses >= 2:
                run.fail("liveness: ApiVersions not answered within 2 s (%s)" % e)
                misses = 0
        try:
            if not run.down.is_set() and run.k.proc.poll() is None:
                rss = rss_anon_kib(run.k.proc.pid)
                run.rss_max = max(run.rss_max, rss)
                run.rss_samples.append((time.monotonic() - run.t0, rss))
        except (OSError, RuntimeError):
            pass
        if run.k.proc.poll() is not None and not run.down.is_set():
            run.fail("server exited with %s" % run.k.proc.returncode)
            return
        run.sleep(max(0.0, 0.5 - (time.monotonic() - t)))


# ---- producers ---------------------------------------------------------------

@worker
def durable_producer(run, pid, topic, nparts):
    """Idempotent acks=all producer; every acknowledged message is recorded."""
    p = Producer({"bootstrap.servers": run.bootstrap, "acks": "all", "linger.ms": 2,
                  "batch.size": 16000, "queue.buffering.max.messages": 5000,
                  "enable.idempotence": True, "compression.type": CODECS[pid % len(CODECS)],
                  "message.timeout.ms": 60000, "reconnect.backoff.max.ms": 200})
    acked = run.acked[topic]

    def on_delivery(err, m):
        if err is None:
            seq = int(m.value().split(b"-")[1])
            with run.lock:
                acked.setdefault((pid, m.partition()), []).append((seq, m.offset()))
            run.count("durable.acked")
        else:
            run.count("durable.err")
            key = "durable error %s" % err.name()
            with run.lock:
                if key not in run.first_errors:
                    run.first_errors[key] = "%.1fs %s" % (time.monotonic() - run.t0, err)

    seq = 0
    while run.running():
        part = seq % nparts
        try:
            p.produce(topic, key=b"k%d" % seq, value=b"%d-%d" % (pid, seq), partition=part,
                      headers=[("h", b"%d" % seq)], on_delivery=on_delivery)
            seq += 1
        except BufferError:
            p.poll(0.05)
            continue
        if seq % 50 == 0:
            p.poll(0)
            run.sleep(0.005)
    left = p.flush(30)
    if left:
        run.notes.append("durable producer %d: %d unflushed at the end" % (pid, left))


@worker
def loose_producer(run, n):
    """acks 0/1/all, every codec, keys, null values, headers, onto compacted,
    retention and churned topics (which may disappear under it)."""
    while run.running():
        acks = run.rng.choice(["0", "1", "all"])
        conf = {"bootstrap.servers": run.bootstrap, "acks": acks, "linger.ms": 5,
                "compression.type": run.rng.choice(CODECS), "message.timeout.ms": 5000,
                "batch.num.messages": run.rng.choice([1, 10, 500])}
        if acks == "all" and run.rng.random() < 0.5:
            conf["enable.idempotence"] = True
        p = Producer(conf)
        until = time.monotonic() + run.rng.uniform(2, 8)
        i = 0
        while run.running() and time.monotonic() < until:
            with run.lock:
                topics = ["compact-a", "compact-b", "retention-a"] + run.churn_topics[-3:]
            topic = run.rng.choice(topics)
            key = b"key-%d" % run.rng.randrange(50) if run.rng.random() < 0.9 else None
            value = None if run.rng.random() < 0.05 else os.urandom(run.rng.choice([10, 200, 3000]))
            try:
                p.produce(topic, key=key, value=value,
                          headers=[("n", b"%d" % i)] if i % 3 == 0 else None)
                i += 1
                run.count("loose.sent")
            except BufferError:
                p.poll(0.05)
            except KafkaException:
                pass
            if i % 20 == 0:
                p.poll(0)
                run.sleep(0.01)
        p.flush(5)


# ---- consumers ---------------------------------------------------------------

@worker
def group_consumer(run, n):
    while run.running():
        c = Consumer({"bootstrap.servers": run.bootstrap, "group.id": "grp-%d" % (n % 2),
                      "enable.auto.commit": run.rng.random() < 0.5,
                      "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
                      "heartbeat.interval.ms": 500,
                      "partition.assignment.strategy": run.rng.choice(
                          ["range", "roundrobin"])})
        c.subscribe(["compact-a", "retention-a", "durable-0"])
        until = time.monotonic() + run.rng.uniform(1, 6)
        while run.running() and time.monotonic() < until:
            msgs = c.consume(200, 0.3)
            run.count("group.msgs", len(msgs))
            if msgs and run.rng.random() < 0.3:
                try:
                    c.commit(asynchronous=run.rng.random() < 0.5)
                except KafkaException:
                    pass
        # Half leave cleanly, half just vanish (session timeout).
        if run.rng.random() < 0.5:
            c.close()
        else:
            del c


@worker
def standalone_consumer(run, n):
    while run.running():
        c = Consumer({"bootstrap.servers": run.bootstrap, "group.id": "solo-%d" % n,
                      "enable.auto.commit": False, "fetch.wait.max.ms": 200})
        with run.lock:
            topics = ["compact-a", "compact-b", "retention-a", "durable-0"] + run.churn_topics[-2:]
        topic = run.rng.choice(topics)
        c.assign([TopicPartition(topic, p, 0) for p in range(2)])
        until = time.monotonic() + run.rng.uniform(1, 4)
        while run.running() and time.monotonic() < until:
            msgs = c.consume(500, 0.3)
            run.count("solo.msgs", len(msgs))
        c.close()


# ---- admin churn -------------------------------------------------------------

def wire(run, api, version, body):
    try:
        admin_wire.call(run.bootstrap, api, version, body)
        run.count("admin.%d" % api)
    except (OSError, ConnectionError, RuntimeError) as e:
        if not run.down.is_set():
            run.count("admin.err")
            if "kgw-codec" in str(e):
                run.fail("admin %d: %s" % (api, e))


@worker
def admin_churn(run):
    a = AdminClient({"bootstrap.servers": run.bootstrap})
    n = 0
    while run.running():
        n += 1
        op = run.rng.randrange(11)
        try:
            if op == 0:
                name = "churn-%d" % n
                cfg = run.rng.choice([{}, {"cleanup.policy": "compact",
                                           "min.cleanable.dirty.ratio": "0.01",
                                           "segment.bytes": "16384"},
                                      {"retention.ms": "500", "segment.bytes": "8192"},
                                      {"cleanup.policy": "compact,delete", "retention.ms": "2000",
                                       "min.cleanable.dirty.ratio": "0.01",
                                       "segment.bytes": "8192"}])
                a.create_topics([NewTopic(name, 2, 1, config=cfg)])[name].result(10)
                with run.lock:
                    run.churn_topics.append(name)
            elif op == 1:
                with run.lock:
                    victim = run.churn_topics.pop(0) if len(run.churn_topics) > 3 else None
                if victim:
                    a.delete_topics([victim])[victim].result(10)
            elif op == 2:
                with run.lock:
                    t = run.churn_topics[-1] if run.churn_topics else None
                if t:
                    md = a.list_topics(t, timeout=5).topics.get(t)
                    if md and md.partitions:
                        cur = len(md.partitions)
                        if cur < 8:
                            a.create_partitions([NewPartitions(t, cur + 1)])[t].result(10)
            elif op == 3:
                t = run.rng.choice(["compact-a", "compact-b", "retention-a"])
                cfg = {"segment.bytes": str(run.rng.choice([4096, 16384, 65536]))}
                if t == "retention-a":
                    cfg["retention.ms"] = str(run.rng.choice([200, 1000, 5000]))
                if t == "compact-b":
                    cfg["cleanup.policy"] = run.rng.choice(["compact", "compact,delete"])
                    cfg["min.cleanable.dirty.ratio"] = "0.01"
                    cfg["retention.ms"] = "5000"
                    cfg["delete.retention.ms"] = "100"
                r = ConfigResource("topic", t, set_config=cfg)
                a.alter_configs([r])[r].result(10)
            elif op == 4:
                t = run.rng.choice(["retention-a", "compact-a", "compact-b"])
                wire(run, 21, 1, admin_wire.delete_records(
                    t, {p: run.rng.choice([-1, run.rng.randrange(1000)]) for p in range(2)}))
            elif op == 5:
                wire(run, 35, run.rng.choice([1, 4]), admin_wire.describe_log_dirs(
                    None if run.rng.random() < 0.5 else {"compact-a": [0, 1, 7]}))
            elif op == 6:
                with run.lock:
                    ts = ["durable-0", "compact-a"] + run.churn_topics[-1:]
                wire(run, 61, 0, {"topics": [{"name": t, "partitionIndexes": [0, 1, 5]}
                                             for t in ts]})
            elif op == 7:
                now = int(time.time() * 1000)
                wire(run, 2, run.rng.choice([1, 7]), {
                    "replicaId": -1, "isolationLevel": 0, "topics": [
                        {"name": t, "partitions": [
                            {"partitionIndex": p, "currentLeaderEpoch": -1,
                             "timestamp": run.rng.choice([now - 3000, now - 60000, -1, -2, -3])}
                            for p in range(3)]}
                        for t in ("durable-0", "compact-a", "retention-a")]})
            elif op == 8:
                with run.lock:
                    t = run.churn_topics[-1] if run.churn_topics else "compact-b"
                wire(run, 44, 1, admin_wire.incremental_alter_configs([(2, t, [
                    ("cleanup.policy", 0, run.rng.choice(["compact", "delete", "compact,delete"])),
                    ("min.cleanable.dirty.ratio", 0, "0.01"),
                    ("segment.bytes", 0, "8192")])]))
            elif op == 9:
                a.list_groups(timeout=5)
                fs = a.describe_configs([ConfigResource("topic", "compact-a")])
                for f in fs.values():
                    f.result(10)
            else:
                # Delete a topic that is being produced to and compacted.
                with run.lock:
                    hot = [t for t in run.churn_topics[-3:]]
                if hot and run.rng.random() < 0.5:
                    victim = run.rng.choice(hot)
                    with run.lock:
                        if victim in run.churn_topics:
                            run.churn_topics.remove(victim)
                    a.delete_topics([victim])[victim].result(10)
            run.count("admin.ok")
        except KafkaException as e:
            run.count("admin.kerr")
            if "TIMED_OUT" in str(e) and not run.down.is_set():
                run.notes.append("admin op %d timed out: %s" % (op, e))
        except Exception as e:  # noqa: BLE001 (futures raise several types)
            run.count("admin.exc")
            if not run.down.is_set() and "Timed out" in str(e):
                run.notes.append("admin op %d: %s" % (op, e))
        run.sleep(run.rng.uniform(0.05, 0.3))


# ---- abusive clients ---------------------------------------------------------

def frame(api, ver, corr, body=b"", client=b"abuse"):
    hdr = struct.pack(">hhi", api, ver, corr) + struct.pack(">h", len(client)) + client
    return struct.pack(">i", len(hdr) + len(body)) + hdr + body


@worker
def abuser(run, n):
    rng = random.Random(n * 7919)
    held = []
    while run.running():
        kind = rng.randrange(7)
        try:
            s = socket.create_connection(("127.0.0.1", run.k.port), timeout=2)
            s.settimeout(2)
            if kind == 0:
                s.sendall(os.urandom(rng.randrange(1, 2000)))
            elif kind == 1:
                # Truncated: the size promises more than is sent, then close.
                f = frame(3, rng.randrange(13), 1, os.urandom(rng.randrange(0, 64)))
                s.sendall(f[:rng.randrange(1, len(f))])
            elif kind == 2:
                # A valid header with a garbage body, for every API.
                s.sendall(frame(rng.randrange(70), rng.randrange(12), 2,
                                os.urandom(rng.randrange(0, 300))))
                try:
                    s.recv(65536)
                except OSError:
                    pass
            elif kind == 3:
                # Fetches pipelined, then the connection dropped mid-request.
                body = (struct.pack(">iiii", -1, 500, 1, 1 << 20)
                        + struct.pack(">i", 1) + struct.pack(">h", 9) + b"durable-0"
                        + struct.pack(">i", 1) + struct.pack(">iqi", 0, 0, 1 << 20))
                for c in range(rng.randrange(1, 20)):
                    s.sendall(frame(1, 3, c, body))
                s.sendall(frame(1, 3, 99, body)[:10])
            elif kind == 4:
                # Never reads: many fetches of a big log, kept open a while.
                body = (struct.pack(">iiii", -1, 100, 1, 8 << 20)
                        + struct.pack(">i", 1) + struct.pack(">h", 9) + b"durable-0"
                        + struct.pack(">i", 1) + struct.pack(">iqi", 0, 0, 4 << 20))
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                try:
                    for c in range(200):
                        s.sendall(frame(1, 3, c, body))
                except OSError:
                    pass
                held.append((time.monotonic() + rng.uniform(1, 5), s))
                s = None
            elif kind == 5:
                # Huge size prefix, negative size, zero size.
                s.sendall(struct.pack(">i", rng.choice([0x7FFFFFFF, -5, 0, 1, 200 << 20])))
                s.sendall(os.urandom(32))
            else:
                # ApiVersions with an unknown version, metadata v0 for all topics.
                s.sendall(frame(18, 99, 5) + frame(3, 0, 6, struct.pack(">i", -1)))
                try:
                    s.recv(65536)
                except OSError:
                    pass
            if s is not None:
                if rng.random() < 0.5:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
            run.count("abuse.%d" % kind)
        except OSError:
            pass
        now = time.monotonic()
        keep = []
        for t, hs in held:
            if t < now:
                hs.close()
            else:
                keep.append((t, hs))
        held = keep
        run.sleep(rng.uniform(0.01, 0.1))
    for _, hs in held:
        hs.close()


# ---- kill -9 -----------------------------------------------------------------

@worker
def killer(run, at):
    run.sleep(at)
    if not run.running():
        return
    run.down.set()
    time.sleep(0.3)
    run.k.kill9()
    run.notes.append("kill -9 at %.1fs" % (time.monotonic() - run.t0))
    time.sleep(0.5)
    run.k.start()
    time.sleep(1.0)
    run.down.clear()


# ---- checks ------------------------------------------------------------------

def read_all(bootstrap, topic, nparts, timeout=60):
    """{partition: [(offset, value)]} of everything in the topic."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "check-" + uuid.uuid4().hex,
                  "enable.auto.commit": False, "enable.partition.eof": True})
    ends = {}
    for p in range(nparts):
        _lo, hi = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
        ends[p] = hi
    c.assign([TopicPartition(topic, p, 0) for p in range(nparts)])
    out = {p: [] for p in range(nparts)}
    done = {p for p in range(nparts) if ends[p] == 0}
    deadline = time.monotonic() + timeout
    while len(done) < nparts and time.monotonic() < deadline:
        for m in c.consume(5000, 1.0):
            if m.error():
                if m.error().code() == -191:  # _PARTITION_EOF
                    done.add(m.partition())
                    continue
                raise RuntimeError("check consumer: %s" % m.error())
            out[m.partition()].append((m.offset(), m.value()))
            if m.offset() + 1 >= ends[m.partition()]:
                done.add(m.partition())
    c.close()
    return out, ends


def check_durable(run, topic, nparts):
    data, ends = read_all(run.bootstrap, topic, nparts)
    seen = {}
    for part, msgs in data.items():
        prev = -1
        for off, v in msgs:
            if off <= prev:
                run.fail("%s/%d: offsets not increasing: %d after %d" % (topic, part, off, prev))
            prev = off
            seen.setdefault((part, v), []).append(off)
        if len(msgs) != ends[part]:
            run.fail("%s/%d: read %d messages, high watermark %d" %
                     (topic, part, len(msgs), ends[part]))
    total = 0
    for (pid, part), lst in run.acked[topic].items():
        last_off = -1
        last_seq = -1
        for seq, off in lst:
            total += 1
            v = b"%d-%d" % (pid, seq)
            offs = seen.get((part, v), [])
            if len(offs) != 1:
                run.fail("%s/%d: acked %s (offset %d) found %d times at %s" %
                         (topic, part, v, off, len(offs), offs[:5]))
                continue
            if offs[0] != off:
                run.fail("%s/%d: acked %s at offset %d, found at %d" % (topic, part, v, off, offs[0]))
            if seq <= last_seq or offs[0] <= last_off:
                run.fail("%s/%d: %s out of order" % (topic, part, v))
            last_off, last_seq = offs[0], seq
    # Nothing duplicated at all (idempotent producers).
    dups = [(k, o) for k, o in seen.items() if len(o) > 1]
    if dups:
        run.fail("%s: %d values stored more than once, e.g. %s" % (topic, len(dups), dups[:3]))
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=90)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kill-at", type=float, default=None, help="default: 45%% of --seconds")
    ap.add_argument("--rss-limit-mib", type=int, default=0, help="0: report only")
    ap.add_argument("--durable-producers", type=int, default=3)
    ap.add_argument("--light", action="store_true", help="fewer workers (for the test suite)")
    args = ap.parse_args()

    with kgw(*SERVER_SETTINGS, start_timeout=30, stop_timeout=60) as k:
        run = Run(k, args.seconds, args.seed)
        a = AdminClient({"bootstrap.servers": k.bootstrap})
        topics = [
            NewTopic("durable-0", 2, 1, config={"segment.bytes": "32768"}),
            NewTopic("durable-1", 1, 1),
            NewTopic("compact-a", 2, 1, config={"cleanup.policy": "compact",
                                                "min.cleanable.dirty.ratio": "0.01",
                                                "segment.bytes": "16384",
                                                "delete.retention.ms": "200"}),
            NewTopic("compact-b", 2, 1, config={"cleanup.policy": "compact,delete",
                                                "min.cleanable.dirty.ratio": "0.01",
                                                "segment.bytes": "8192", "retention.ms": "3000"}),
            NewTopic("retention-a", 2, 1, config={"retention.ms": "300",
                                                  "segment.bytes": "4096"}),
        ]
        for t, f in a.create_topics(topics).items():
            f.result(15)
        run.acked = {"durable-0": {}, "durable-1": {}}
        durable = {"durable-0": 2, "durable-1": 1}

        light = args.light
        threads = [threading.Thread(target=probe, args=(run,))]
        for i in range(args.durable_producers):
            t = "durable-%d" % (i % 2)
            threads.append(threading.Thread(target=durable_producer, args=(run, i, t, durable[t])))
        for i in range(1 if light else 3):
            threads.append(threading.Thread(target=loose_producer, args=(run, i)))
        for i in range(2 if light else 4):
            threads.append(threading.Thread(target=group_consumer, args=(run, i)))
        for i in range(1 if light else 2):
            threads.append(threading.Thread(target=standalone_consumer, args=(run, i)))
        threads.append(threading.Thread(target=admin_churn, args=(run,)))
        for i in range(1 if light else 2):
            threads.append(threading.Thread(target=abuser, args=(run, i)))
        kill_at = args.kill_at if args.kill_at is not None else args.seconds * 0.45
        if kill_at > 0:
            threads.append(threading.Thread(target=killer, args=(run, kill_at)))
        for th in threads:
            th.daemon = True
            th.start()
        run.sleep(args.seconds)
        run.stop.set()
        join_deadline = time.monotonic() + 60
        for th in threads:
            th.join(max(0.1, join_deadline - time.monotonic()))
            if th.is_alive():
                frame = sys._current_frames().get(th.ident)
                where = "".join(traceback.format_stack(frame)[-4:]) if frame else "?"
                run.fail("a worker thread did not finish (%s), at:\n%s" % (th.name, where))

        if k.proc.poll() is not None:
            run.fail("server not running at the end (exit %s)" % k.proc.returncode)
            k.start()
        acked_total = 0
        for t, n in durable.items():
            acked_total += check_durable(run, t, n)
        if acked_total == 0:
            run.fail("no acks=all message was acknowledged")
        if args.rss_limit_mib and run.rss_max > args.rss_limit_mib * 1024:
            run.fail("RSS peaked at %d MiB, limit %d MiB" % (run.rss_max // 1024,
                                                            args.rss_limit_mib))
        rc = k.stop(60)
        if rc != 0:
            run.fail("SIGTERM exit code %s" % rc)
        log = k.log()
        hits = [m.start() for m in SANITIZER.finditer(log)]
        if hits:
            run.fail("sanitizer report in the server log:\n" + log[max(0, hits[0] - 200):hits[0] + 6000])
        if os.environ.get("KGW_STRESS_LOG"):
            with open(os.environ["KGW_STRESS_LOG"], "w") as f:
                f.write(log)

        print("counts:", dict(sorted(run.counts.items())))
        print("acked acks=all messages checked: %d" % acked_total)
        print("RssAnon max %d MiB; samples (s, MiB): %s" % (
            run.rss_max // 1024,
            [(round(t), r // 1024) for t, r in run.rss_samples[::max(1, len(run.rss_samples) // 12)]]))
        for k_, v_ in sorted(run.first_errors.items()):
            print("first %s: %s" % (k_, v_))
        for n in run.notes[:20]:
            print("note:", n)
        if run.failures:
            print("FAILURES (%d):" % len(run.failures))
            for f in run.failures[:30]:
                print(" -", f)
            return 1
        print("OK")
        return 0


if __name__ == "__main__":
    sys.exit(main())
