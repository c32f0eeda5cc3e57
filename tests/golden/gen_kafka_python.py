#!/usr/bin/python3
"""Generate golden wire vectors with kafka-python's protocol classes.

For every Request/Response Struct that kafka-python (kafka.protocol.*) defines,
build an instance filled with seeded pseudo-random values and write the
encoded BODY (no request/response header, no size prefix) to
vectors/kafka-python/<snake_api_name>_v<V>_<request|response>.bin.

vectors/kafka-python/index.json lists every vector with a few field values
("checks") named after the Apache Kafka JSON message schema, using paths such as
"topics[0].partitions[1].partitionIndex".  kafka-python's Schemas are
positional; they are mapped onto the spec's non-tagged fields present in that
version, in declaration order.  Where the field count or a field's type does
not line up, the vector is still written but carries no checks.

Usage: /usr/bin/python3 gen_kafka_python.py [SPEC_DIR]
(SPEC_DIR defaults to $KGW_KAFKA_SPEC_DIR or /work/shared/kafka-spec/3.9.0)
"""

import importlib
import inspect
import json
import os
import pkgutil
import random
import re
import shutil
import sys

import kafka
import kafka.protocol
from kafka.protocol.api import Request, Response
from kafka.protocol.types import (Array, Boolean, Bytes, Int8, Int16, Int32,
                                  Int64, Schema, String)
from kafka.record.memory_records import MemoryRecordsBuilder

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = "kafka-python"
OUT_DIR = os.path.join(HERE, "vectors", SOURCE)
DEFAULT_SPEC_DIR = "/work/shared/kafka-spec/3.9.0"
SEED = 0x6B6777  # "kgw"
MAX_CHECKS = 8

NOTES = []


def note(msg):
    NOTES.append(msg)


# --------------------------------------------------------------------------
# Kafka JSON message schemas
# --------------------------------------------------------------------------

def strip_json_comments(text):
    """Remove // and /* */ comments outside of string literals."""
    out = []
    i, n = 0, len(text)
    in_str = False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
            i += 1
        elif c == '"':
            in_str = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise ValueError("unterminated /* comment")
            i = j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_versions(s):
    """'N' | 'N-M' | 'N+' | 'none' -> (lo, hi) with hi=None meaning open."""
    s = (s or "none").strip()
    if s == "none":
        return None
    if s.endswith("+"):
        return (int(s[:-1]), None)
    if "-" in s:
        lo, hi = s.split("-", 1)
        return (int(lo), int(hi))
    return (int(s), int(s))


def in_versions(s, v):
    r = parse_versions(s)
    if r is None:
        return False
    lo, hi = r
    return v >= lo and (hi is None or v <= hi)


def load_spec(spec_dir):
    msgs = {}
    for fn in sorted(os.listdir(spec_dir)):
        if not fn.endswith(".json"):
            continue
        with open(os.path.join(spec_dir, fn), encoding="utf-8") as f:
            d = json.loads(strip_json_comments(f.read()))
        if d.get("type") not in ("request", "response") or "apiKey" not in d:
            continue
        d["_common"] = {s["name"]: s for s in d.get("commonStructs", [])}
        msgs[(d["apiKey"], d["type"])] = d
    return msgs


PRIMS = {"int8", "int16", "int32", "int64", "uint16", "uint32", "float64",
         "bool", "string", "bytes", "records", "uuid"}


def lower_camel(name):
    return name[:1].lower() + name[1:]


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def present_fields(fields, v):
    return [f for f in fields
            if in_versions(f.get("versions"), v) and "tag" not in f]


def struct_fields_of(field, msg):
    """Subfields of a struct (or struct-array) field, or None for primitives."""
    t = field["type"]
    elem = t[2:] if t.startswith("[]") else t
    if elem in PRIMS:
        return None
    if "fields" in field:
        return field["fields"]
    if elem in msg["_common"]:
        return msg["_common"][elem]["fields"]
    raise KeyError("unknown struct type %s" % elem)


# --------------------------------------------------------------------------
# Mapping kafka-python Schemas onto spec fields
# --------------------------------------------------------------------------

class Mismatch(Exception):
    pass


KP_FOR_PRIM = {"int8": Int8, "int16": Int16, "int32": Int32, "int64": Int64,
               "bool": Boolean, "bytes": Bytes, "records": Bytes}


