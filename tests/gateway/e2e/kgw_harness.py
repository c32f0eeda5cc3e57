"""Start and stop a kgw server for end-to-end tests.

    from kgw_harness import kgw

    with kgw() as k:                   # or: with kgw() as (port, datadir, proc):
        k.bootstrap                    # "127.0.0.1:<port>"
        k.restart()                    # SIGTERM, wait, start again (same port and data)
        k.kill9()                      # SIGKILL, no cleanup; k.start() brings it back
        assert k.stop() == 0           # SIGTERM; the exit code

The server listens on 127.0.0.1 on a free port with a fresh temporary data
directory, both removed when the block ends (set KGW_KEEP_TMP=1 to keep them).
The binary comes from $KGW_BIN (meson sets it). Its stderr goes to a log file;
k.log() returns it and failures to start include it.

Raw-protocol helpers (encode_request, read_frame, api_versions_raw, ...) are here
too, for tests that need exact bytes.
"""

import contextlib
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.abspath(os.path.join(_HERE, "..", "..", ".."))


def kgw_bin():
    path = os.environ.get("KGW_BIN")
    if path:
        return path
    for build in ("build-net", "build"):
        candidate = os.path.join(_ROOT, build, "gateway", "kgw")
        if os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("set KGW_BIN to the kgw executable (meson test sets it)")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Kgw:
    """One kgw server process on a fixed port and data directory."""

    def __init__(self, port, datadir, tmproot, overrides=(), start_timeout=15.0):
        self.port = port
        self.datadir = datadir
        self.tmproot = tmproot
        self.overrides = list(overrides)
        self.start_timeout = start_timeout
        self.proc = None
        self.log_path = os.path.join(tmproot, "kgw.log")

    # (port, datadir, process), so "with kgw() as (port, datadir, proc)" works.
    def __iter__(self):
        return iter((self.port, self.datadir, self.proc))

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.port

    @property
    def pid(self):
        return self.proc.pid

    def args(self):
        args = [kgw_bin(),
                "--override", "listeners=PLAINTEXT://127.0.0.1:%d" % self.port,
                "--override", "log.dirs=%s" % self.datadir]
        for o in self.overrides:
            args += ["--override", o]
        return args

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def start(self):
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("kgw is already running (pid %d)" % self.proc.pid)
        logf = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(self.args(), stdin=subprocess.DEVNULL,
                                         stdout=logf, stderr=logf)
        finally:
            logf.close()
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("kgw exited with %d during start-up; log:\n%s"
                                   % (self.proc.returncode, self.log()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.02)
        self.kill9()
        raise RuntimeError("kgw did not accept connections on port %d within %.0f s; log:\n%s"
                           % (self.port, self.start_timeout, self.log()))

    def stop(self, timeout=30.0):
        """SIGTERM, then SIGKILL after timeout seconds. Returns the exit code
        (negative: killed by that signal)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode if self.proc else None

    def restart(self, timeout=30.0):
        """Graceful stop then start again on the same port and data directory.
        Returns the exit code of the stopped process."""
        rc = self.stop(timeout)
        self.start()
        return rc

    def rss_kib(self):
        """VmRSS of the running server, in KiB."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS for pid %d" % self.proc.pid)

    def cpu_seconds(self):
        """User + system CPU time the server has used, in seconds."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks


@contextlib.contextmanager
def kgw(*overrides, start_timeout=15.0, stop_timeout=30.0):
    """A running kgw; extra settings as "key=value" strings."""
    tmproot = tempfile.mkdtemp(prefix="kgw-e2e-")
    datadir = os.path.join(tmproot, "data")
    server = None
    try:
        # A free port can be taken between probing and binding; try again then.
        for attempt in range(5):
            server = Kgw(free_port(), datadir, tmproot, overrides, start_timeout)
            try:
                server.start()
                break
            except RuntimeError as e:
                if "address already in use" in str(e).lower() and attempt < 4:
                    continue
                raise
        yield server
    finally:
        if server is not None:
            server.stop(stop_timeout)
        if os.environ.get("KGW_KEEP_TMP"):
            print("kgw data kept in", tmproot)
        else:
            shutil.rmtree(tmproot, ignore_errors=True)


def restart(server, timeout=30.0):
    return server.restart(timeout)


def kill9(server):
    return server.kill9()


# ---- raw protocol helpers ----------------------------------------------------

def _uvarint(n):
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
    return _uvarint(len(b) + 1) + b


def encode_request(api_key, api_version, correlation_id, body=b"", client_id="kgw-e2e",
                   flexible=False):
    """A whole frame (size prefix included). flexible selects request header v2
    (with its empty tag section) over v1."""
    cid = client_id.encode() if client_id is not None else None
    header = struct.pack(">hhi", api_key, api_version, correlation_id)
    header += struct.pack(">h", -1) if cid is None else struct.pack(">h", len(cid)) + cid
    if flexible:
        header += b"\x00"
    payload = header + body
    return struct.pack(">i", len(payload)) + payload


def api_versions_request(version, correlation_id, software=("kgw-e2e", "1.0")):
    if version >= 3:
        body = compact_string(software[0]) + compact_string(software[1]) + b"\x00"
        return encode_request(18, version, correlation_id, body, flexible=True)
    return encode_request(18, version, correlation_id)


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return bytes(buf)


def read_frame(sock):
    """One response frame without its size prefix; EOFError if the server closed."""
    (size,) = struct.unpack(">i", recv_exact(sock, 4))
    return recv_exact(sock, size)


def connection_closed(sock, timeout=5.0):
    """True if the server closes the connection (EOF or reset) within timeout."""
    sock.settimeout(timeout)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def _read_uvarint(buf, pos):
    shift = value = 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7


def parse_api_versions_response(frame, version):
    """(correlation_id, error_code, {api_key: (min, max)}, throttle_ms) from a
    response frame (header v0 always, as for every ApiVersions response)."""
    (corr, error) = struct.unpack_from(">ih", frame, 0)
    pos = 6
    if version >= 3:
        n, pos = _read_uvarint(frame, pos)
        n -= 1
    else:
        (n,) = struct.unpack_from(">i", frame, pos)
        pos += 4
    apis = {}
    for _ in range(max(n, 0)):
        key, lo, hi = struct.unpack_from(">hhh", frame, pos)
        pos += 6
        if version >= 3:
            tags, pos = _read_uvarint(frame, pos)
            assert tags == 0, "unexpected tagged fields in ApiVersion entry"
        apis[key] = (lo, hi)
    throttle = None
    if version >= 1:
        (throttle,) = struct.unpack_from(">i", frame, pos)
        pos += 4
    return corr, error, apis, throttle


def api_versions_raw(port, version=0, correlation_id=1, timeout=5.0):
    """Sends one ApiVersions request on a new connection; returns the parse."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(api_versions_request(version, correlation_id))
        return parse_api_versions_response(read_frame(s), version)
