#!/usr/bin/python3
"""Capture record batches and message sets made by real Kafka clients.

Runs a minimal Kafka-protocol listener on 127.0.0.1 (ApiVersions, Metadata,
Produce; nothing else) and has each client produce a known list of records
to it. The `records` field of every Produce request is saved as the client
wrote it, and manifest.json says what each file must contain. The tests in
tests/runtime/records read the files; they never run this script.

Clients (Debian packages, for /usr/bin/python3):
  librdkafka   through python3-confluent-kafka: magic 2 with every codec,
               magic 1 and 0 through broker.version.fallback (no ApiVersions)
  kafka-python python3-kafka with python3-snappy, python3-lz4,
               python3-zstandard, python3-xxhash: magic 0, 1, 2 with every
               codec it supports for each
  kafkajs      (npm, optional: --kafkajs DIR where `npm install kafkajs` ran)

Usage: /usr/bin/python3 capture.py [--out DIR] [--kafkajs DIR]
"""

import argparse
import json
import os
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import time

TOPIC = "golden"
T0 = 1700000000000


def make_records():
    """The records every client produces (dicts of bytes/None and ints)."""
    recs = [
        dict(key=b"k0", value=b"hello", ts=T0,
             headers=[("h1", b"v1"), ("empty", b""), ("null", None)]),
        dict(key=None, value=b"value without key", ts=T0 + 1, headers=[]),
        dict(key=b"", value=b"", ts=T0 + 2, headers=[("only", b"header")]),
        dict(key=b"tombstone", value=None, ts=T0 + 3, headers=[]),
        dict(key=bytes(range(256)), value=bytes(range(255, -1, -1)) * 3, ts=T0 + 4,
             headers=[("bin", bytes(range(10)))]),
        dict(key="utf8-ключ".encode(), value="значение ✓".encode(), ts=T0 - 5, headers=[]),
    ]
    words = b"kafka record batch offset timestamp partition value key header "
    for i in range(20):  # ~40 KiB: several snappy-java blocks, real compression
        body = (words * 40)[i:i + 2000]
        recs.append(dict(key=b"big-%d" % i, value=body, ts=T0 + 10 + i,
                         headers=[("i", str(i).encode())]))
    return recs


# ---- a minimal broker -------------------------------------------------------

class R:
    def __init__(self, b):
        self.b, self.p = b, 0

    def take(self, n):
        v = self.b[self.p:self.p + n]
        if len(v) != n:
            raise ValueError("short request")
        self.p += n
        return v

    def i8(self):
        return struct.unpack(">b", self.take(1))[0]

    def i16(self):
        return struct.unpack(">h", self.take(2))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def string(self):
        n = self.i16()
        return None if n < 0 else self.take(n).decode()

    def bytes_(self):
        n = self.i32()
        return None if n < 0 else self.take(n)

    def uvarint(self):
        v = s = 0
        while True:
            b = self.take(1)[0]
            v |= (b & 0x7F) << s
            s += 7
            if not b & 0x80:
                return v

    def tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())


def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def string(s):
    if s is None:
        return i16(-1)
    b = s.encode()
    return i16(len(b)) + b


def uvarint(n):
    out = b""
    while n >= 0x80:
        out += bytes([(n & 0x7F) | 0x80])
        n >>= 7
    return out + bytes([n])


# Produce up to v7 (zstd), Fetch up to v11 so that librdkafka enables magic 2
# and zstd (it checks both), FindCoordinator because librdkafka ties lz4 to
# it. Producers never call Fetch or FindCoordinator.
API_RANGES = {0: (0, 7), 1: (0, 11), 3: (0, 4), 10: (0, 2), 18: (0, 3)}
# librdkafka picks magic 1 when Produce stops at v2 and Fetch at v3.
API_RANGES_MAGIC1 = {0: (0, 2), 1: (0, 3), 3: (0, 4), 10: (0, 2), 18: (0, 3)}


