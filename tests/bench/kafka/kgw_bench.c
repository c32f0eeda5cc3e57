/* Kafka benchmark client built on librdkafka: produce throughput, consume throughput and
 * produce->ack / produce->consume latency at a fixed rate. Prints one line per run.
 *
 * Throughput counts payload (value) bytes only; MB is 1,048,576 bytes, as Kafka's
 * producer-perf-test reports it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#define MIB (1024.0 * 1024.0)
/* Latency payloads carry a sequence number and the send time. */
#define STAMP_BYTES 16

enum mode { MODE_PRODUCE, MODE_CONSUME, MODE_LATENCY };

struct opts {
    enum mode mode;
    const char *bootstrap;
    const char *topic;
    const char *label;
    const char *acks;
    const char *compression;
    size_t size;
    long long count;
    int partitions;
    int linger_ms;
    int batch_size;
    int batch_msgs;
    int queue_msgs;
    int rate;
    int duration_s;
    int warmup_s;
    int fetch_bytes;
    int fetch_wait_ms;
    long long pass_msgs;
    int poll_batch;
    /* Extra librdkafka properties, "key=value", applied last to every client. */
    const char *extra_conf[16];
    int extra_conf_cnt;
    bool create_topic;
};

static const char *mode_name(enum mode m) {
    return m == MODE_PRODUCE ? "produce" : m == MODE_CONSUME ? "consume" : "latency";
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what, const char *detail) {
    fprintf(stderr, "kgw_bench: %s: %s\n", what, detail);
    exit(1);
}

static void conf_set(rd_kafka_conf_t *conf, const char *k, const char *v) {
    char errstr[512];
    if (rd_kafka_conf_set(conf, k, v, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
        die(k, errstr);
}

static void conf_set_int(rd_kafka_conf_t *conf, const char *k, long long v) {
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", v);
    conf_set(conf, k, buf);
}

static void conf_set_extra(rd_kafka_conf_t *conf, const struct opts *o) {
    for (int i = 0; i < o->extra_conf_cnt; i++) {
        char kv[512];
        snprintf(kv, sizeof(kv), "%s", o->extra_conf[i]);
        char *eq = strchr(kv, '=');
        if (!eq)
            die("--conf", "expected key=value");
        *eq = '\0';
        conf_set(conf, kv, eq + 1);
    }
}

static void print_prefix(const struct opts *o) {
    if (o->label)
        printf("target=%s ", o->label);
    printf("mode=%s bootstrap=%s topic=%s", mode_name(o->mode), o->bootstrap, o->topic);
    if (o->mode != MODE_CONSUME)
        printf(" size=%zu", o->size);
}

/* Counters filled by the delivery-report callback. */
struct dr_state {
    atomic_llong ok;
    atomic_llong failed;
    atomic_int first_err;
    /* Latency mode only: ack latency per sequence number, -1 until acknowledged. */
    int64_t *ack_ns;
    long long n;
};

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    struct dr_state *st = opaque;
    if (m->err) {
        if (atomic_fetch_add(&st->failed, 1) == 0)
            atomic_store(&st->first_err, (int)m->err);
        return;
    }
    atomic_fetch_add(&st->ok, 1);
    if (st->ack_ns && m->len >= STAMP_BYTES) {
        uint64_t seq;
        int64_t sent;
        memcpy(&seq, m->payload, 8);
        memcpy(&sent, (const char *)m->payload + 8, 8);
        if (seq < (uint64_t)st->n)
            st->ack_ns[seq] = now_ns() - sent;
    }
}

static rd_kafka_t *new_producer(const struct opts *o, struct dr_state *st) {
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    conf_set(conf, "bootstrap.servers", o->bootstrap);
    conf_set(conf, "acks", o->acks);
    conf_set(conf, "compression.codec", o->compression);
    conf_set_int(conf, "linger.ms", o->linger_ms);
    conf_set_int(conf, "batch.size", o->batch_size);
    conf_set_int(conf, "batch.num.messages", o->batch_msgs);
    conf_set_int(conf, "queue.buffering.max.messages", o->queue_msgs);
    conf_set(conf, "queue.buffering.max.kbytes", "2097151");
    conf_set_extra(conf, o);
    conf_set(conf, "log_level", "4");
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_opaque(conf, st);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (!rk)
        die("producer", errstr);
    return rk;
}

static rd_kafka_t *new_consumer(const struct opts *o) {
    char errstr[512];
    char group[128];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    conf_set(conf, "bootstrap.servers", o->bootstrap);
    /* assign() needs a group handle in librdkafka, but with explicit offsets and no commits the
     * coordinator is never needed for fetching; a unique name keeps runs independent. */
    snprintf(group, sizeof(group), "kgw-bench-%lld-%d", (long long)now_ns(), rand());
    conf_set(conf, "group.id", group);
    conf_set(conf, "enable.auto.commit", "false");
    conf_set(conf, "enable.auto.offset.store", "false");
    conf_set(conf, "enable.partition.eof", "false");
    conf_set_int(conf, "max.partition.fetch.bytes", o->fetch_bytes);
    conf_set_int(conf, "fetch.wait.max.ms", o->fetch_wait_ms);
    conf_set(conf, "log_level", "3");
    conf_set_extra(conf, o);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (!rk)
        die("consumer", errstr);
    return rk;
}

/* Returns the partition count of the topic, or 0 if the broker does not know it. Asks for all
 * topics so that a broker with auto-create enabled does not create it as a side effect. */
static int topic_partitions(rd_kafka_t *rk, const char *topic) {
    const struct rd_kafka_metadata *md;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, 10000);
    if (err)
        die("metadata", rd_kafka_err2str(err));
    int n = 0;
    for (int i = 0; i < md->topic_cnt; i++) {
        if (strcmp(md->topics[i].topic, topic) == 0 && !md->topics[i].err) {
            n = md->topics[i].partition_cnt;
            for (int p = 0; p < md->topics[i].partition_cnt; p++)
                if (md->topics[i].partitions[p].leader < 0)
                    n = 0;
        }
    }
    rd_kafka_metadata_destroy(md);
    return n;
}