def kp_prim_ok(kp_type, spec_prim):
    """Whether a kafka-python primitive type writes the spec primitive's wire
    form.  Returns the kind of value to generate, or None."""
    if spec_prim == "string":
        # kafka-python sometimes uses the bare String class (see encodable()).
        if isinstance(kp_type, String) or kp_type is String:
            return "string"
        return None
    if spec_prim == "int8" and kp_type is Boolean:
        # One byte either way; values are generated as 0/1.
        return "bool-as-int8"
    if KP_FOR_PRIM.get(spec_prim) is not None and kp_type is KP_FOR_PRIM[spec_prim]:
        return spec_prim
    return None


# A mapping node produces exactly one kafka-python value:
#   ("prim",   spec_field, gen_kind)
#   ("array",  spec_field, elem)      elem: ("prim", None, kind) for a
#                                     primitive array, ("struct", nodes) or
#                                     ("wrap", inner_node) for a spec struct
#                                     whose single field kafka-python writes
#                                     bare (same bytes: a struct is just the
#                                     concatenation of its fields)
#   ("struct", spec_field, nodes)     spec struct (non-array)
#   ("inline", nodes)                 kafka-python groups consecutive spec
#                                     fields in a nested Schema; same bytes

def build_mapping(schema, fields, msg, v, where):
    spec = present_fields(fields, v)
    nodes, pos = match_seq(schema, spec, 0, msg, v, where)
    if pos != len(spec):
        raise Mismatch("%s: kafka-python has %d fields %s, spec v%d has %d %s" % (
            where or "<top>", len(schema.fields), list(schema.names), v,
            len(spec), [f["name"] for f in spec]))
    return nodes


def match_seq(schema, spec, pos, msg, v, where):
    if pos == 0 and not any(isinstance(t, Schema) for t in schema.fields) \
            and len(schema.fields) != len(spec):
        raise Mismatch("%s: kafka-python has %d fields %s, spec v%d has %d %s" % (
            where or "<top>", len(schema.fields), list(schema.names), v,
            len(spec), [f["name"] for f in spec]))
    nodes = []
    for kp_name, kp_type in zip(schema.names, schema.fields):
        if pos >= len(spec):
            raise Mismatch("%s: kafka-python has %d fields %s, spec v%d has %d %s" % (
                where or "<top>", len(schema.fields), list(schema.names), v,
                len(spec), [f["name"] for f in spec]))
        f = spec[pos]
        if isinstance(kp_type, Schema) and struct_fields_of(f, msg) is None:
            sub, pos = match_seq(kp_type, spec, pos, msg, v, where)
            nodes.append(("inline", sub))
            continue
        nodes.append(match_one(kp_name, kp_type, f, msg, v, where))
        pos += 1
    return nodes, pos


def match_one(kp_name, kp_type, f, msg, v, where):
    path = (where + "." if where else "") + lower_camel(f["name"])
    t = f["type"]
    sub = struct_fields_of(f, msg)
    if t.startswith("[]"):
        if not isinstance(kp_type, Array):
            raise Mismatch("%s: spec %s but kafka-python %s is %r" % (path, t, kp_name, kp_type))
        elem = kp_type.array_of
        if sub is None:
            kind = kp_prim_ok(elem, t[2:])
            if kind is None:
                raise Mismatch("%s: spec %s vs kafka-python Array(%r)" % (path, t, elem))
            return ("array", f, ("prim", None, kind))
        if isinstance(elem, Schema):
            return ("array", f, ("struct", build_mapping(elem, sub, msg, v, path + "[]")))
        inner = present_fields(sub, v)
        if len(inner) != 1:
            raise Mismatch("%s: spec struct array with %d fields vs kafka-python Array(%r)"
                           % (path, len(inner), elem))
        return ("array", f, ("wrap", match_one(kp_name, elem, inner[0], msg, v, path + "[]")))
    if sub is not None:
        if not isinstance(kp_type, Schema):
            raise Mismatch("%s: spec struct %s vs kafka-python %r" % (path, t, kp_type))
        return ("struct", f, build_mapping(kp_type, sub, msg, v, path))
    kind = kp_prim_ok(kp_type, t)
    if kind is None:
        raise Mismatch("%s: spec %s vs kafka-python %s %r" % (path, t, kp_name, kp_type))
    return ("prim", f, kind)