class Broker:
    def __init__(self):
        self.captured = []
        self.lock = threading.Lock()
        self.next_offset = 0
        self.ranges = API_RANGES
        broker = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                try:
                    while True:
                        hdr = self.recv(4)
                        if not hdr:
                            return
                        (size,) = struct.unpack(">i", hdr)
                        resp = broker.dispatch(self.recv(size))
                        if resp is not None:
                            self.request.sendall(i32(len(resp)) + resp)
                except (ConnectionError, ValueError):
                    return

            def recv(self, n):
                buf = b""
                while len(buf) < n:
                    chunk = self.request.recv(n - len(buf))
                    if not chunk:
                        if buf:
                            raise ConnectionError("peer closed mid-request")
                        return b""
                    buf += chunk
                return buf

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def dispatch(self, data):
        r = R(data)
        key, ver, corr = r.i16(), r.i16(), r.i32()
        r.string()  # client id
        if key == 18 and ver >= 3:
            r.tags()
        if key == 18:
            body = self.api_versions(ver)
        elif key == 3:
            body = self.metadata(ver, r)
        elif key == 0:
            body = self.produce(ver, r)
            if body is None:
                return None  # acks=0
        else:
            raise ValueError("unexpected api %d v%d" % (key, ver))
        return i32(corr) + body

    def api_versions(self, ver):
        keys = sorted(self.ranges.items())
        if ver > 3:  # answered in v0 with UNSUPPORTED_VERSION, as Kafka does
            return i16(35) + i32(len(keys)) + b"".join(
                i16(k) + i16(lo) + i16(hi) for k, (lo, hi) in keys)
        if ver == 3:
            return (i16(0) + uvarint(len(keys) + 1)
                    + b"".join(i16(k) + i16(lo) + i16(hi) + uvarint(0) for k, (lo, hi) in keys)
                    + i32(0) + uvarint(0))
        out = i16(0) + i32(len(keys)) + b"".join(
            i16(k) + i16(lo) + i16(hi) for k, (lo, hi) in keys)
        return out + (i32(0) if ver >= 1 else b"")

    def metadata(self, ver, r):
        n = r.i32()
        topics = [r.string() for _ in range(max(n, 0))] or [TOPIC]
        out = i32(0) if ver >= 3 else b""
        out += i32(1) + i32(1) + string("127.0.0.1") + i32(self.port)
        if ver >= 1:
            out += i16(-1)  # rack
        if ver >= 2:
            out += string("golden-cluster")
        if ver >= 1:
            out += i32(1)  # controller
        out += i32(len(topics))
        for t in topics:
            out += i16(0) + string(t)
            if ver >= 1:
                out += b"\x00"  # is_internal
            out += i32(1) + i16(0) + i32(0) + i32(1) + i32(1) + i32(1) + i32(1) + i32(1)
        return out

    def produce(self, ver, r):
        if ver >= 3:
            r.string()  # transactional id
        acks = r.i16()
        r.i32()
        out_topics = []
        for _ in range(r.i32()):
            name = r.string()
            parts = []
            for _ in range(r.i32()):
                part = r.i32()
                records = r.bytes_()
                with self.lock:
                    self.captured.append((ver, records))
                    base = self.next_offset
                    self.next_offset += 1000
                parts.append((part, base))
            out_topics.append((name, parts))
        if acks == 0:
            return None
        out = i32(len(out_topics))
        for name, parts in out_topics:
            out += string(name) + i32(len(parts))
            for part, base in parts:
                out += i32(part) + i16(0) + i64(base)
                if ver >= 2:
                    out += i64(-1)
                if ver >= 5:
                    out += i64(0)
        if ver >= 1:
            out += i32(0)
        return out

    def take(self):
        with self.lock:
            c, self.captured = self.captured, []
        return c


# ---- clients -----------------------------------------------------------------

def run_librdkafka(port, codec, recs, fallback):
    from confluent_kafka import Producer
    conf = {
        "bootstrap.servers": "127.0.0.1:%d" % port,
        "compression.codec": codec,
        "linger.ms": 200,
        "acks": 1,
        "enable.idempotence": False,
    }
    if fallback:
        conf.update({"api.version.request": False, "broker.version.fallback": fallback})
    p = Producer(conf)
    for rec in recs:
        kw = dict(key=rec["key"], value=rec["value"], partition=0)
        if rec["ts"] != -1:
            kw["timestamp"] = rec["ts"]
        if rec["headers"]:
            kw["headers"] = rec["headers"]
        p.produce(TOPIC, **kw)
    left = p.flush(30)
    if left:
        raise RuntimeError("librdkafka did not deliver %d messages" % left)


def run_kafka_python(port, codec, recs, api_version):
    from kafka import KafkaProducer
    p = KafkaProducer(bootstrap_servers="127.0.0.1:%d" % port, api_version=api_version,
                      compression_type=None if codec == "none" else codec, linger_ms=200,
                      acks=1, batch_size=1 << 20)
    futures = []
    for rec in recs:
        kw = dict(key=rec["key"], value=rec["value"], partition=0)
        if rec["ts"] != -1:
            kw["timestamp_ms"] = rec["ts"]
        if rec["headers"]:
            kw["headers"] = rec["headers"]
        futures.append(p.send(TOPIC, **kw))
    p.flush(30)
    for f in futures:
        f.get(timeout=30)
    p.close()


KAFKAJS_PROGRAM = r"""
const { Kafka, CompressionTypes, logLevel } = require(process.argv[2] + '/node_modules/kafkajs');
const [port, codec, file] = process.argv.slice(3);
const recs = JSON.parse(require('fs').readFileSync(file));
const hex = (h) => (h === null ? null : Buffer.from(h, 'hex'));
(async () => {
  const kafka = new Kafka({ clientId: 'golden', brokers: ['127.0.0.1:' + port],
                            logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({
    topic: 'golden', acks: 1,
    compression: codec === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
    messages: recs.map((r) => ({
      partition: 0, key: hex(r.key), value: hex(r.value), timestamp: String(r.timestamp),
      headers: Object.fromEntries(r.headers.map(([k, v]) => [k, hex(v)])),
    })),
  });
  await producer.disconnect();
})().catch((e) => { console.error(e); process.exit(1); });
"""


