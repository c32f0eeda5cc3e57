"""Raw admin requests at an exact protocol version, for what the installed
clients cannot send (DeleteRecords, DescribeLogDirs, DescribeCluster,
IncrementalAlterConfigs, old and new versions of every admin API). Requests
and responses are encoded and decoded by the project's own kgw-codec tool, so
the JSON uses the Kafka schema's field names."""

import json
import os
import socket
import struct
import subprocess

ZERO_UUID = "AAAAAAAAAAAAAAAAAAAAAA"


def codec_path():
    path = os.environ.get("KGW_CODEC")
    if path:
        return path
    kgw = os.environ.get("KGW_BIN") or os.environ.get("KGW")
    if kgw:
        guess = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(kgw))), "tools",
                             "kgw-codec")
        if os.path.exists(guess):
            return guess
    raise RuntimeError("set KGW_CODEC to the kgw-codec binary")


def _codec(args, data):
    p = subprocess.run([codec_path()] + args, input=data, capture_output=True, timeout=30)
    if p.returncode != 0:
        raise RuntimeError(f"kgw-codec {' '.join(args)}: {p.stderr.decode().strip()}")
    return p.stdout


def _recv_exact(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise ConnectionError(f"connection closed after {len(out)} of {n} bytes")
        out += chunk
    return out


def call(bootstrap, api_key, version, body, correlation_id=1):
    """Sends one request and returns the decoded response body (a dict)."""
    req = {"header": {"requestApiKey": api_key, "requestApiVersion": version,
                      "correlationId": correlation_id, "clientId": "kgw-admin-test"},
           "body": body}
    common = ["--api", str(api_key), "--version", str(version), "--header"]
    wire = _codec(["encode", "--kind", "request"] + common, json.dumps(req).encode())
    host, port = bootstrap.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=15) as s:
        s.sendall(struct.pack(">i", len(wire)) + wire)
        (size,) = struct.unpack(">i", _recv_exact(s, 4))
        resp = _recv_exact(s, size)
    decoded = json.loads(_codec(["decode", "--kind", "response"] + common, resp))
    got_cid = decoded["header"]["correlationId"]
    assert got_cid == correlation_id, f"correlation id: expected {correlation_id}, got {got_cid}"
    return decoded["body"]


# ---- request bodies, with exactly the fields each version has ----

METADATA, CREATE_TOPICS, DELETE_TOPICS, DELETE_RECORDS = 3, 19, 20, 21
DESCRIBE_CONFIGS, ALTER_CONFIGS, DESCRIBE_LOG_DIRS = 32, 33, 35
CREATE_PARTITIONS, INCREMENTAL_ALTER_CONFIGS, DESCRIBE_CLUSTER = 37, 44, 60


def metadata(v, names=None, ids=None, allow_auto=True, topic_ops=False, cluster_ops=False):
    if names is None and ids is None:
        topics = [] if v == 0 else None
    else:
        topics = []
        for n in names or []:
            t = {"name": n}
            if v >= 10:
                t["topicId"] = ZERO_UUID
            topics.append(t)
        for i in ids or []:
            topics.append({"topicId": i, "name": None})
    body = {"topics": topics}
    if v >= 4:
        body["allowAutoTopicCreation"] = allow_auto
    if 8 <= v <= 10:
        body["includeClusterAuthorizedOperations"] = cluster_ops
    if v >= 8:
        body["includeTopicAuthorizedOperations"] = topic_ops
    return body


def create_topics(v, topics, validate_only=False):
    """topics: [(name, partitions, replication, {config: value}, assignments)]."""
    out = []
    for name, parts, rf, configs, assignments in topics:
        out.append({"name": name, "numPartitions": parts, "replicationFactor": rf,
                    "assignments": [{"partitionIndex": p, "brokerIds": b}
                                    for p, b in (assignments or [])],
                    "configs": [{"name": k, "value": val} for k, val in (configs or {}).items()]})
    body = {"topics": out, "timeoutMs": 10000}
    if v >= 1:
        body["validateOnly"] = validate_only
    return body


def delete_topics(v, names=(), ids=()):
    if v >= 6:
        return {"topics": [{"name": n, "topicId": ZERO_UUID} for n in names]
                + [{"name": None, "topicId": i} for i in ids], "timeoutMs": 10000}
    return {"topicNames": list(names), "timeoutMs": 10000}


def delete_records(topic, offsets):
    """offsets: {partition: offset}."""
    return {"topics": [{"name": topic, "partitions": [
        {"partitionIndex": p, "offset": o} for p, o in offsets.items()]}], "timeoutMs": 10000}


def describe_configs(v, resources, synonyms=False):
    """resources: [(type, name, keys or None)]."""
    body = {"resources": [{"resourceType": t, "resourceName": n, "configurationKeys": k}
                          for t, n, k in resources]}
    if v >= 1:
        body["includeSynonyms"] = synonyms
    if v >= 3:
        body["includeDocumentation"] = False
    return body


def alter_configs(resources, validate_only=False):
    """resources: [(type, name, {config: value})]."""
    return {"resources": [{"resourceType": t, "resourceName": n,
                           "configs": [{"name": k, "value": val} for k, val in c.items()]}
                          for t, n, c in resources], "validateOnly": validate_only}


SET, DELETE, APPEND, SUBTRACT = 0, 1, 2, 3


def incremental_alter_configs(resources, validate_only=False):
    """resources: [(type, name, [(config, op, value)])]."""
    return {"resources": [{"resourceType": t, "resourceName": n,
                           "configs": [{"name": k, "configOperation": op, "value": val}
                                       for k, op, val in ops]}
                          for t, n, ops in resources], "validateOnly": validate_only}


def create_partitions(topics, validate_only=False):
    """topics: [(name, count, assignments or None)]."""
    return {"topics": [{"name": n, "count": c,
                        "assignments": None if a is None else [{"brokerIds": b} for b in a]}
                       for n, c, a in topics], "timeoutMs": 10000, "validateOnly": validate_only}


def describe_log_dirs(topics=None):
    """topics: {name: [partitions]} or None for all."""
    if topics is None:
        return {"topics": None}
    return {"topics": [{"topic": t, "partitions": p} for t, p in topics.items()]}


def describe_cluster(v, ops=False, endpoint_type=1):
    body = {"includeClusterAuthorizedOperations": ops}
    if v >= 1:
        body["endpointType"] = endpoint_type
    return body