def mapping_notes(nodes, label, where=""):
    """Report wire-compatible but differently-shaped/typed fields."""
    for n in nodes:
        if n[0] == "inline":
            mapping_notes(n[1], label, where)
            continue
        path = (where + "." if where else "") + lower_camel(n[1]["name"])
        if n[0] == "prim" and n[2] == "bool-as-int8":
            note("%s: %s is int8 in the spec but a Boolean in kafka-python "
                 "(same single byte; values 0/1)" % (label, path))
        elif n[0] == "struct":
            mapping_notes(n[2], label, path)
        elif n[0] == "array":
            e = n[2]
            if e[0] == "struct":
                mapping_notes(e[1], label, path + "[]")
            elif e[0] == "wrap":
                mapping_notes([e[1]], label, path + "[]")


# --------------------------------------------------------------------------
# Value generation
# --------------------------------------------------------------------------

WORDS = ["orders", "payments", "clicks", "audit-log", "metrics", "inventory",
         "user.events", "billing_v2", "tx-coord", "consumer-grp", "rack-a",
         "broker.example.org", "PLAIN", "SCRAM-SHA-512", "cleanup.policy",
         "retention.ms", "compact", "range", "roundrobin", "sticky"]
UNI = ["\u00e9t\u00e9", "\u65e5\u672c", "\u00fcber", "\u0436\u0443\u0440\u043d\u0430\u043b", "caf\u00e9\u2615"]

INT_BITS = {Int8: 8, Int16: 16, Int32: 32, Int64: 64}


class Gen:
    def __init__(self, rng):
        self.rng = rng

    def int_(self, bits):
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        r = self.rng.random()
        if r < 0.15:
            return self.rng.choice([lo, hi, -1, 0])
        if r < 0.40:
            return -self.rng.randint(1, min(hi, 100000))
        if r < 0.65:
            return self.rng.randint(0, min(hi, 1000))
        return self.rng.randint(lo, hi)

    def string(self):
        r = self.rng.random()
        if r < 0.15:
            return self.rng.choice(UNI) + "-" + str(self.rng.randint(0, 99))
        s = self.rng.choice(WORDS)
        if r < 0.6:
            s += "-" + str(self.rng.randint(0, 9999))
        return s

    def bytes_(self):
        return bytes(self.rng.randrange(256) for _ in range(self.rng.randint(1, 12)))

    def records(self, magic):
        b = MemoryRecordsBuilder(magic=magic, compression_type=0, batch_size=1 << 20)
        ts = 1700000000000 + self.rng.randint(0, 10 ** 9)
        for i in range(self.rng.randint(1, 3)):
            key = None if i == 0 else ("k%d" % i).encode()
            headers = [("h%d" % i, b"v")] if magic >= 2 and i else []
            b.append(timestamp=ts + i, key=key, value=self.bytes_(), headers=headers)
        b.close()
        return b.buffer()

    def array_len(self):
        return self.rng.randint(2, 3)


def records_magic(api_key, v):
    """Message format a client of that API version would use."""
    if api_key == 0:  # Produce
        return 0 if v <= 1 else 1 if v == 2 else 2
    if api_key == 1:  # Fetch
        return 0 if v <= 1 else 1 if v <= 3 else 2
    return 2


def encodable(kp_type):
    """False if kafka-python cannot encode a value of this type: a few of its
    Schemas use the bare String class instead of String('utf-8'), whose
    encode() then fails.  Arrays of such elements can only be sent empty."""
    if kp_type is String:
        return False
    if isinstance(kp_type, Schema):
        return all(encodable(t) for t in kp_type.fields)
    if isinstance(kp_type, Array):
        return encodable(kp_type.array_of)
    return True


class Ctx:
    def __init__(self, g, api_key, v, label):
        self.g, self.api_key, self.v, self.label = g, api_key, v, label
        self.leaves = []  # (path, value, depth)

    def leaf(self, path, value, depth):
        self.leaves.append((path, value, depth))


def gen_nodes(c, nodes, kp_types, path, depth):
    vals = []
    for n, kp_type in zip(nodes, kp_types):
        vals.append(gen_node(c, n, kp_type, path, depth))
    return tuple(vals)