def run_kafkajs(port, codec, recs, kafkajs_dir, tmp):
    prog = os.path.join(tmp, "kafkajs_produce.js")
    data = os.path.join(tmp, "kafkajs_records.json")
    with open(prog, "w") as f:
        f.write(KAFKAJS_PROGRAM)
    with open(data, "w") as f:
        json.dump([record_json(r) for r in recs], f)
    subprocess.run(["node", prog, kafkajs_dir, str(port), codec, data], check=True, timeout=60)


# ---- scenarios and output ------------------------------------------------------

def hexb(b):
    return None if b is None else b.hex()


def record_json(r):
    return {"key": hexb(r["key"]), "value": hexb(r["value"]), "timestamp": r["ts"],
            "headers": [[k, hexb(v)] for k, v in r["headers"]]}


def expected_for(magic, client):
    """What a client sends for the script's records in a given format."""
    out = []
    for r in make_records():
        r = dict(r)
        if magic < 2:
            r["headers"] = []  # magic 0/1 cannot carry headers
        if magic == 0:
            r["ts"] = -1  # nor timestamps
        if client in ("kafkajs", "kafka-python"):
            # neither can send a header with a null value
            r["headers"] = [(k, v) for k, v in r["headers"] if v is not None]
        out.append(r)
    return out


def scenarios(kafkajs_dir):
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"]:
        yield ("librdkafka", 2, codec, dict(fallback=None))
    # magic 1: advertise no Produce v3; magic 0: no ApiVersions at all (0.9.0)
    for magic, fallback in [(1, None), (0, "0.9.0")]:
        for codec in ["none", "gzip", "snappy", "lz4"]:
            yield ("librdkafka", magic, codec, dict(fallback=fallback))
    for magic, ver in [(0, (0, 8, 2)), (1, (0, 10, 0)), (2, (2, 1, 0))]:
        for codec in ["none", "gzip", "snappy", "lz4"] + (["zstd"] if magic == 2 else []):
            yield ("kafka-python", magic, codec, dict(api_version=ver))
    if kafkajs_dir:
        for codec in ["none", "gzip"]:
            yield ("kafkajs", 2, codec, dict(kafkajs_dir=kafkajs_dir))


def client_version(client, kafkajs_dir):
    if client == "librdkafka":
        import confluent_kafka
        return "librdkafka %s (confluent-kafka %s)" % (confluent_kafka.libversion()[0],
                                                       confluent_kafka.version()[0])
    if client == "kafka-python":
        import kafka
        return "kafka-python %s" % kafka.__version__
    with open(os.path.join(kafkajs_dir, "node_modules/kafkajs/package.json")) as f:
        return "kafkajs %s" % json.load(f)["version"]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=here)
    ap.add_argument("--kafkajs", default=None, help="directory holding node_modules/kafkajs")
    args = ap.parse_args()
    tmp = os.path.join(args.out, ".tmp")
    os.makedirs(tmp, exist_ok=True)
    broker = Broker()
    files = []
    try:
        for client, magic, codec, opts in scenarios(args.kafkajs):
            recs = expected_for(magic, client)
            broker.ranges = API_RANGES_MAGIC1 if (client, magic) == ("librdkafka", 1) else API_RANGES
            broker.take()
            if client == "librdkafka":
                run_librdkafka(broker.port, codec, recs, opts["fallback"])
            elif client == "kafka-python":
                run_kafka_python(broker.port, codec, recs, opts["api_version"])
            else:
                run_kafkajs(broker.port, codec, recs, opts["kafkajs_dir"], tmp)
            time.sleep(0.2)
            captured = broker.take()
            if not captured:
                raise RuntimeError("%s %s: nothing captured" % (client, codec))
            name = "%s-m%d-%s.bin" % (client, magic, codec)
            with open(os.path.join(args.out, name), "wb") as f:
                for _, records in captured:
                    f.write(records)
            versions = sorted({v for v, _ in captured})
            files.append({
                "file": name,
                "client": client_version(client, args.kafkajs),
                "magic": magic,
                "codec": codec,
                "produce_version": versions[-1],
                "requests": len(captured),
                "records": [record_json(r) for r in recs],
            })
            print("%-40s %d request(s), Produce v%s" % (name, len(captured), versions),
                  file=sys.stderr)
    finally:
        broker.close()
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump({"made_by": "capture.py", "topic": TOPIC, "files": files}, f, indent=1)
        f.write("\n")
    for n in os.listdir(tmp):
        os.remove(os.path.join(tmp, n))
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