static int ensure_topic(rd_kafka_t *rk, const struct opts *o) {
    int n = topic_partitions(rk, o->topic);
    if (n > 0 || !o->create_topic)
        return n;

    char errstr[512];
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(o->topic, o->partitions, 1, errstr, sizeof(errstr));
    if (!nt)
        die("NewTopic", errstr);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 15000);
    if (!ev)
        die("CreateTopics", "timed out");
    if (rd_kafka_event_error(ev))
        die("CreateTopics", rd_kafka_event_error_string(ev));
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    size_t cnt;
    const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &cnt);
    for (size_t i = 0; i < cnt; i++) {
        rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
        if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            die("CreateTopics", rd_kafka_err2str(e));
    }
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);

    /* Creation is acknowledged before every partition necessarily has a leader in metadata. */
    int64_t deadline = now_ns() + 10 * 1000000000LL;
    while ((n = topic_partitions(rk, o->topic)) == 0 && now_ns() < deadline) {
        struct timespec ts = {0, 50 * 1000000};
        nanosleep(&ts, NULL);
    }
    return n;
}

static void fill_payload(char *buf, size_t size) {
    for (size_t i = 0; i < size; i++)
        buf[i] = (char)('A' + rand() % 26);
}

static int run_produce(const struct opts *o) {
    struct dr_state st = {0};
    rd_kafka_t *rk = new_producer(o, &st);
    int parts = ensure_topic(rk, o);
    if (parts <= 0)
        die("topic", "does not exist and could not be created");
    if (parts < o->partitions)
        die("topic", "has fewer partitions than requested");
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);

    char *payload = malloc(o->size ? o->size : 1);
    fill_payload(payload, o->size);

    int64_t t0 = now_ns();
    for (long long i = 0; i < o->count; i++) {
        int32_t part = (int32_t)(i % o->partitions);
        /* No copy flag: every message points at the same immutable buffer. */
        while (rd_kafka_produce(rkt, part, 0, payload, o->size, NULL, 0, NULL) == -1) {
            rd_kafka_resp_err_t err = rd_kafka_last_error();
            if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                die("produce", rd_kafka_err2str(err));
            rd_kafka_poll(rk, 1);
        }
        if ((i & 1023) == 0)
            rd_kafka_poll(rk, 0);
    }
    while (rd_kafka_outq_len(rk) > 0)
        rd_kafka_flush(rk, 1000);
    int64_t t1 = now_ns();

    double secs = (double)(t1 - t0) / 1e9;
    long long ok = atomic_load(&st.ok);
    long long failed = atomic_load(&st.failed);
    print_prefix(o);
    printf(" count=%lld acks=%s compression=%s partitions=%d linger_ms=%d batch_size=%d"
           " batch_msgs=%d elapsed_s=%.3f msgs_per_s=%.0f MB_per_s=%.1f errors=%lld",
           o->count, o->acks, o->compression, o->partitions, o->linger_ms, o->batch_size,
           o->batch_msgs, secs, (double)ok / secs, (double)ok * (double)o->size / MIB / secs,
           failed);
    if (failed)
        printf(" first_error=\"%s\"", rd_kafka_err2str(atomic_load(&st.first_err)));
    printf("\n");
    fflush(stdout);

    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    free(payload);
    return failed ? 1 : 0;
}