def gen_node(c, n, kp_type, path, depth):
    g = c.g
    if n[0] == "inline":
        return gen_nodes(c, n[1], kp_type.fields, path, depth)
    f = n[1]
    p = (path + "." if path else "") + lower_camel(f["name"])
    nullable = in_versions(f.get("nullableVersions"), c.v)
    if n[0] == "prim":
        return gen_leaf(c, n[2], f["type"], nullable, p, depth)
    if n[0] == "struct":
        return gen_nodes(c, n[2], kp_type.fields, p, depth + 1)
    # array
    if nullable and g.rng.random() < 0.25:
        c.leaf(p, None, depth)
        return None
    elem_kp = kp_type.array_of
    if not encodable(elem_kp):
        note("%s: kafka-python cannot encode elements of %s (bare String type "
             "in its Schema); emitted as an empty array" % (c.label, p))
        return []
    e = n[2]
    items = []
    for i in range(g.array_len()):
        ip = "%s[%d]" % (p, i)
        if e[0] == "struct":
            items.append(gen_nodes(c, e[1], elem_kp.fields, ip, depth + 1))
        elif e[0] == "wrap":
            items.append(gen_node(c, e[1], elem_kp, ip, depth + 1))
        else:
            items.append(gen_leaf(c, e[2], f["type"][2:], False, ip, depth + 1))
    return items


def gen_leaf(c, kind, spec_type, nullable, path, depth):
    val = gen_prim(c, kind, spec_type, nullable)
    if spec_type not in ("bytes", "records", "uuid"):
        c.leaf(path, int(val) if kind == "bool-as-int8" else val, depth)
    return val


def gen_prim(c, kind, t, nullable):
    g = c.g
    if t in ("string", "bytes", "records") and nullable and \
            g.rng.random() < (0.35 if t == "string" else 0.2):
        return None
    if kind == "bool-as-int8":
        return g.rng.random() < 0.5
    if t in ("int8", "int16", "int32", "int64"):
        return g.int_(int(t[3:]))
    if t == "bool":
        return g.rng.random() < 0.5
    if t == "string":
        return g.string()
    if t == "bytes":
        return g.bytes_()
    if t == "records":
        return g.records(records_magic(c.api_key, c.v))
    raise ValueError("no generator for spec type %s" % t)


def gen_unmapped(g, schema):
    """Values for a kafka-python Schema without spec guidance (no nulls)."""
    return tuple(gen_kp(g, t) for t in schema.fields)


def gen_kp(g, t):
    if isinstance(t, Schema):
        return gen_unmapped(g, t)
    if isinstance(t, Array):
        if not encodable(t.array_of):
            return []
        return [gen_kp(g, t.array_of) for _ in range(g.array_len())]
    if isinstance(t, String):
        return g.string()
    if t in INT_BITS:
        return g.int_(INT_BITS[t])
    if t is Boolean:
        return g.rng.random() < 0.5
    if t is Bytes:
        return g.bytes_()
    raise ValueError("no generator for kafka-python type %r" % t)


def pick_checks(rng, items):
    if len(items) <= MAX_CHECKS:
        chosen = list(range(len(items)))
    else:
        idx = list(range(len(items)))
        nulls = [i for i in idx if items[i][1] is None][:2]
        maxd = max(it[2] for it in items)
        deep = [i for i in idx if items[i][2] == maxd and i not in nulls]
        top = [i for i in idx if items[i][2] == 0 and i not in nulls]
        chosen = list(nulls)
        if deep:
            chosen.append(rng.choice(deep))
        for i in rng.sample(top, min(2, len(top))):
            if i not in chosen:
                chosen.append(i)
        rest = [i for i in idx if i not in chosen]
        chosen += rng.sample(rest, MAX_CHECKS - len(chosen))
        chosen.sort()
    return {items[i][0]: items[i][1] for i in chosen}


# --------------------------------------------------------------------------
# kafka-python class discovery
# --------------------------------------------------------------------------

CLASS_RE = re.compile(r"^(\w+?)_v(\d+)$")


