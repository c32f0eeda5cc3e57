"""The server core: ApiVersions, framing, bad input, pipelining, backpressure,
configuration errors, cluster id persistence and shutdown."""

import os
import re
import socket
import struct
import subprocess
import time

import pytest

from kgw_harness import (api_versions_raw, api_versions_request, connection_closed,
                         encode_request, kgw, kgw_bin, parse_api_versions_response,
                         read_frame)

API_VERSIONS = 18


def assert_served(port, what):
    """A fresh connection still gets a well-formed ApiVersions answer."""
    corr, err, apis, _ = api_versions_raw(port, version=0, correlation_id=4242)
    assert (corr, err) == (4242, 0), "after %s: expected (4242, 0), got (%r, %r)" % (
        what, corr, err)
    assert API_VERSIONS in apis, "after %s: ApiVersions missing from %r" % (what, apis)


def test_api_versions_v0_to_v3_raw():
    with kgw() as k:
        for v in range(0, 4):
            corr, err, apis, throttle = api_versions_raw(k.port, version=v,
                                                         correlation_id=100 + v)
            assert corr == 100 + v, "v%d: expected correlation id %d, got %d" % (v, 100 + v, corr)
            assert err == 0, "v%d: expected error 0, got %d" % (v, err)
            assert apis.get(API_VERSIONS) == (0, 4), \
                "v%d: expected ApiVersions 0-4, got %r" % (v, apis.get(API_VERSIONS))
            for key, (lo, hi) in apis.items():
                assert 0 <= lo <= hi, "v%d: api %d has range %d-%d" % (v, key, lo, hi)
            if v >= 1:
                assert throttle == 0, "v%d: expected throttle 0, got %r" % (v, throttle)


def test_api_versions_v3_tagged_fields():
    """v3: header v0, then the body with finalized epoch -1 left at default
    (so no tagged fields are written)."""
    with kgw() as k:
        with socket.create_connection(("127.0.0.1", k.port), timeout=5) as s:
            s.sendall(api_versions_request(3, 7))
            frame = read_frame(s)
        corr, err, apis, throttle = parse_api_versions_response(frame, 3)
        assert (corr, err, throttle) == (7, 0, 0), "got %r" % ((corr, err, throttle),)
        assert frame[-1:] == b"\x00", "expected an empty tag section at the end, got %r" % (
            frame[-8:],)


def test_api_versions_with_kafka_python_classes():
    """kafka-python's own ApiVersion request/response classes (v0-v2)."""
    from kafka.protocol.admin import ApiVersionRequest, ApiVersionResponse
    from kafka.protocol.struct import Struct  # noqa: F401  (import check)
    with kgw() as k:
        for v in range(0, 3):
            req = ApiVersionRequest[v]()
            body = req.encode()
            with socket.create_connection(("127.0.0.1", k.port), timeout=5) as s:
                s.sendall(encode_request(18, v, 55, body))
                frame = read_frame(s)
            (corr,) = struct.unpack(">i", frame[:4])
            resp = ApiVersionResponse[v].decode(frame[4:])
            assert corr == 55, "expected correlation id 55, got %d" % corr
            assert resp.error_code == 0, "v%d: error %d" % (v, resp.error_code)
            keys = {a[0]: (a[1], a[2]) for a in resp.api_versions}
            assert keys.get(18) == (0, 4), "v%d: ApiVersions range %r" % (v, keys.get(18))


def test_api_versions_with_kafka_python_connection():
    """kafka-python's BrokerConnection negotiates with our ApiVersions answer."""
    from kafka.conn import BrokerConnection
    from kafka.protocol.admin import ApiVersionRequest
    with kgw() as k:
        conn = BrokerConnection("127.0.0.1", k.port, socket.AF_INET, api_version=(2, 5))
        try:
            conn.connect_blocking(timeout=5)
            assert conn.connected(), "kafka-python could not connect"
            fut = conn.send(ApiVersionRequest[2]())
            deadline = time.time() + 5
            while not fut.is_done and time.time() < deadline:
                for resp, f in conn.recv():
                    f.success(resp)
                time.sleep(0.01)
            assert fut.succeeded(), "ApiVersions via kafka-python failed: %r" % (fut.exception,)
            assert fut.value.error_code == 0, "error %d" % fut.value.error_code
            keys = {a[0] for a in fut.value.api_versions}
            assert 18 in keys, "ApiVersions missing from %r" % keys
        finally:
            conn.close()


