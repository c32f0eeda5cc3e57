"""Just enough of the Kafka wire protocol, on a raw socket, to send the exact
bytes a data-handler test needs (a Produce retried byte for byte, a Fetch
naming a session, acks=0) and read the answer."""

import socket
import struct
import time
import zlib

import pytest

from kgw_harness import kgw

_CRC32C_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC32C_TABLE.append(_c)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC32C_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _varint(n):
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _varbytes(b):
    return _varint(-1) if b is None else _varint(len(b)) + b


def record_batch(values, producer_id=-1, producer_epoch=-1, base_sequence=-1, timestamp=None):
    """An uncompressed magic-2 batch holding one record per value (null keys)."""
    ts = int(time.time() * 1000) if timestamp is None else timestamp
    recs = b""
    for i, v in enumerate(values):
        body = (b"\x00" + _varint(0) + _varint(i) + _varbytes(None) + _varbytes(v) + _varint(0))
        recs += _varint(len(body)) + body
    after_crc = struct.pack(">hiqqqhii", 0, len(values) - 1, ts, ts, producer_id,
                            producer_epoch, base_sequence, len(values)) + recs
    crc = crc32c(after_crc)
    after_len = struct.pack(">ibI", -1, 2, crc) + after_crc
    return struct.pack(">qi", 0, len(after_len)) + after_len


def string(s):
    if s is None:
        return struct.pack(">h", -1)
    b = s.encode()
    return struct.pack(">h", len(b)) + b


class Conn:
    def __init__(self, host, port, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.corr = 0

    def close(self):
        self.sock.close()

    def send(self, api_key, version, body):
        self.corr += 1
        hdr = struct.pack(">hhi", api_key, version, self.corr) + string("kgw-test")
        frame = hdr + body
        self.sock.sendall(struct.pack(">i", len(frame)) + frame)
        return self.corr

    def recv(self):
        """One response frame: (correlation id, body bytes after it)."""
        n = struct.unpack(">i", self._read(4))[0]
        data = self._read(n)
        return struct.unpack(">i", data[:4])[0], data[4:]

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("connection closed by the server")
            buf += chunk
        return buf

    def request(self, api_key, version, body):
        corr = self.send(api_key, version, body)
        got, resp = self.recv()
        assert got == corr, f"correlation id: expected {corr}, got {got}"
        return resp


def init_producer_id(conn):
    """InitProducerId v0 without a transactional id: (error, id, epoch)."""
    r = conn.request(22, 0, string(None) + struct.pack(">i", 60000))
    _throttle, err, pid, epoch = struct.unpack(">ihqh", r[:16])
    return err, pid, epoch


def produce_body(topic, partition, records, acks=-1, timeout_ms=30000):
    """Produce v3-v7 body (transactional id null)."""
    return (string(None) + struct.pack(">hi", acks, timeout_ms) + struct.pack(">i", 1)
            + string(topic) + struct.pack(">i", 1) + struct.pack(">i", partition)
            + struct.pack(">i", len(records)) + records)


def parse_produce_v7(r):
    """[(topic, partition, error, base_offset, log_append_time, log_start)]."""
    out = []
    pos = 0
    (nt,) = struct.unpack_from(">i", r, pos)
    pos += 4
    for _ in range(nt):
        (ln,) = struct.unpack_from(">h", r, pos)
        pos += 2
        name = r[pos:pos + ln].decode()
        pos += ln
        (np_,) = struct.unpack_from(">i", r, pos)
        pos += 4
        for _ in range(np_):
            idx, err, base, lat, lso = struct.unpack_from(">ihqqq", r, pos)
            pos += 30
            out.append((name, idx, err, base, lat, lso))
    return out


def fetch_v7_body(topic, partition, offset, session_id=0, session_epoch=-1, max_wait_ms=0,
                  min_bytes=0):
    return (struct.pack(">iiiibii", -1, max_wait_ms, min_bytes, 1 << 20, 0, session_id,
                        session_epoch)
            + struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1)
            + struct.pack(">iqqi", partition, offset, -1, 1 << 20) + struct.pack(">i", 0))


def parse_fetch_v7_header(r):
    """(throttle, error, session id, number of topics) of a Fetch v7 response."""
    return struct.unpack_from(">ihii", r, 0)


# ---- flexible versions (compact encodings, tagged fields) ----

def uvarint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def compact_string(s):
    if s is None:
        return b"\x00"
    b = s.encode()
    return uvarint(len(b) + 1) + b


def compact_array(items):
    return uvarint(len(items) + 1) + b"".join(items)


TAGS = b"\x00"


class Reader:
    def __init__(self, data):
        self.d = data
        self.pos = 0

    def unpack(self, fmt):
        v = struct.unpack_from(fmt, self.d, self.pos)
        self.pos += struct.calcsize(fmt)
        return v if len(v) > 1 else v[0]

    def uvarint(self):
        shift = n = 0
        while True:
            b = self.d[self.pos]
            self.pos += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return n

    def compact_string(self):
        n = self.uvarint() - 1
        if n < 0:
            return None
        s = self.d[self.pos:self.pos + n].decode()
        self.pos += n
        return s

    def string(self):
        n = self.unpack(">h")
        if n < 0:
            return None
        s = self.d[self.pos:self.pos + n].decode()
        self.pos += n
        return s

    def tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.pos += self.uvarint()


def flexible_request(conn, api_key, version, body):
    """Request header v2 (tagged fields after the client id); returns a
    Reader positioned after the response header v1's tagged fields."""
    conn.corr += 1
    hdr = struct.pack(">hhi", api_key, version, conn.corr) + string("kgw-test") + TAGS
    frame = hdr + body
    conn.sock.sendall(struct.pack(">i", len(frame)) + frame)
    got, resp = conn.recv()
    assert got == conn.corr, f"correlation id: expected {conn.corr}, got {got}"
    r = Reader(resp)
    r.tags()
    return r


# ---- pytest fixtures: one server per test module ----

@pytest.fixture(scope="module")
def kgw_server():
    with kgw() as k:
        yield k


@pytest.fixture(scope="module")
def kgw_bootstrap(kgw_server):
    return kgw_server.bootstrap


@pytest.fixture(scope="module")
def kgw_host(kgw_server):
    return "127.0.0.1"


@pytest.fixture(scope="module")
def kgw_port(kgw_server):
    return kgw_server.port


# ---- legacy (magic 0/1) message sets ----

def legacy_message(magic, offset, key, value, timestamp=None):
    ts = int(time.time() * 1000) if timestamp is None else timestamp
    body = struct.pack(">bb", magic, 0)
    if magic == 1:
        body += struct.pack(">q", ts)
    for b in (key, value):
        body += struct.pack(">i", -1) if b is None else struct.pack(">i", len(b)) + b
    msg = struct.pack(">I", zlib.crc32(body)) + body
    return struct.pack(">qi", offset, len(msg)) + msg


def records_magic(records):
    """Magic byte of the first entry of a records field (None if empty)."""
    return records[16] if len(records) > 16 else None