static rd_kafka_topic_partition_list_t *partition_list(int parts, const char *topic,
                                                       const int64_t *offsets) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts);
    for (int p = 0; p < parts; p++)
        rd_kafka_topic_partition_list_add(l, topic, p)->offset =
            offsets ? offsets[p] : RD_KAFKA_OFFSET_BEGINNING;
    return l;
}

static int run_consume(const struct opts *o) {
    rd_kafka_t *rk = new_consumer(o);
    int parts = topic_partitions(rk, o->topic);
    if (parts <= 0)
        die("topic", "does not exist");

    /* Re-reads start from explicit offsets: an OFFSET_BEGINNING reset costs a ListOffsets
     * round trip and librdkafka's reset back-off on every pass. */
    int64_t *starts = NULL;
    if (o->pass_msgs) {
        starts = malloc(sizeof(int64_t) * (size_t)parts);
        for (int p = 0; p < parts; p++) {
            int64_t hi;
            rd_kafka_resp_err_t e =
                rd_kafka_query_watermark_offsets(rk, o->topic, p, &starts[p], &hi, 10000);
            if (e)
                die("watermarks", rd_kafka_err2str(e));
        }
    }
    rd_kafka_topic_partition_list_t *l = partition_list(parts, o->topic, starts);
    int64_t t0 = now_ns();
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, l);
    if (err)
        die("assign", rd_kafka_err2str(err));
    rd_kafka_topic_partition_list_destroy(l);

    /* --poll-batch 1 is the usual one-message rd_kafka_consumer_poll() loop; larger values take
     * up to that many messages per call from the consumer queue, as high-rate applications do. */
    rd_kafka_queue_t *q = o->poll_batch > 1 ? rd_kafka_queue_get_consumer(rk) : NULL;
    rd_kafka_message_t **batch = calloc((size_t)o->poll_batch, sizeof(*batch));
    long long got = 0, bytes = 0, errors = 0, passes = 1;
    int64_t t_last = t0, last_progress = t0;
    while (got < o->count) {
        if (o->pass_msgs && got >= passes * o->pass_msgs) {
            /* Re-assigning drops what was prefetched from the old position. */
            l = partition_list(parts, o->topic, starts);
            err = rd_kafka_assign(rk, l);
            if (err)
                die("assign", rd_kafka_err2str(err));
            rd_kafka_topic_partition_list_destroy(l);
            passes++;
        }
        long long want = o->count - got;
        if (o->pass_msgs && passes * o->pass_msgs - got < want)
            want = passes * o->pass_msgs - got;
        ssize_t n;
        if (q) {
            n = rd_kafka_consume_batch_queue(
                q, 200, batch, want < o->poll_batch ? (size_t)want : (size_t)o->poll_batch);
        } else {
            batch[0] = rd_kafka_consumer_poll(rk, 200);
            n = batch[0] ? 1 : 0;
        }
        /* One clock read per call, not per message: at millions of messages a second the
         * clock itself shows up in the profile. */
        int64_t t = now_ns();
        if (n <= 0) {
            if (t - last_progress > 30 * 1000000000LL)
                break;
            continue;
        }
        for (ssize_t i = 0; i < n; i++) {
            rd_kafka_message_t *m = batch[i];
            if (m->err) {
                if (errors++ == 0)
                    fprintf(stderr, "kgw_bench: consume: %s\n", rd_kafka_message_errstr(m));
            } else {
                got++;
                bytes += (long long)m->len;
                t_last = last_progress = t;
            }
            rd_kafka_message_destroy(m);
        }
    }
    free(batch);
    if (q)
        rd_kafka_queue_destroy(q);

    free(starts);
    double secs = (double)(t_last - t0) / 1e9;
    print_prefix(o);
    printf(" count=%lld partitions=%d fetch_bytes=%d fetch_wait_ms=%d poll_batch=%d passes=%lld"
           " consumed=%lld elapsed_s=%.3f msgs_per_s=%.0f MB_per_s=%.1f errors=%lld\n",
           o->count, parts, o->fetch_bytes, o->fetch_wait_ms, o->poll_batch, passes, got, secs,
           (double)got / secs, (double)bytes / MIB / secs, errors);
    fflush(stdout);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return got == o->count ? 0 : 1;
}