def test_api_versions_librdkafka_parses_v3():
    """librdkafka (kcat) sends ApiVersions v3 first; its debug log shows what it
    parsed. Metadata may not be served, so only the ApiVersions part is checked."""
    with kgw() as k:
        p = subprocess.run(["kcat", "-b", k.bootstrap, "-L", "-m", "3", "-d", "protocol,feature"],
                           capture_output=True, text=True, timeout=30)
        log = p.stderr
        assert re.search(r"Received ApiVersionResponse \(v3", log), \
            "expected librdkafka to receive a v3 ApiVersions answer; log:\n" + log[-3000:]
        assert "ApiKey ApiVersion (18) Versions 0..4" in log or \
            re.search(r"ApiVersion.*\(18\).*0\.\.4", log), \
            "expected librdkafka to list ApiVersions 0..4; log:\n" + log[-3000:]
        assert "Retrying ApiVersionRequest" not in log, \
            "librdkafka had to retry ApiVersions; log:\n" + log[-3000:]


def test_api_versions_future_version_gets_v0_unsupported():
    with kgw() as k:
        with socket.create_connection(("127.0.0.1", k.port), timeout=5) as s:
            # As a newer client would send it: flexible header, v3-style body.
            s.sendall(api_versions_request(99, 31))
            frame = read_frame(s)
        corr, err, apis, _ = parse_api_versions_response(frame, 0)
        assert corr == 31, "expected correlation id 31, got %d" % corr
        assert err == 35, "expected UNSUPPORTED_VERSION (35), got %d" % err
        assert apis.get(API_VERSIONS) == (0, 4), "expected our ranges, got %r" % apis
        assert_served(k.port, "a future ApiVersions version")


def test_api_versions_v3_invalid_software_name():
    with kgw() as k:
        for name, version in (("-bad", "1.0"), ("ok", ""), ("a b", "1"), ("x", "1.0-")):
            with socket.create_connection(("127.0.0.1", k.port), timeout=5) as s:
                s.sendall(api_versions_request(3, 9, software=(name, version)))
                corr, err, apis, _ = parse_api_versions_response(read_frame(s), 3)
            assert err == 42, "name %r version %r: expected INVALID_REQUEST (42), got %d" % (
                name, version, err)
            assert apis == {}, "expected no api list with the error, got %r" % apis
        for name, version in (("librdkafka", "2.0.2"), ("a", "1"), ("confluent-kafka-python",
                                                                    "1.7.0-rdkafka-2.0.2")):
            with socket.create_connection(("127.0.0.1", k.port), timeout=5) as s:
                s.sendall(api_versions_request(3, 9, software=(name, version)))
                corr, err, apis, _ = parse_api_versions_response(read_frame(s), 3)
            assert err == 0, "name %r version %r: expected 0, got %d" % (name, version, err)


@pytest.mark.parametrize("what,payload", [
    ("garbage bytes", b"\x13\x37GARBAGE!" * 16),
    ("a 2 GiB length prefix", struct.pack(">i", 0x7FFFFFFF) + b"\x00" * 16),
    ("a negative length prefix", struct.pack(">i", -1) + b"\x00" * 16),
    ("a length below a header", struct.pack(">i", 4) + b"\x00" * 4),
    ("an unknown api key", encode_request(999, 0, 1)),
    ("a negative api key", encode_request(-1, 0, 1)),
    ("an api the server does not serve", encode_request(4, 0, 1)),  # LeaderAndIsr
    ("a truncated ApiVersions v3 body", encode_request(18, 3, 1, b"\x05ab", flexible=True)),
    ("a header cut short", struct.pack(">i", 9) + struct.pack(">hhi", 18, 1, 1) + b"\x00"),
])
def test_bad_input_closes_connection(what, payload):
    with kgw() as k:
        with socket.create_connection(("127.0.0.1", k.port), timeout=5) as s:
            s.sendall(payload)
            assert connection_closed(s), "expected the server to close the connection on " + what
        assert_served(k.port, what)
        assert k.proc.poll() is None, "server exited after " + what


