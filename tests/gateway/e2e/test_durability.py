"""100,000 messages produced with acks=all survive kill -9 of the server:
after a restart every one of them is read back exactly once, in order."""

import time
import uuid

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from kgw_harness import kgw

N = 100_000


def test_acks_all_survives_kill_9():
    with kgw() as k:
        check_kill_9(k)


def check_kill_9(kgw_server):
    bootstrap = kgw_server.bootstrap
    topic = "d-" + uuid.uuid4().hex[:12]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(timeout=10)
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                  "enable.idempotence": True})
    acked = []
    errors = []

    def on_delivery(err, m):
        if err:
            errors.append(err)
        else:
            acked.append(m.offset())

    for i in range(N):
        while True:
            try:
                p.produce(topic, value=b"%08d" % i, partition=0, on_delivery=on_delivery)
                break
            except BufferError:
                p.poll(0.05)
    assert p.flush(60) == 0, "messages left unflushed"
    assert errors == [], f"delivery errors: {errors[:5]}"
    assert len(acked) == N, f"acknowledged: expected {N}, got {len(acked)}"

    kgw_server.kill9()
    kgw_server.start()

    c = Consumer({"bootstrap.servers": kgw_server.bootstrap, "group.id": "g-" + uuid.uuid4().hex,
                  "enable.auto.commit": False})
    c.assign([TopicPartition(topic, 0, 0)])
    got = 0
    deadline = time.time() + 60
    try:
        while got < N and time.time() < deadline:
            for m in c.consume(10000, 1.0):
                assert m.error() is None, f"consumer error: {m.error()}"
                assert m.offset() == got, f"offset: expected {got}, got {m.offset()}"
                assert m.value() == b"%08d" % got, \
                    f"value at {got}: expected {b'%08d' % got!r}, got {m.value()!r}"
                got += 1
        extra = c.consume(10, 1.0)
    finally:
        c.close()
    assert got == N, f"read back: expected {N}, got {got}"
    assert [m for m in extra if m.error() is None] == [], "messages beyond the produced ones"