struct lat_ctx {
    rd_kafka_t *prod;
    rd_kafka_t *cons;
    atomic_bool stop_poll;
    atomic_bool stop_consume;
    int64_t *e2e_ns;
    long long n;
    atomic_llong consumed;
};

static void *producer_poller(void *arg) {
    struct lat_ctx *c = arg;
    /* Serves delivery reports as they arrive so that ack latency is not inflated by the
     * sender sleeping between messages. */
    while (!atomic_load(&c->stop_poll))
        rd_kafka_poll(c->prod, 20);
    return NULL;
}

static void *consumer_loop(void *arg) {
    struct lat_ctx *c = arg;
    while (!atomic_load(&c->stop_consume)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c->cons, 20);
        if (!m)
            continue;
        int64_t t = now_ns();
        if (!m->err && m->len >= STAMP_BYTES) {
            uint64_t seq;
            int64_t sent;
            memcpy(&seq, m->payload, 8);
            memcpy(&sent, (const char *)m->payload + 8, 8);
            if (seq < (uint64_t)c->n && c->e2e_ns[seq] < 0) {
                c->e2e_ns[seq] = t - sent;
                atomic_fetch_add(&c->consumed, 1);
            }
        }
        rd_kafka_message_destroy(m);
    }
    return NULL;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

struct pct {
    long long n;
    double p50, p99, p999, max;
};

/* Nearest-rank percentiles in milliseconds over samples from index `from` on; -1 = missing. */
static struct pct percentiles(const int64_t *v, long long from, long long n) {
    struct pct r = {0, NAN, NAN, NAN, NAN};
    int64_t *s = malloc(sizeof(*s) * (size_t)(n > 0 ? n : 1));
    long long k = 0;
    for (long long i = from; i < n; i++)
        if (v[i] >= 0)
            s[k++] = v[i];
    r.n = k;
    if (k > 0) {
        qsort(s, (size_t)k, sizeof(*s), cmp_i64);
        const double q[3] = {0.50, 0.99, 0.999};
        double *out[3] = {&r.p50, &r.p99, &r.p999};
        for (int j = 0; j < 3; j++) {
            long long idx = (long long)ceil(q[j] * (double)k) - 1;
            *out[j] = (double)s[idx < 0 ? 0 : idx] / 1e6;
        }
        r.max = (double)s[k - 1] / 1e6;
    }
    free(s);
    return r;
}