def test_truncated_frame_then_close():
    with kgw() as k:
        with socket.create_connection(("127.0.0.1", k.port), timeout=5) as s:
            s.sendall(struct.pack(">i", 100) + b"\x00\x12\x00\x00" + b"\x00" * 6)
        time.sleep(0.1)
        assert_served(k.port, "a truncated frame")


def test_request_above_socket_request_max_bytes_closes():
    with kgw("socket.request.max.bytes=1000") as k:
        with socket.create_connection(("127.0.0.1", k.port), timeout=5) as s:
            s.sendall(struct.pack(">i", 1001) + b"\x00" * 100)
            assert connection_closed(s), "expected a close for a 1001-byte frame (max 1000)"
        with socket.create_connection(("127.0.0.1", k.port), timeout=5) as s:
            # 1000 bytes exactly is allowed: an ApiVersions v1 with a long client id.
            frame = encode_request(18, 1, 5, client_id="c" * (1000 - 10))
            assert len(frame) == 1004, len(frame)
            s.sendall(frame)
            corr, err, _, _ = parse_api_versions_response(read_frame(s), 1)
            assert (corr, err) == (5, 0), "expected (5, 0), got (%r, %r)" % (corr, err)


def test_pipelined_requests_answered_in_order():
    with kgw() as k:
        with socket.create_connection(("127.0.0.1", k.port), timeout=5) as s:
            versions = [i % 4 for i in range(10)]
            s.sendall(b"".join(api_versions_request(v, 1000 + i) for i, v in enumerate(versions)))
            got = []
            for i, v in enumerate(versions):
                corr, err, apis, _ = parse_api_versions_response(read_frame(s), v)
                assert err == 0, "request %d: error %d" % (i, err)
                got.append(corr)
        assert got == list(range(1000, 1010)), "expected ids 1000..1009 in order, got %r" % got


def test_client_that_never_reads_is_bounded():
    """Many requests, no reads: the server stops reading once its per-connection
    buffer cap is reached, so its RSS stays bounded."""
    with kgw() as k:
        base = k.rss_kib()
        req = api_versions_request(0, 1) * 512
        with socket.create_connection(("127.0.0.1", k.port), timeout=5) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.setblocking(False)
            sent = 0
            pending = memoryview(req)
            deadline = time.time() + 4
            while time.time() < deadline:
                try:
                    # Whole requests only: a partial send continues where it stopped.
                    n = s.send(pending)
                    sent += n
                    pending = pending[n:]
                    if not pending:
                        pending = memoryview(req)
                except BlockingIOError:
                    time.sleep(0.01)
            time.sleep(0.3)
            rss = k.rss_kib()
        n = sent // len(api_versions_request(0, 1))
        # Cap of 64 MiB pending per connection, plus start-up RSS and allocator slack.
        bound = base + 160 * 1024
        assert rss < bound, "RSS grew from %d KiB to %d KiB after %d unread requests (bound %d)" % (
            base, rss, n, bound)
        assert n > 10000, "expected to push many requests, only %d went out" % n
        assert_served(k.port, "a client that never reads")


def _rss_anon_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    raise RuntimeError("no RssAnon for pid %d" % pid)