def discover():
    found = {}
    for mi in pkgutil.iter_modules(kafka.protocol.__path__):
        mod = importlib.import_module("kafka.protocol." + mi.name)
        for name, obj in vars(mod).items():
            if not inspect.isclass(obj) or obj in (Request, Response):
                continue
            if not issubclass(obj, (Request, Response)):
                continue
            if obj.__module__ != mod.__name__:
                continue
            m = CLASS_RE.match(name)
            if not m:
                note("skipping %s.%s: name has no _v<N> suffix" % (mod.__name__, name))
                continue
            found[(mod.__name__, name)] = (obj, int(m.group(2)))
    return [found[k] for k in sorted(found)]


# --------------------------------------------------------------------------

def main():
    spec_dir = (sys.argv[1] if len(sys.argv) > 1
                else os.environ.get("KGW_KAFKA_SPEC_DIR", DEFAULT_SPEC_DIR))
    spec = load_spec(spec_dir)

    classes = discover()
    entries = []
    jobs = []
    for cls, v in classes:
        kind = "request" if issubclass(cls, Request) else "response"
        if cls.API_VERSION != v:
            note("%s.%s: class name says v%d but API_VERSION = %d; emitted as v%d"
                 % (cls.__module__, cls.__name__, v, cls.API_VERSION, v))
        jobs.append((cls.API_KEY, v, kind, cls))
    jobs.sort(key=lambda j: (j[0], j[1], j[2]))

    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    os.makedirs(OUT_DIR)

    seen = set()
    for api_key, v, kind, cls in jobs:
        msg = spec.get((api_key, kind))
        if msg is None:
            note("%s: no spec message for apiKey %d %s; skipped" % (cls.__name__, api_key, kind))
            continue
        api = msg["name"][:-len("Request")] if kind == "request" else msg["name"][:-len("Response")]
        fname = "%s_v%d_%s.bin" % (snake(api), v, kind)
        if fname in seen:
            note("%s: duplicate %s; skipped" % (cls.__name__, fname))
            continue
        seen.add(fname)

        label = "%s (%s v%d %s)" % (cls.__name__, api, v, kind)
        # Independent RNG stream per vector so vectors do not shift each other.
        rng = random.Random("%d:%s:%d:%s" % (SEED, kind, api_key, v))
        g = Gen(rng)
        c = Ctx(g, api_key, v, label)

        mapping = None
        if not in_versions(msg.get("validVersions"), v):
            note("%s: v%d outside spec validVersions %s; no checks"
                 % (label, v, msg.get("validVersions")))
        else:
            if in_versions(msg.get("flexibleVersions"), v):
                note("%s: spec marks v%d flexible (%s) but kafka-python encodes classic "
                     "(non-compact, no tagged fields); expect a mismatch"
                     % (label, v, msg.get("flexibleVersions")))
            try:
                mapping = build_mapping(cls.SCHEMA, msg["fields"], msg, v, "")
                mapping_notes(mapping, label)
            except Mismatch as e:
                note("%s: field mapping mismatch, no checks: %s" % (label, e))

        if mapping is not None:
            values = gen_nodes(c, mapping, cls.SCHEMA.fields, "", 0)
        else:
            values = gen_unmapped(g, cls.SCHEMA)

        obj = cls(*values)
        body = obj.encode()
        # Round-trip through kafka-python's own decoder as a sanity check.
        back = cls.decode(body)
        if back.encode() != body:
            raise SystemExit("%s: kafka-python decode/encode round trip differs" % label)

        with open(os.path.join(OUT_DIR, fname), "wb") as f:
            f.write(body)
        checks = pick_checks(rng, c.leaves) if mapping is not None else {}
        entries.append({"file": fname, "apiKey": api_key, "apiVersion": v,
                        "kind": kind, "checks": checks})

    with open(os.path.join(OUT_DIR, "index.json"), "w", encoding="utf-8") as f:
        json.dump(entries, f, indent=1, ensure_ascii=False)
        f.write("\n")

    nreq = sum(1 for e in entries if e["kind"] == "request")
    print("kafka-python %s: wrote %d vectors (%d requests, %d responses) to %s"
          % (kafka.__version__, len(entries), nreq, len(entries) - nreq,
             os.path.relpath(OUT_DIR)))
    for n in NOTES:
        print("note: " + n)


if __name__ == "__main__":
    main()