static int run_latency(const struct opts *o) {
    if (o->size < STAMP_BYTES)
        die("latency", "--size must be at least 16");
    long long n = (long long)o->rate * o->duration_s;
    long long warm = (long long)o->rate * o->warmup_s;
    struct dr_state st = {0};
    st.n = n;
    st.ack_ns = malloc(sizeof(int64_t) * (size_t)n);
    struct lat_ctx c = {0};
    c.n = n;
    c.e2e_ns = malloc(sizeof(int64_t) * (size_t)n);
    for (long long i = 0; i < n; i++)
        st.ack_ns[i] = c.e2e_ns[i] = -1;

    c.prod = new_producer(o, &st);
    int parts = ensure_topic(c.prod, o);
    if (parts < o->partitions)
        die("topic", "does not exist or has fewer partitions than requested");
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(c.prod, o->topic, NULL);

    /* Start the consumer at the current end so it sees exactly this run's messages; an
     * OFFSET_END assignment could race with the first produce. */
    c.cons = new_consumer(o);
    int64_t *starts = malloc(sizeof(int64_t) * (size_t)o->partitions);
    for (int p = 0; p < o->partitions; p++) {
        int64_t lo, hi;
        rd_kafka_resp_err_t err =
            rd_kafka_query_watermark_offsets(c.cons, o->topic, p, &lo, &hi, 10000);
        if (err)
            die("watermarks", rd_kafka_err2str(err));
        starts[p] = hi;
    }
    rd_kafka_topic_partition_list_t *l = partition_list(o->partitions, o->topic, starts);
    rd_kafka_resp_err_t aerr = rd_kafka_assign(c.cons, l);
    if (aerr)
        die("assign", rd_kafka_err2str(aerr));
    rd_kafka_topic_partition_list_destroy(l);
    free(starts);

    pthread_t poller, consumer;
    pthread_create(&poller, NULL, producer_poller, &c);
    pthread_create(&consumer, NULL, consumer_loop, &c);

    char *payload = malloc(o->size);
    fill_payload(payload, o->size);
    int64_t period = 1000000000LL / o->rate;
    int64_t t0 = now_ns() + 100 * 1000000LL;
    int64_t max_late = 0;
    for (long long i = 0; i < n; i++) {
        int64_t due = t0 + i * period;
        int64_t t = now_ns();
        if (t < due) {
            struct timespec ts = {(time_t)(due / 1000000000), (long)(due % 1000000000)};
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        } else if (t - due > max_late) {
            max_late = t - due;
        }
        uint64_t seq = (uint64_t)i;
        int64_t sent = now_ns();
        memcpy(payload, &seq, 8);
        memcpy(payload + 8, &sent, 8);
        while (rd_kafka_produce(rkt, (int32_t)(i % o->partitions), RD_KAFKA_MSG_F_COPY, payload,
                                o->size, NULL, 0, NULL) == -1) {
            rd_kafka_resp_err_t err = rd_kafka_last_error();
            if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                die("produce", rd_kafka_err2str(err));
            struct timespec ts = {0, 100000};
            nanosleep(&ts, NULL);
        }
    }
    int64_t t_end = now_ns();
    atomic_store(&c.stop_poll, true);
    pthread_join(poller, NULL);
    rd_kafka_flush(c.prod, 30000);
    int64_t deadline = now_ns() + 10 * 1000000000LL;
    while (atomic_load(&c.consumed) < atomic_load(&st.ok) && now_ns() < deadline) {
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
    }
    atomic_store(&c.stop_consume, true);
    pthread_join(consumer, NULL);

    struct pct a = percentiles(st.ack_ns, warm, n);
    struct pct e = percentiles(c.e2e_ns, warm, n);
    double achieved = (double)n / ((double)(t_end - t0) / 1e9);
    print_prefix(o);
    printf(" acks=%s compression=%s partitions=%d linger_ms=%d rate=%d duration_s=%d warmup_s=%d"
           " achieved_rate=%.0f max_send_lag_ms=%.3f sent=%lld acked=%lld consumed=%lld"
           " errors=%lld ack_p50_ms=%.3f ack_p99_ms=%.3f ack_p999_ms=%.3f ack_max_ms=%.3f"
           " e2e_p50_ms=%.3f e2e_p99_ms=%.3f e2e_p999_ms=%.3f e2e_max_ms=%.3f\n",
           o->acks, o->compression, o->partitions, o->linger_ms, o->rate, o->duration_s,
           o->warmup_s, achieved, (double)max_late / 1e6, n, atomic_load(&st.ok),
           atomic_load(&c.consumed), atomic_load(&st.failed), a.p50, a.p99, a.p999, a.max, e.p50,
           e.p99, e.p999, e.max);
    fflush(stdout);

    bool complete = atomic_load(&st.ok) == n && atomic_load(&c.consumed) == n;
    rd_kafka_consumer_close(c.cons);
    rd_kafka_destroy(c.cons);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(c.prod);
    free(payload);
    free(st.ack_ns);
    free(c.e2e_ns);
    return complete ? 0 : 1;
}