def test_pipelined_fetches_never_read_are_bounded():
    """Hundreds of large fetches sent in one write, never read: each response
    counts against the connection's cap before it is built, and the frames
    read past the cap wait, so memory stays near the cap instead of growing
    by one response per request (gigabytes here)."""
    from confluent_kafka import Producer

    with kgw() as k:
        p = Producer({"bootstrap.servers": k.bootstrap, "linger.ms": 20})
        for i in range(8000):
            p.produce("big", value=os.urandom(1000))
            if i % 1000 == 0:
                p.poll(0)
        assert p.flush(30) == 0, "messages left unflushed"
        base = _rss_anon_kib(k.pid)
        # Fetch v3: 8 MiB max, 4 MiB from partition 0 at offset 0.
        body = (struct.pack(">iiii", -1, 100, 1, 8 << 20) + struct.pack(">i", 1)
                + struct.pack(">h", 3) + b"big" + struct.pack(">i", 1)
                + struct.pack(">iqi", 0, 0, 4 << 20))
        socks = []
        try:
            for _ in range(2):
                s = socket.create_connection(("127.0.0.1", k.port), timeout=5)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                s.sendall(b"".join(encode_request(1, 3, c, body) for c in range(300)))
                socks.append(s)
            peak = 0
            for _ in range(6):
                time.sleep(0.5)
                peak = max(peak, _rss_anon_kib(k.pid))
            assert_served(k.port, "unread pipelined fetches")
        finally:
            for s in socks:
                s.close()
        # Two connections at a 64 MiB cap each, plus allocator slack.
        bound = base + 300 * 1024
        assert peak < bound, "RssAnon grew from %d KiB to %d KiB (bound %d)" % (base, peak, bound)

        # Frames held back at the cap are answered, in order, once read.
        with socket.create_connection(("127.0.0.1", k.port), timeout=10) as s:
            s.sendall(b"".join(encode_request(1, 3, 500 + c, body) for c in range(60)))
            got = [struct.unpack(">i", read_frame(s)[:4])[0] for _ in range(60)]
        assert got == list(range(500, 560)), "expected ids 500..559 in order, got %r" % got


def test_sigterm_exits_zero_and_logs():
    with kgw() as k:
        assert_served(k.port, "start")
        with socket.create_connection(("127.0.0.1", k.port), timeout=5):
            rc = k.stop()
        assert rc == 0, "expected exit code 0 after SIGTERM, got %r; log:\n%s" % (rc, k.log())
        log = k.log()
        assert "kgw listening on 127.0.0.1:%d" % k.port in log, "no listening line in:\n" + log
        assert "shutdown complete" in log, "no shutdown line in:\n" + log


def test_quiet_at_info_level():
    with kgw() as k:
        for i in range(50):
            api_versions_raw(k.port, version=i % 4, correlation_id=i)
        assert k.stop() == 0
        lines = [l for l in k.log().splitlines() if l.strip()]
        assert len(lines) <= 4, "expected a few lines at info level, got:\n" + "\n".join(lines)


def test_cluster_id_persists_across_restart():
    with kgw() as k:
        meta = os.path.join(k.datadir, "meta.properties")
        first = open(meta).read()
        m = re.search(r"^cluster\.id=([A-Za-z0-9_-]{22})$", first, re.M)
        assert m, "expected a 22-character cluster.id in meta.properties, got:\n" + first
        assert re.search(r"^node\.id=1$", first, re.M), "node.id=1 missing:\n" + first
        assert re.search(r"^version=1$", first, re.M), "version=1 missing:\n" + first
        assert k.restart() == 0
        second = open(meta).read()
        m2 = re.search(r"^cluster\.id=(\S+)$", second, re.M)
        assert m2 and m2.group(1) == m.group(1), "cluster id changed: %s -> %s" % (
            m.group(1), m2 and m2.group(1))
        assert m.group(1) in k.log(), "cluster id not logged"


def test_kill9_and_start_again():
    with kgw() as k:
        k.kill9()
        k.start()
        assert_served(k.port, "kill -9 and restart")


def test_second_server_on_same_data_dir_refused():
    with kgw() as k:
        p = subprocess.run([kgw_bin(), "--override", "listeners=PLAINTEXT://127.0.0.1:0",
                            "--override", "log.dirs=" + k.datadir],
                           capture_output=True, text=True, timeout=20)
        assert p.returncode == 1, "expected exit 1, got %d: %s" % (p.returncode, p.stderr)
        assert "in use" in p.stderr, "expected an 'in use' message, got: " + p.stderr


