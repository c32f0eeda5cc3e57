#!/usr/bin/python3
"""Write the seed corpora of the records fuzz harnesses from the golden
client captures (tests/runtime/records/golden) plus a few hand-made inputs.

Usage: /usr/bin/python3 make_corpus.py   (rewrites corpus/ next to it)
"""

import hashlib
import json
import os
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "..", "tests", "runtime", "records", "golden")
CODECS = {1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}


def legacy_messages(buf):
    pos = 0
    while pos + 12 <= len(buf):
        offset, size = struct.unpack_from(">qi", buf, pos)
        msg = buf[pos + 12:pos + 12 + size]
        magic, attrs = msg[4], msg[5]
        q = 6 + (8 if magic == 1 else 0)
        klen = struct.unpack_from(">i", msg, q)[0]
        q += 4 + max(klen, 0)
        vlen = struct.unpack_from(">i", msg, q)[0]
        value = msg[q + 4:q + 4 + vlen] if vlen >= 0 else None
        yield attrs & 7, value
        pos += 12 + size


def main():
    corpus = os.path.join(HERE, "corpus")
    seeds = {h: [] for h in ["batch_v2", "legacy", "gzip", "snappy", "lz4", "zstd"]}
    with open(os.path.join(GOLDEN, "manifest.json")) as f:
        manifest = json.load(f)
    for entry in manifest["files"]:
        with open(os.path.join(GOLDEN, entry["file"]), "rb") as f:
            data = f.read()
        if entry["magic"] == 2:
            seeds["batch_v2"].append(data)
            seeds["batch_v2"].append(data[:200])  # cut inside the records
            codec = struct.unpack_from(">h", data, 21)[0] & 7
            if codec:
                seeds[CODECS[codec]].append(data[61:])
        else:
            seeds["legacy"].append(data)
            for codec, value in legacy_messages(data):
                if codec and value:
                    seeds[CODECS[codec]].append(value)
    # Two batches back to back, and a lone header.
    first = open(os.path.join(GOLDEN, "librdkafka-m2-none.bin"), "rb").read()
    seeds["batch_v2"].append(first + first)
    seeds["batch_v2"].append(first[:61])
    # gzip: two members; empty input.
    seeds["gzip"].append(zlib.compress(b"x" * 1000, wbits=31) + zlib.compress(b"yz", wbits=31))
    seeds["gzip"].append(b"")
    # zstd: RLE blocks in a frame without content size (32 MiB from 1 KiB).
    bomb = b"\x28\xb5\x2f\xfd\x00\x58"
    while len(bomb) + 4 <= 1024:
        last = 1 if len(bomb) + 8 > 1024 else 0
        bh = last | (1 << 1) | (131072 << 3)
        bomb += bh.to_bytes(3, "little") + b"A"
    seeds["zstd"].append(bomb)
    # snappy: a raw block claiming 4 GiB; a snappy-java header alone.
    seeds["snappy"].append(b"\xff\xff\xff\xff\x0f" + b"\x00" * 32)
    seeds["snappy"].append(b"\x82SNAPPY\x00\x00\x00\x00\x01\x00\x00\x00\x01")
    if os.path.isdir(corpus):
        shutil.rmtree(corpus)
    for harness, inputs in seeds.items():
        d = os.path.join(corpus, harness)
        os.makedirs(d)
        for data in inputs:
            name = hashlib.sha1(data).hexdigest()
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print("%-10s %d seeds" % (harness, len(os.listdir(d))))


if __name__ == "__main__":
    main()