static void usage(FILE *f) {
    fprintf(
        f, "usage: kgw_bench produce|consume|latency --bootstrap HOST:PORT --topic NAME\n"
           "                 [options]\n"
           "  --size BYTES         message value size (default 100)\n"
           "  --count N            messages to produce/consume (default 1000000)\n"
           "  --acks 0|1|all       producer acks (default 1)\n"
           "  --compression C      none|gzip|snappy|lz4|zstd (default none)\n"
           "  --partitions N       partitions to write to / create (default 1)\n"
           "  --linger-ms MS       producer linger.ms (default 5)\n"
           "  --batch-size BYTES   producer batch.size (default 1000000)\n"
           "  --batch-msgs N       producer batch.num.messages (default 10000)\n"
           "  --queue-msgs N       producer queue.buffering.max.messages (default 1000000)\n"
           "  --rate MSGS_PER_S    latency mode send rate (default 10000)\n"
           "  --duration S         latency mode duration (default 10)\n"
           "  --warmup S           latency mode: leading seconds left out of stats (default 1)\n"
           "  --fetch-bytes BYTES  consumer max.partition.fetch.bytes (default 1048576)\n"
           "  --fetch-wait-ms MS   consumer fetch.wait.max.ms (default 500)\n"
           "  --pass-msgs N        consume: after every N messages start again from the log\n"
           "                       start, for brokers that keep little data (N <= retained)\n"
           "  --poll-batch N       consume: messages taken per call; 1 (default) uses\n"
           "                       rd_kafka_consumer_poll, more uses rd_kafka_consume_batch_queue\n"
           "  --conf KEY=VALUE     extra librdkafka property for every client (repeatable)\n"
           "  --no-create          do not create the topic when it is missing\n"
           "  --label TEXT         printed first as target=TEXT\n");
}