@pytest.mark.parametrize("args,needle", [
    (["--override", "no.such.setting=1"], "no.such.setting"),
    (["--override", "num.partitions=abc"], "num.partitions"),
    (["--override", "num.partitions=0"], "num.partitions"),
    (["--override", "default.replication.factor=3"], "default.replication.factor"),
    (["--override", "auto.create.topics.enable=yes"], "auto.create.topics.enable"),
    (["--override", "listeners=SSL://127.0.0.1:9093"], "listeners"),
    (["--override", "listeners=PLAINTEXT://127.0.0.1:99999"], "listeners"),
    (["--override", "log.retention.ms=1.5"], "log.retention.ms"),
    (["--override", "kgw.log.level=loud"], "kgw.log.level"),
    (["--override", "justakey"], "justakey"),
    (["--bogus-flag"], "--bogus-flag"),
    (["/nonexistent/server.properties"], "/nonexistent/server.properties"),
])
def test_config_errors_exit_2(args, needle):
    p = subprocess.run([kgw_bin()] + args, capture_output=True, text=True, timeout=20)
    assert p.returncode == 2, "%r: expected exit 2, got %d (%s)" % (args, p.returncode, p.stderr)
    assert needle in p.stderr, "%r: expected %r in the message, got: %s" % (args, needle,
                                                                          p.stderr)


def test_help_and_version():
    p = subprocess.run([kgw_bin(), "--help"], capture_output=True, text=True, timeout=10)
    assert p.returncode == 0 and "--override" in p.stdout, "bad --help: %r" % (p.stdout,)
    p = subprocess.run([kgw_bin(), "--version"], capture_output=True, text=True, timeout=10)
    assert p.returncode == 0 and re.match(r"kgw \d+\.\d+\.\d+", p.stdout), \
        "bad --version: %r" % (p.stdout,)