static long long parse_num(const char *name, const char *s, long long min) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min) {
        fprintf(stderr, "kgw_bench: bad value for --%s: '%s'\n", name, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv) {
    struct opts o = {
        .size = 100,
        .count = 1000000,
        .acks = "1",
        .compression = "none",
        .partitions = 1,
        .linger_ms = 5,
        .batch_size = 1000000,
        .batch_msgs = 10000,
        .queue_msgs = 1000000,
        .rate = 10000,
        .duration_s = 10,
        .warmup_s = 1,
        .fetch_bytes = 1048576,
        .fetch_wait_ms = 500,
        .poll_batch = 1,
        .create_topic = true,
    };
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "produce") == 0)
        o.mode = MODE_PRODUCE;
    else if (strcmp(argv[1], "consume") == 0)
        o.mode = MODE_CONSUME;
    else if (strcmp(argv[1], "latency") == 0)
        o.mode = MODE_LATENCY;
    else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    } else {
        usage(stderr);
        return 2;
    }

    static const struct option longopts[] = {
        {"bootstrap", required_argument, NULL, 'b'},
        {"topic", required_argument, NULL, 't'},
        {"size", required_argument, NULL, 's'},
        {"count", required_argument, NULL, 'n'},
        {"acks", required_argument, NULL, 'a'},
        {"compression", required_argument, NULL, 'z'},
        {"partitions", required_argument, NULL, 'p'},
        {"linger-ms", required_argument, NULL, 'l'},
        {"batch-size", required_argument, NULL, 'B'},
        {"batch-msgs", required_argument, NULL, 'M'},
        {"queue-msgs", required_argument, NULL, 'Q'},
        {"rate", required_argument, NULL, 'r'},
        {"duration", required_argument, NULL, 'd'},
        {"warmup", required_argument, NULL, 'w'},
        {"fetch-bytes", required_argument, NULL, 'F'},
        {"fetch-wait-ms", required_argument, NULL, 'W'},
        {"pass-msgs", required_argument, NULL, 'P'},
        {"poll-batch", required_argument, NULL, 'G'},
        {"conf", required_argument, NULL, 'C'},
        {"no-create", no_argument, NULL, 'N'},
        {"label", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    optind = 2;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'b':
            o.bootstrap = optarg;
            break;
        case 't':
            o.topic = optarg;
            break;
        case 's':
            o.size = (size_t)parse_num("size", optarg, 0);
            break;
        case 'n':
            o.count = parse_num("count", optarg, 1);
            break;
        case 'a':
            o.acks = optarg;
            break;
        case 'z':
            o.compression = optarg;
            break;
        case 'p':
            o.partitions = (int)parse_num("partitions", optarg, 1);
            break;
        case 'l':
            o.linger_ms = (int)parse_num("linger-ms", optarg, 0);
            break;
        case 'B':
            o.batch_size = (int)parse_num("batch-size", optarg, 1);
            break;
        case 'M':
            o.batch_msgs = (int)parse_num("batch-msgs", optarg, 1);
            break;
        case 'Q':
            o.queue_msgs = (int)parse_num("queue-msgs", optarg, 1);
            break;
        case 'r':
            o.rate = (int)parse_num("rate", optarg, 1);
            break;
        case 'd':
            o.duration_s = (int)parse_num("duration", optarg, 1);
            break;
        case 'w':
            o.warmup_s = (int)parse_num("warmup", optarg, 0);
            break;
        case 'F':
            o.fetch_bytes = (int)parse_num("fetch-bytes", optarg, 1);
            break;
        case 'W':
            o.fetch_wait_ms = (int)parse_num("fetch-wait-ms", optarg, 0);
            break;
        case 'P':
            o.pass_msgs = parse_num("pass-msgs", optarg, 1);
            break;
        case 'G':
            o.poll_batch = (int)parse_num("poll-batch", optarg, 1);
            break;
        case 'C':
            if (o.extra_conf_cnt == (int)(sizeof(o.extra_conf) / sizeof(o.extra_conf[0])))
                die("--conf", "too many");
            o.extra_conf[o.extra_conf_cnt++] = optarg;
            break;
        case 'N':
            o.create_topic = false;
            break;
        case 'L':
            o.label = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!o.bootstrap || !o.topic) {
        usage(stderr);
        return 2;
    }
    if (o.mode == MODE_LATENCY && o.warmup_s >= o.duration_s)
        die("latency", "--warmup must be shorter than --duration");
    srand((unsigned)now_ns());

    switch (o.mode) {
    case MODE_PRODUCE:
        return run_produce(&o);
    case MODE_CONSUME:
        return run_consume(&o);
    case MODE_LATENCY:
        return run_latency(&o);
    }
    return 2;
}