def test_properties_file(tmp_path):
    port = None
    from kgw_harness import free_port
    port = free_port()
    props = tmp_path / "server.properties"
    props.write_text("# a comment\n! another\nlisteners = PLAINTEXT://127.0.0.1:%d\n"
                     "log.dirs: %s\nnum.partitions=3\nlog.retention.hours=24\n"
                     "process.roles=broker,controller\n" % (port, tmp_path / "data"))
    p = subprocess.Popen([kgw_bin(), str(props)], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert p.poll() is None, "kgw exited: " + p.stderr.read()
                time.sleep(0.05)
        assert_served(port, "start from a properties file")
        assert (tmp_path / "data" / "meta.properties").exists(), "log.dirs from the file not used"
    finally:
        p.terminate()
        assert p.wait(20) == 0


def test_kafka_python_check_version_and_admin_client():
    """kafka-python infers the broker version from our ApiVersions answer."""
    from kafka import KafkaAdminClient
    from kafka.conn import BrokerConnection
    with kgw() as k:
        conn = BrokerConnection("127.0.0.1", k.port, socket.AF_INET)
        try:
            conn.connect_blocking(timeout=5)
            version = conn.check_version(timeout=5)
        finally:
            conn.close()
        assert version >= (0, 10), "expected kafka-python to see at least 0.10, got %r" % (
            version,)
        admin = KafkaAdminClient(bootstrap_servers=k.bootstrap, request_timeout_ms=5000)
        try:
            assert admin.config["api_version"] == version, "admin client saw %r, conn %r" % (
                admin.config["api_version"], version)
        finally:
            admin.close()


def test_sigterm_with_a_parked_fetch_exits_promptly():
    """A long-poll Fetch waiting for data must not hold up a graceful stop."""
    with kgw() as k:
        _, _, apis, _ = api_versions_raw(k.port, 0)
        if 1 not in apis or 3 not in apis or 2 not in apis:
            pytest.skip("Fetch, ListOffsets or Metadata not served yet")
        from kafka import KafkaConsumer, TopicPartition
        from kafka.admin import KafkaAdminClient, NewTopic
        admin = KafkaAdminClient(bootstrap_servers=k.bootstrap)
        admin.create_topics([NewTopic("parked", 1, 1)])
        admin.close()
        consumer = KafkaConsumer(bootstrap_servers=k.bootstrap, fetch_max_wait_ms=30000,
                                 enable_auto_commit=False, group_id=None)
        consumer.assign([TopicPartition("parked", 0)])
        consumer.poll(timeout_ms=1500)  # the fetch is now parked on the server
        start = time.time()
        rc = k.stop()
        took = time.time() - start
        consumer.close()
        assert rc == 0, "expected exit code 0, got %r; log:\n%s" % (rc, k.log())
        assert took < 5, "shutdown took %.1f s with a parked fetch (expected < 5 s)" % took


def test_random_frames_do_not_hurt_the_server():
    """Well-framed requests with random bodies for every served api and
    version: each is answered or its connection closed; the server lives on."""
    import random
    rnd = random.Random(20261121)
    with kgw() as k:
        _, _, apis, _ = api_versions_raw(k.port, 0)
        for i in range(1500):
            key = rnd.choice(sorted(apis))
            lo, hi = apis[key]
            version = rnd.randint(lo, hi)
            body = bytes(rnd.getrandbits(8) for _ in range(rnd.choice((0, 1, 7, 40, 300))))
            frame = encode_request(key, version, i, body, flexible=rnd.random() < 0.5)
            with socket.create_connection(("127.0.0.1", k.port), timeout=5) as s:
                s.sendall(frame)
                s.settimeout(5)
                try:
                    s.recv(65536)
                except (ConnectionResetError, socket.timeout):
                    pass
            assert k.proc.poll() is None, "server died on api %d v%d body %r; log:\n%s" % (
                key, version, body, k.log()[-2000:])
        assert_served(k.port, "random frames")
        assert k.stop() == 0, "unclean exit after random frames; log:\n" + k.log()[-2000:]


# ---- connections.max.idle.ms ------------------------------------------------------------------

def test_idle_connections_are_closed():
    from data_wire import Conn, fetch_v7_body, produce_body, record_batch
    with kgw("connections.max.idle.ms=400") as k:
        quiet = socket.create_connection(("127.0.0.1", k.port))
        busy = socket.create_connection(("127.0.0.1", k.port))
        polling = Conn("127.0.0.1", k.port)
        polling.request(0, 3, produce_body("idle-t", 0, record_batch([b"x"])))
        t0 = time.monotonic()
        # A long-polling fetch is a request in flight, not idleness.
        corr = polling.send(1, 7, fetch_v7_body("idle-t", 0, 1, max_wait_ms=1500, min_bytes=1))
        for i in range(15):
            busy.sendall(api_versions_request(0, 1000 + i))
            frame = read_frame(busy)
            got = struct.unpack(">i", frame[:4])[0]
            assert got == 1000 + i, "busy connection: expected correlation id %d, got %d" % (
                1000 + i, got)
            time.sleep(0.1)
        assert connection_closed(quiet, timeout=0.1), \
            "a connection silent for 1.5 s with connections.max.idle.ms=400 is still open"
        got, _ = polling.recv()
        waited = time.monotonic() - t0
        assert got == corr, "long poll: expected correlation id %d, got %d" % (corr, got)
        assert waited >= 1.4, "long poll answered after %.2f s, expected ~1.5 s" % waited
        assert_served(k.port, "closing an idle connection")
        busy.close()
        polling.close()


def test_idle_timeout_disabled():
    with kgw("connections.max.idle.ms=-1") as k:
        quiet = socket.create_connection(("127.0.0.1", k.port))
        assert not connection_closed(quiet, timeout=1.0), \
            "connections.max.idle.ms=-1: expected an idle connection to stay open, it was closed"
        quiet.sendall(api_versions_request(0, 7))
        got = struct.unpack(">i", read_frame(quiet)[:4])[0]
        assert got == 7, "after 1 s idle: expected correlation id 7, got %d" % got
        quiet.close()
