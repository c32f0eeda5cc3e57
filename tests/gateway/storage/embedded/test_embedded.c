/* The embedded backend through its operations table, on a real uv loop and
 * real files: topics and their persistence, appends and reads, acks and
 * group commit, idempotent producers, LogAppendTime, timestamp lookups,
 * DeleteRecords, producer ids, shutdown, and several log dirs (placement,
 * reopen, delete, conflicts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "embedded.h"
#include "kafka/error_codes.h"
#include "kafka/records.h"

#define CHECK(what, want, got)                                                                     \
    do {                                                                                           \
        int64_t w_ = (int64_t)(want), g_ = (int64_t)(got);                                         \
        if (w_ != g_)                                                                              \
            fail_msg("%s: expected %" PRId64 ", got %" PRId64, what, w_, g_);                      \
    } while (0)

typedef struct fx {
    char dir[80];
    kgw_config_t cfg;
    uv_loop_t loop;
    kgw_backend_t *be;
    int data_events;
    int64_t last_hw;
} fx_t;

static void on_data(void *arg, const char *topic, int32_t partition, int64_t hw) {
    fx_t *f = arg;
    (void)topic;
    (void)partition;
    f->data_events++;
    f->last_hw = hw;
}

static void be_open(fx_t *f) {
    char err[512] = "";
    int rc = kgw_embedded_open(&f->be, &f->loop, &f->cfg, err, sizeof err);
    if (rc != 0)
        fail_msg("kgw_embedded_open: expected 0, got %d (%s)", rc, err);
    f->be->on_data = on_data;
    f->be->on_data_arg = f;
}

static void on_shutdown(void *arg) {
    *(bool *)arg = true;
}

static void be_close(fx_t *f) {
    bool done = false;
    f->be->ops->shutdown(f->be, on_shutdown, &done);
    while (!done)
        uv_run(&f->loop, UV_RUN_ONCE);
    f->be->ops->destroy(f->be);
    f->be = NULL;
}

static void be_reopen(fx_t *f) {
    be_close(f);
    be_open(f);
}

static int setup(void **state) {
    fx_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/kgw-emb-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->cfg.log_dirs, sizeof f->cfg.log_dirs, "%s", f->dir);
    f->cfg.num_partitions = 1;
    f->cfg.message_max_bytes = 1048588;
    f->cfg.socket_request_max_bytes = 104857600;
    f->cfg.log_segment_bytes = 1073741824;
    f->cfg.log_roll_ms = 7LL * 24 * 3600 * 1000;
    f->cfg.log_retention_ms = 7LL * 24 * 3600 * 1000;
    f->cfg.log_retention_bytes = -1;
    f->cfg.log_retention_check_interval_ms = 300000;
    f->cfg.log_flush_interval_messages = INT64_MAX;
    f->cfg.log_flush_interval_ms = INT64_MAX;
    f->cfg.acks_all_fsync = true;
    f->cfg.producer_id_expiration_ms = 86400000;
    f->cfg.producer_id_expiration_check_interval_ms = 600000;
    f->cfg.log_cleaner_enable = false;
    f->cfg.log_cleaner_backoff_ms = 15000;
    f->cfg.log_cleaner_dedupe_buffer_size = 1 << 20;
    uv_loop_init(&f->loop);
    be_open(f);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx_t *f = *state;
    if (f->be)
        be_close(f);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    uv_loop_close(&f->loop);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* ---- batches ---- */

/* Current timestamps: the log rolls a segment on every append whose first
 * timestamp is older than segment.ms, as Kafka does. */
static int64_t now_ms(void) {
    return (int64_t)time(NULL) * 1000;
}

typedef struct bspec {
    int count;
    int64_t ts0, ts_step;
    int codec;
    int64_t pid;
    int16_t epoch;
    int32_t seq;
} bspec_t;

static void build(kafka_buf_t *out, const bspec_t *s) {
    kafka_batch_params_t p;
    kafka_batch_params_init(&p);
    p.codec = s->codec;
    p.producer_id = s->pid;
    p.producer_epoch = s->epoch;
    p.base_sequence = s->seq;
    kafka_batch_builder_t b;
    kafka_batch_builder_init(&b, &p);
    for (int i = 0; i < s->count; i++) {
        char val[32];
        int n = snprintf(val, sizeof val, "value-%d", i);
        kafka_record_in_t r = {
            .timestamp = s->ts0 + i * s->ts_step,
            .key = {NULL, -1},
            .value = {(const uint8_t *)val, n},
        };
        CHECK("kafka_batch_builder_add", 0, kafka_batch_builder_add(&b, &r));
    }
    CHECK("kafka_batch_builder_finish", 0, kafka_batch_builder_finish(&b, out));
    kafka_batch_builder_free(&b);
}

typedef struct waiter {
    bool done;
    kgw_append_result_t res;
    uint64_t fsyncs_at_completion;
    fx_t *f;
} waiter_t;

static void on_append(void *ctx, const kgw_append_result_t *r) {
    waiter_t *w = ctx;
    w->done = true;
    w->res = *r;
    kgw_embedded_stats_t st;
    kgw_embedded_stats(w->f->be, &st);
    w->fsyncs_at_completion = st.fsyncs;
}

static kgw_append_result_t append_spec(fx_t *f, const char *topic, int32_t part, int16_t acks,
                                       const bspec_t *s) {
    kafka_buf_t buf = KAFKA_BUF_INIT;
    build(&buf, s);
    waiter_t w = {.f = f};
    f->be->ops->append(f->be, topic, part, buf.ptr, buf.len, acks, on_append, &w);
    kafka_buf_free(&buf);
    while (!w.done)
        uv_run(&f->loop, UV_RUN_ONCE);
    return w.res;
}

static kgw_append_result_t append_n(fx_t *f, const char *topic, int count, int64_t ts0) {
    bspec_t s = {count, ts0, 1, KAFKA_CODEC_NONE, -1, -1, -1};
    return append_spec(f, topic, 0, 1, &s);
}

static kgw_append_result_t append_idem(fx_t *f, const char *topic, int64_t pid, int16_t epoch,
                                       int32_t seq, int count) {
    bspec_t s = {count, 1000, 1, KAFKA_CODEC_NONE, pid, epoch, seq};
    return append_spec(f, topic, 0, -1, &s);
}

static void create(fx_t *f, const char *name, int32_t parts) {
    CHECK(name, 0, f->be->ops->create_topic(f->be, name, parts, NULL, 0, NULL));
}

static int64_t hw_of(fx_t *f, const char *topic, int32_t part) {
    int64_t ls, hw;
    CHECK("offsets", 0, f->be->ops->offsets(f->be, topic, part, &ls, &hw));
    return hw;
}

static bool dir_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

typedef struct dirs {
    char v[4][256];
    int n;
} dirs_t;

static int collect_dir(void *arg, const char *dir) {
    dirs_t *d = arg;
    if (d->n < 4)
        snprintf(d->v[d->n++], sizeof d->v[0], "%s", dir);
    return 0;
}

/* ---- topics ---- */

typedef struct names {
    char v[8][256];
    int n;
} names_t;

static int collect_name(void *arg, const kgw_topic_info_t *t) {
    names_t *n = arg;
    if (n->n < 8)
        snprintf(n->v[n->n++], 256, "%s", t->name);
    return 0;
}

static void test_topic_names(void **state) {
    fx_t *f = *state;
    char long_ok[250], long_bad[251];
    memset(long_ok, 'a', 249);
    long_ok[249] = '\0';
    memset(long_bad, 'b', 250);
    long_bad[250] = '\0';
    const char *bad[] = {"", ".", "..", "a b", "a/b", "tö", long_bad};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = f->be->ops->create_topic(f->be, bad[i], 1, NULL, 0, NULL);
        if (rc != KGW_EINVAL)
            fail_msg("name '%.20s': expected KGW_EINVAL (%d), got %d", bad[i], KGW_EINVAL, rc);
    }
    create(f, long_ok, 1);
    create(f, "a.b_c-D9", 2);
    CHECK("duplicate", KGW_EEXISTS, f->be->ops->create_topic(f->be, "a.b_c-D9", 1, NULL, 0, NULL));
    CHECK("zero partitions", KGW_EINVAL, f->be->ops->create_topic(f->be, "z", 0, NULL, 0, NULL));
    /* The 249-character name still fits a delete directory name. */
    CHECK("delete long", 0, f->be->ops->delete_topic(f->be, long_ok));
}

static void test_topics_create_list_delete(void **state) {
    fx_t *f = *state;
    create(f, "zeta", 1);
    create(f, "alpha", 3);
    create(f, "mid", 2);
    kgw_topic_info_t info;
    CHECK("get alpha", 0, f->be->ops->get_topic(f->be, "alpha", &info));
    CHECK("alpha partitions", 3, info.partitions);
    kgw_topic_info_t byid;
    CHECK("get by id", 0, f->be->ops->get_topic_by_id(f->be, info.id, &byid));
    assert_string_equal("alpha", byid.name);
    CHECK("get missing", KGW_ENOTFOUND, f->be->ops->get_topic(f->be, "nope", &info));
    names_t n = {0};
    f->be->ops->list_topics(f->be, collect_name, &n);
    CHECK("topic count", 3, n.n);
    assert_string_equal("alpha", n.v[0]);
    assert_string_equal("mid", n.v[1]);
    assert_string_equal("zeta", n.v[2]);

    CHECK("append", 0, append_n(f, "mid", 3, 1000).error);
    char path[256];
    snprintf(path, sizeof path, "%s/mid-1", f->dir);
    if (!dir_exists(path))
        fail_msg("expected %s to exist", path);
    CHECK("delete", 0, f->be->ops->delete_topic(f->be, "mid"));
    CHECK("delete again", KGW_ENOTFOUND, f->be->ops->delete_topic(f->be, "mid"));
    if (dir_exists(path))
        fail_msg("expected %s to be gone after delete", path);
    CHECK("get deleted", KGW_ENOTFOUND, f->be->ops->get_topic(f->be, "mid", &info));
    kgw_read_result_t r;
    f->be->ops->read(f->be, "mid", 0, 0, 1000, &r);
    CHECK("read deleted: error", KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION, r.error);
    f->be->ops->read_release(f->be, &r);

    /* Recreated: empty, with a new id. */
    create(f, "mid", 1);
    CHECK("recreated hw", 0, hw_of(f, "mid", 0));
    be_close(f);
    /* The renamed directories are gone once the I/O thread has run. */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -c -- -delete", f->dir);
    FILE *p = popen(cmd, "r");
    int left = -1;
    if (fscanf(p, "%d", &left) != 1)
        left = -1;
    pclose(p);
    CHECK("-delete directories left", 0, left);
    be_open(f);
}

static int collect_cfg(void *arg, const kgw_config_entry_t *e) {
    char *s = arg;
    size_t n = strlen(s);
    snprintf(s + n, 512 - n, "%s=%s;", e->key, e->value);
    return 0;
}

static void test_reopen_keeps_topics(void **state) {
    fx_t *f = *state;
    kgw_config_entry_t cfgs[] = {{"retention.ms", "86400000"}, {"cleanup.policy", "delete"}};
    kgw_topic_info_t a, b;
    CHECK("create", 0, f->be->ops->create_topic(f->be, "kept", 4, cfgs, 2, &a));
    CHECK("set max.message.bytes", 0,
          f->be->ops->set_topic_config(f->be, "kept", "max.message.bytes", "2000"));
    CHECK("remove cleanup.policy", 0,
          f->be->ops->set_topic_config(f->be, "kept", "cleanup.policy", NULL));
    CHECK("bad value", KGW_EINVAL,
          f->be->ops->set_topic_config(f->be, "kept", "retention.ms", "soon"));
    CHECK("append", 0, append_n(f, "kept", 5, 1000).error);
    be_reopen(f);
    CHECK("get", 0, f->be->ops->get_topic(f->be, "kept", &b));
    CHECK("partitions", 4, b.partitions);
    if (memcmp(a.id.b, b.id.b, 16) != 0)
        fail_msg("topic id changed across reopen");
    char s[512] = "";
    f->be->ops->list_topic_configs(f->be, "kept", collect_cfg, s);
    assert_string_equal("retention.ms=86400000;max.message.bytes=2000;", s);
    CHECK("hw after reopen", 5, hw_of(f, "kept", 0));
}

static void test_create_partitions(void **state) {
    fx_t *f = *state;
    create(f, "grow", 1);
    CHECK("grow to 3", 0, f->be->ops->create_partitions(f->be, "grow", 3));
    CHECK("shrink", KGW_EINVAL, f->be->ops->create_partitions(f->be, "grow", 2));
    CHECK("same", KGW_EINVAL, f->be->ops->create_partitions(f->be, "grow", 3));
    CHECK("missing", KGW_ENOTFOUND, f->be->ops->create_partitions(f->be, "nope", 3));
    bspec_t s = {2, 1000, 1, KAFKA_CODEC_NONE, -1, -1, -1};
    CHECK("append p2", 0, append_spec(f, "grow", 2, 1, &s).error);
    CHECK("append p3", KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION,
          append_spec(f, "grow", 3, 1, &s).error);
    be_reopen(f);
    kgw_topic_info_t t;
    CHECK("get", 0, f->be->ops->get_topic(f->be, "grow", &t));
    CHECK("partitions after reopen", 3, t.partitions);
    CHECK("hw p2", 2, hw_of(f, "grow", 2));
}

/* ---- data ---- */

static void test_append_read(void **state) {
    fx_t *f = *state;
    create(f, "rt", 1);
    kafka_buf_t sent = KAFKA_BUF_INIT;
    bspec_t s = {4, 5000, 10, KAFKA_CODEC_NONE, -1, -1, -1};
    build(&sent, &s);
    CHECK("first append", 0, append_n(f, "rt", 3, 1000).base_offset);
    waiter_t w = {.f = f};
    f->be->ops->append(f->be, "rt", 0, sent.ptr, sent.len, 1, on_append, &w);
    while (!w.done)
        uv_run(&f->loop, UV_RUN_ONCE);
    CHECK("error", 0, w.res.error);
    CHECK("base offset", 3, w.res.base_offset);
    CHECK("log_append_time", -1, w.res.log_append_time);
    CHECK("on_data hw", 7, f->last_hw);

    kgw_read_result_t r;
    CHECK("read", 0, f->be->ops->read(f->be, "rt", 0, 4, 1 << 20, &r));
    CHECK("read error", 0, r.error);
    CHECK("hw", 7, r.high_watermark);
    CHECK("read len", (int64_t)sent.len, (int64_t)r.len);
    /* Stored as sent after the base offset (8 bytes) and leader epoch. */
    if (memcmp(r.data + 8, sent.ptr + 8, 4) != 0 ||
        memcmp(r.data + 16, sent.ptr + 16, sent.len - 16))
        fail_msg("stored batch differs from the one sent");
    kafka_batch_t b;
    kafka_rec_err_t err;
    CHECK("stored batch parses with CRC", 0, kafka_batch_parse(r.data, r.len, 0, &b, &err));
    CHECK("stored base offset", 3, b.base_offset);
    f->be->ops->read_release(f->be, &r);
    kafka_buf_free(&sent);

    CHECK("read at end", 0, f->be->ops->read(f->be, "rt", 0, 7, 1 << 20, &r));
    CHECK("read at end: error", 0, r.error);
    CHECK("read at end: len", 0, (int64_t)r.len);
    f->be->ops->read_release(f->be, &r);
    f->be->ops->read(f->be, "rt", 0, 8, 1 << 20, &r);
    CHECK("read past end", KAFKA_ERROR_OFFSET_OUT_OF_RANGE, r.error);
    f->be->ops->read_release(f->be, &r);
    CHECK("missing partition rc", KGW_ENOTFOUND, f->be->ops->read(f->be, "rt", 1, 0, 100, &r));
    CHECK("missing partition", KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION, r.error);
    f->be->ops->read_release(f->be, &r);

    dirs_t d = {0};
    f->be->ops->list_log_dirs(f->be, collect_dir, &d);
    CHECK("log dirs", 1, d.n);
    assert_string_equal(f->dir, d.v[0]);
}

static int sum_sizes(void *arg, const kgw_partition_size_t *p) {
    *(int64_t *)arg += p->size_bytes;
    return 0;
}

static void test_partition_sizes(void **state) {
    fx_t *f = *state;
    create(f, "sz", 2);
    append_n(f, "sz", 10, 1000);
    int64_t total = 0;
    f->be->ops->list_partition_sizes(f->be, sum_sizes, &total);
    kgw_read_result_t r;
    f->be->ops->read(f->be, "sz", 0, 0, 1 << 20, &r);
    CHECK("size equals the stored bytes", (int64_t)r.len, total);
    f->be->ops->read_release(f->be, &r);
}

static void test_acks(void **state) {
    fx_t *f = *state;
    create(f, "acks", 1);
    kgw_embedded_stats_t st0, st1;
    kgw_embedded_stats(f->be, &st0);
    bspec_t s = {1, 1000, 1, KAFKA_CODEC_NONE, -1, -1, -1};
    CHECK("acks=1", 0, append_spec(f, "acks", 0, 1, &s).error);
    kgw_embedded_stats(f->be, &st1);
    CHECK("fsyncs for acks=1", st0.fsyncs, st1.fsyncs);

    kafka_buf_t buf = KAFKA_BUF_INIT;
    build(&buf, &s);
    waiter_t w = {.f = f};
    f->be->ops->append(f->be, "acks", 0, buf.ptr, buf.len, -1, on_append, &w);
    kafka_buf_free(&buf);
    while (!w.done)
        uv_run(&f->loop, UV_RUN_ONCE);
    CHECK("acks=-1", 0, w.res.error);
    /* The completion is seen only after the fsync was made. */
    CHECK("fsyncs when acks=-1 completes", st1.fsyncs + 1, w.fsyncs_at_completion);
}

#define GROUP_N 500

static void test_group_commit(void **state) {
    fx_t *f = *state;
    create(f, "gc", 1);
    kafka_buf_t buf = KAFKA_BUF_INIT;
    bspec_t s = {10, now_ms(), 1, KAFKA_CODEC_NONE, -1, -1, -1};
    build(&buf, &s);
    kgw_embedded_stats_t st0, st1;
    kgw_embedded_stats(f->be, &st0);
    static waiter_t w[GROUP_N];
    for (int i = 0; i < GROUP_N; i++) {
        w[i] = (waiter_t){.f = f};
        f->be->ops->append(f->be, "gc", 0, buf.ptr, buf.len, -1, on_append, &w[i]);
    }
    kafka_buf_free(&buf);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    kgw_embedded_stats(f->be, &st1);
    for (int i = 0; i < GROUP_N; i++) {
        if (!w[i].done || w[i].res.error != 0 || w[i].res.base_offset != i * 10)
            fail_msg("append %d: expected done, error 0, offset %d; got done %d error %d offset "
                     "%" PRId64,
                     i, i * 10, w[i].done, w[i].res.error, w[i].res.base_offset);
    }
    uint64_t fsyncs = st1.fsyncs - st0.fsyncs;
    print_message("group commit: %d acks=-1 appends, %" PRIu64 " fsyncs, %" PRIu64 " rounds\n",
                  GROUP_N, fsyncs, st1.commit_rounds - st0.commit_rounds);
    if (fsyncs == 0 || fsyncs >= GROUP_N / 2)
        fail_msg("expected between 1 and %d fsyncs for %d queued appends, got %" PRIu64,
                 GROUP_N / 2 - 1, GROUP_N, fsyncs);
}

/* A closed loop of producers: each completion sends the next append, so
 * appends keep arriving while an fsync runs, as they do from clients. */
#define PIPE_INFLIGHT 64
#define PIPE_TOTAL 5000

typedef struct pipe_state {
    fx_t *f;
    kafka_buf_t buf;
    int sent, completed, errors;
} pipe_state_t;

static void pipe_send(pipe_state_t *ps);

static void on_pipe_append(void *ctx, const kgw_append_result_t *r) {
    pipe_state_t *ps = ctx;
    ps->completed++;
    ps->errors += r->error != 0;
    if (ps->sent < PIPE_TOTAL)
        pipe_send(ps);
}

static void pipe_send(pipe_state_t *ps) {
    ps->sent++;
    ps->f->be->ops->append(ps->f->be, "pipe", 0, ps->buf.ptr, ps->buf.len, -1, on_pipe_append, ps);
}

static void test_group_commit_pipelined(void **state) {
    fx_t *f = *state;
    create(f, "pipe", 1);
    pipe_state_t ps = {.f = f, .buf = KAFKA_BUF_INIT};
    bspec_t s = {10, now_ms(), 1, KAFKA_CODEC_NONE, -1, -1, -1};
    build(&ps.buf, &s);
    kgw_embedded_stats_t st0, st1;
    kgw_embedded_stats(f->be, &st0);
    uint64_t t0 = uv_hrtime();
    for (int i = 0; i < PIPE_INFLIGHT; i++)
        pipe_send(&ps);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    double secs = (double)(uv_hrtime() - t0) / 1e9;
    kgw_embedded_stats(f->be, &st1);
    kafka_buf_free(&ps.buf);
    CHECK("completed", PIPE_TOTAL, ps.completed);
    CHECK("errors", 0, ps.errors);
    uint64_t fsyncs = st1.fsyncs - st0.fsyncs;
    print_message("group commit, %d in flight: %d acks=-1 appends (10 records each) in %.3f s, "
                  "%" PRIu64 " fsyncs (%.1f appends per fsync), %.0f appends/s\n",
                  PIPE_INFLIGHT, PIPE_TOTAL, secs, fsyncs, (double)PIPE_TOTAL / (double)fsyncs,
                  PIPE_TOTAL / secs);
    if (fsyncs == 0 || fsyncs > PIPE_TOTAL / 4)
        fail_msg("expected between 1 and %d fsyncs, got %" PRIu64, PIPE_TOTAL / 4, fsyncs);
    CHECK("hw", PIPE_TOTAL * 10, hw_of(f, "pipe", 0));
}

static void test_flush_interval_messages(void **state) {
    fx_t *f = *state;
    be_close(f);
    f->cfg.log_flush_interval_messages = 5;
    be_open(f);
    create(f, "fim", 1);
    kgw_embedded_stats_t st0, st1;
    kgw_embedded_stats(f->be, &st0);
    append_n(f, "fim", 3, 1000);
    kgw_embedded_stats(f->be, &st1);
    CHECK("fsyncs below the interval", st0.fsyncs, st1.fsyncs);
    append_n(f, "fim", 3, 1000);
    kgw_embedded_stats(f->be, &st1);
    CHECK("fsyncs at the interval", st0.fsyncs + 1, st1.fsyncs);
}

/* ---- idempotent producer ---- */

static void test_idempotent(void **state) {
    fx_t *f = *state;
    create(f, "idem", 1);
    int64_t pid;
    CHECK("allocate", 0, f->be->ops->allocate_producer_id(f->be, &pid));
    kgw_append_result_t r = append_idem(f, "idem", pid, 0, 0, 3);
    CHECK("seq 0: error", 0, r.error);
    CHECK("seq 0: offset", 0, r.base_offset);
    r = append_idem(f, "idem", pid, 0, 3, 2);
    CHECK("seq 3: offset", 3, r.base_offset);
    append_n(f, "idem", 1, 1000);
    /* Retried first batch: answered with its offset, not stored again. */
    r = append_idem(f, "idem", pid, 0, 0, 3);
    CHECK("duplicate: error", 0, r.error);
    CHECK("duplicate: offset", 0, r.base_offset);
    CHECK("hw after duplicate", 6, hw_of(f, "idem", 0));
    r = append_idem(f, "idem", pid, 0, 3, 2);
    CHECK("duplicate 2: offset", 3, r.base_offset);
    r = append_idem(f, "idem", pid, 0, 9, 1);
    CHECK("gap", KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER, r.error);
    r = append_idem(f, "idem", pid, 1, 5, 1);
    CHECK("new epoch not at 0", KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER, r.error);
    r = append_idem(f, "idem", pid, 1, 0, 2);
    CHECK("new epoch at 0: error", 0, r.error);
    CHECK("new epoch at 0: offset", 6, r.base_offset);
    r = append_idem(f, "idem", pid, 0, 5, 1);
    CHECK("old epoch", KAFKA_ERROR_INVALID_PRODUCER_EPOCH, r.error);
    /* Kafka accepts any first sequence from a producer it does not know. */
    r = append_idem(f, "idem", pid + 1, 0, 42, 1);
    CHECK("unknown producer at 42", 0, r.error);
    r = append_idem(f, "idem", pid + 1, 0, 43, 1);
    CHECK("unknown producer then 43", 0, r.error);
    CHECK("hw", 10, hw_of(f, "idem", 0));
}

/* Appends the batches of several specs as one request, as a Produce with
 * more than one batch for a partition does. */
static kgw_append_result_t append_specs(fx_t *f, const char *topic, const bspec_t *specs, int n) {
    kafka_buf_t all = KAFKA_BUF_INIT;
    for (int i = 0; i < n; i++) {
        kafka_buf_t one = KAFKA_BUF_INIT;
        build(&one, &specs[i]);
        CHECK("kafka_buf_append", 0, kafka_buf_append(&all, one.ptr, one.len));
        kafka_buf_free(&one);
    }
    waiter_t w = {.f = f};
    f->be->ops->append(f->be, topic, 0, all.ptr, all.len, -1, on_append, &w);
    kafka_buf_free(&all);
    while (!w.done)
        uv_run(&f->loop, UV_RUN_ONCE);
    return w.res;
}

static void test_multi_batch_request(void **state) {
    fx_t *f = *state;
    create(f, "multi", 1);
    int64_t pid;
    CHECK("allocate", 0, f->be->ops->allocate_producer_id(f->be, &pid));
    bspec_t ok[] = {{3, 1000, 1, KAFKA_CODEC_NONE, pid, 0, 0},
                    {2, 1000, 1, KAFKA_CODEC_NONE, pid, 0, 3}};
    kgw_append_result_t r = append_specs(f, "multi", ok, 2);
    CHECK("two in-sequence batches: error", 0, r.error);
    CHECK("two in-sequence batches: offset", 0, r.base_offset);
    CHECK("hw after two batches", 5, hw_of(f, "multi", 0));
    /* The second batch leaves a gap: the first must not be written either. */
    bspec_t gap[] = {{1, 1000, 1, KAFKA_CODEC_NONE, pid, 0, 5},
                     {1, 1000, 1, KAFKA_CODEC_NONE, pid, 0, 7}};
    r = append_specs(f, "multi", gap, 2);
    CHECK("gap in the second batch", KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER, r.error);
    CHECK("hw after the failed request", 5, hw_of(f, "multi", 0));
    /* Nothing of the failed request was recorded: sequence 5 is still next. */
    r = append_idem(f, "multi", pid, 0, 5, 1);
    CHECK("seq 5 after the failed request: error", 0, r.error);
    CHECK("seq 5 after the failed request: offset", 5, r.base_offset);
    /* A retried batch anywhere makes the whole request a duplicate. */
    bspec_t dup[] = {{1, 1000, 1, KAFKA_CODEC_NONE, pid, 0, 6},
                     {2, 1000, 1, KAFKA_CODEC_NONE, pid, 0, 3}};
    r = append_specs(f, "multi", dup, 2);
    CHECK("request with a duplicate: error", 0, r.error);
    CHECK("request with a duplicate: offset of the original", 3, r.base_offset);
    CHECK("hw after the duplicate request", 6, hw_of(f, "multi", 0));
    /* A batch without a producer id next to a fenced one is not written. */
    r = append_idem(f, "multi", pid, 1, 0, 1);
    CHECK("epoch 1 at seq 0", 0, r.error);
    bspec_t mixed[] = {{2, 1000, 1, KAFKA_CODEC_NONE, -1, -1, -1},
                       {1, 1000, 1, KAFKA_CODEC_NONE, pid, 0, 6}};
    r = append_specs(f, "multi", mixed, 2);
    CHECK("plain batch then an old epoch", KAFKA_ERROR_INVALID_PRODUCER_EPOCH, r.error);
    CHECK("hw after the mixed request", 7, hw_of(f, "multi", 0));
}

static void test_sequence_wraps(void **state) {
    fx_t *f = *state;
    create(f, "wrap", 1);
    kgw_append_result_t r = append_idem(f, "wrap", 7, 0, INT32_MAX - 1, 2);
    CHECK("batch ending at INT32_MAX", 0, r.error);
    r = append_idem(f, "wrap", 7, 0, 0, 1);
    CHECK("next batch at 0", 0, r.error);
    r = append_idem(f, "wrap", 7, 0, 0, 1);
    CHECK("duplicate at 0", 2, r.base_offset);
}

typedef struct pcollect {
    int n;
    kgw_producer_state_t p[4];
} pcollect_t;

static int collect_producer(void *arg, const kgw_producer_state_t *p) {
    pcollect_t *c = arg;
    if (c->n < 4)
        c->p[c->n++] = *p;
    return 0;
}

static void on_deadline(uv_timer_t *t) {
    *(bool *)t->data = true;
}

/* Runs the loop until done(f, arg) holds or ms pass (the backend's timers
 * do not keep the loop alive on their own); returns done's last answer. */
static bool run_until(fx_t *f, int ms, bool (*done)(fx_t *f, void *arg), void *arg) {
    uv_timer_t deadline;
    bool expired = false;
    uv_timer_init(&f->loop, &deadline);
    deadline.data = &expired;
    uv_timer_start(&deadline, on_deadline, (uint64_t)ms, 0);
    bool ok;
    while (!(ok = done(f, arg)) && !expired)
        uv_run(&f->loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&deadline, NULL);
    uv_run(&f->loop, UV_RUN_NOWAIT);
    return ok;
}

static int producers_of(fx_t *f, const char *topic, pcollect_t *c) {
    memset(c, 0, sizeof *c);
    CHECK("list_producers", 0, f->be->ops->list_producers(f->be, topic, 0, collect_producer, c));
    return c->n;
}

static bool one_producer_left(fx_t *f, void *arg) {
    return producers_of(f, "exp", arg) != 2;
}

static void test_producer_expiry(void **state) {
    fx_t *f = *state;
    be_close(f);
    f->cfg.producer_id_expiration_ms = 60000;
    f->cfg.producer_id_expiration_check_interval_ms = 20;
    be_open(f);
    create(f, "exp", 1);
    bspec_t old = {2, now_ms() - 3600 * 1000, 1, KAFKA_CODEC_NONE, 11, 0, 0};
    bspec_t fresh = {2, now_ms(), 1, KAFKA_CODEC_NONE, 12, 0, 0};
    CHECK("append from the idle producer", 0, append_spec(f, "exp", 0, 1, &old).error);
    CHECK("append from the active producer", 0, append_spec(f, "exp", 0, 1, &fresh).error);
    pcollect_t c;
    run_until(f, 2000, one_producer_left, &c);
    CHECK("producers left after the expiry check", 1, c.n);
    CHECK("the producer kept", 12, c.p[0].producer_id);
    /* The expired producer stays forgotten across a restart. */
    f->cfg.producer_id_expiration_check_interval_ms = 600000;
    be_reopen(f);
    CHECK("producers after reopening", 1, producers_of(f, "exp", &c));
    CHECK("the producer kept after reopening", 12, c.p[0].producer_id);
    /* Without state, any sequence from it is accepted again, as Kafka does. */
    bspec_t later = {1, now_ms(), 1, KAFKA_CODEC_NONE, 11, 0, 7};
    CHECK("the forgotten producer at sequence 7", 0, append_spec(f, "exp", 0, 1, &later).error);
}

static void check_dup_after_reopen(fx_t *f, bool remove_snapshot) {
    create(f, "idem2", 1);
    append_idem(f, "idem2", 5, 2, 0, 4);
    append_idem(f, "idem2", 5, 2, 4, 4);
    be_close(f);
    char path[256];
    snprintf(path, sizeof path, "%s/idem2-0/producer.snapshot", f->dir);
    if (!dir_exists(path))
        fail_msg("expected a producer snapshot at %s after shutdown", path);
    if (remove_snapshot)
        unlink(path);
    be_open(f);
    kgw_append_result_t r = append_idem(f, "idem2", 5, 2, 4, 4);
    CHECK("duplicate after reopen: error", 0, r.error);
    CHECK("duplicate after reopen: offset", 4, r.base_offset);
    CHECK("hw", 8, hw_of(f, "idem2", 0));
    r = append_idem(f, "idem2", 5, 2, 9, 1);
    CHECK("gap after reopen", KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER, r.error);
    r = append_idem(f, "idem2", 5, 1, 8, 1);
    CHECK("old epoch after reopen", KAFKA_ERROR_INVALID_PRODUCER_EPOCH, r.error);
    pcollect_t c = {0};
    CHECK("list_producers", 0, f->be->ops->list_producers(f->be, "idem2", 0, collect_producer, &c));
    CHECK("producers", 1, c.n);
    CHECK("producer id", 5, c.p[0].producer_id);
    CHECK("producer epoch", 2, c.p[0].producer_epoch);
    CHECK("last sequence", 7, c.p[0].last_sequence);
}

static void test_dup_after_reopen_snapshot(void **state) {
    check_dup_after_reopen(*state, false);
}

static void test_dup_after_reopen_replay(void **state) {
    check_dup_after_reopen(*state, true);
}

/* The state of a partition killed without shutdown: what is in the page
 * cache, with the snapshot of an earlier shutdown. */
static void test_dup_after_crash(void **state) {
    fx_t *f = *state;
    create(f, "crash", 1);
    append_idem(f, "crash", 9, 0, 0, 2);
    be_reopen(f); /* snapshot at offset 2 */
    append_idem(f, "crash", 9, 0, 2, 3);
    append_idem(f, "crash", 9, 0, 5, 1);
    char orig[80], cmd[512];
    snprintf(orig, sizeof orig, "%s", f->dir);
    snprintf(f->dir, sizeof f->dir, "%.60s-copy", orig);
    snprintf(cmd, sizeof cmd, "cp -a '%s' '%s' && rm -f '%s/.kgw-embedded.lock'", orig, f->dir,
             f->dir);
    CHECK(cmd, 0, system(cmd));
    /* The original is closed and removed here; teardown removes the copy. */
    char copy[80];
    snprintf(copy, sizeof copy, "%s", f->dir);
    snprintf(f->dir, sizeof f->dir, "%s", orig);
    be_close(f);
    snprintf(f->dir, sizeof f->dir, "%s", copy);
    snprintf(f->cfg.log_dirs, sizeof f->cfg.log_dirs, "%s", copy);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", orig);
    CHECK(cmd, 0, system(cmd));
    be_open(f);
    kgw_append_result_t r = append_idem(f, "crash", 9, 0, 2, 3);
    CHECK("duplicate replayed past the snapshot", 2, r.base_offset);
    r = append_idem(f, "crash", 9, 0, 5, 1);
    CHECK("latest duplicate", 5, r.base_offset);
    CHECK("hw", 6, hw_of(f, "crash", 0));
    be_close(f);

    /* A snapshot past the log end (its data lost) is not trusted. */
    char path[256];
    snprintf(path, sizeof path, "%s/crash-0/producer.snapshot", f->dir);
    FILE *fp = fopen(path, "w");
    fprintf(fp, "kgw-producer-snapshot 1\noffset 999\np 9 0 0 -1 -1 1 100 200 0 100 0\n");
    fclose(fp);
    be_open(f);
    r = append_idem(f, "crash", 9, 0, 5, 1);
    CHECK("duplicate after ignoring a bad snapshot", 5, r.base_offset);
    r = append_idem(f, "crash", 9, 0, 6, 1);
    CHECK("next sequence after ignoring a bad snapshot", 0, r.error);
}

static void test_delete_with_appends_queued(void **state) {
    fx_t *f = *state;
    create(f, "gone", 2);
    kafka_buf_t buf = KAFKA_BUF_INIT;
    bspec_t s = {5, now_ms(), 1, KAFKA_CODEC_NONE, -1, -1, -1};
    build(&buf, &s);
    static waiter_t w[50];
    for (int i = 0; i < 50; i++) {
        w[i] = (waiter_t){.f = f};
        f->be->ops->append(f->be, "gone", i % 2, buf.ptr, buf.len, (int16_t)(i % 2 ? -1 : 1),
                           on_append, &w[i]);
    }
    kafka_buf_free(&buf);
    CHECK("delete", 0, f->be->ops->delete_topic(f->be, "gone"));
    uv_run(&f->loop, UV_RUN_DEFAULT);
    for (int i = 0; i < 50; i++) {
        if (!w[i].done ||
            (w[i].res.error != 0 && w[i].res.error != KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION))
            fail_msg("append %d: expected done with 0 or %d, got done %d error %d", i,
                     KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION, w[i].done, w[i].res.error);
    }
    create(f, "gone", 1);
    CHECK("recreated hw", 0, hw_of(f, "gone", 0));
}

static void test_producer_ids(void **state) {
    fx_t *f = *state;
    int64_t a, b, c;
    CHECK("allocate a", 0, f->be->ops->allocate_producer_id(f->be, &a));
    CHECK("allocate b", 0, f->be->ops->allocate_producer_id(f->be, &b));
    CHECK("b = a + 1", a + 1, b);
    be_reopen(f);
    CHECK("allocate c", 0, f->be->ops->allocate_producer_id(f->be, &c));
    if (c <= b)
        fail_msg("producer id after reopen: expected > %" PRId64 ", got %" PRId64, b, c);
}

/* ---- timestamps ---- */

static void test_log_append_time(void **state) {
    fx_t *f = *state;
    kgw_config_entry_t cfg = {"message.timestamp.type", "LogAppendTime"};
    CHECK("create", 0, f->be->ops->create_topic(f->be, "lat", 1, &cfg, 1, NULL));
    bspec_t s = {3, 1000, 1, KAFKA_CODEC_GZIP, -1, -1, -1};
    int64_t before = now_ms() - 1000;
    kgw_append_result_t r = append_spec(f, "lat", 0, 1, &s);
    CHECK("error", 0, r.error);
    if (r.log_append_time < before)
        fail_msg("log_append_time: expected >= %" PRId64 ", got %" PRId64, before,
                 r.log_append_time);
    kgw_read_result_t rd;
    f->be->ops->read(f->be, "lat", 0, 0, 1 << 20, &rd);
    kafka_batch_t b;
    kafka_rec_err_t err;
    CHECK("stored batch CRC", 0, kafka_batch_parse(rd.data, rd.len, 0, &b, &err));
    CHECK("LogAppendTime attribute", 1, kafka_batch_is_log_append_time(&b));
    CHECK("max timestamp", r.log_append_time, b.max_timestamp);
    CHECK("first timestamp kept", 1000, b.first_timestamp);
    kafka_record_iter_t it;
    CHECK("record iter", 0, kafka_record_iter_init(&it, &b, 0, &err));
    kafka_record_t rec;
    int n = 0;
    while (kafka_record_iter_next(&it, &rec, &err) == 1) {
        CHECK("record timestamp", r.log_append_time, rec.timestamp);
        n++;
    }
    kafka_record_iter_free(&it);
    CHECK("records", 3, n);
    f->be->ops->read_release(f->be, &rd);

    /* Switching back to CreateTime keeps the producer's timestamps. */
    CHECK("set CreateTime", 0,
          f->be->ops->set_topic_config(f->be, "lat", "message.timestamp.type", "CreateTime"));
    r = append_spec(f, "lat", 0, 1, &s);
    CHECK("CreateTime log_append_time", -1, r.log_append_time);
}

static void check_ts(fx_t *f, const char *topic, int64_t ts, int64_t want_off, int64_t want_ts) {
    int64_t off, got_ts;
    CHECK("offset_for_timestamp", 0,
          f->be->ops->offset_for_timestamp(f->be, topic, 0, ts, &off, &got_ts));
    if (off != want_off || got_ts != want_ts)
        fail_msg("ts %" PRId64 ": expected offset %" PRId64 " ts %" PRId64 ", got %" PRId64
                 " ts %" PRId64,
                 ts, want_off, want_ts, off, got_ts);
}

static void test_offset_for_timestamp(void **state) {
    fx_t *f = *state;
    create(f, "ts", 1);
    bspec_t b1 = {3, 100, 100, KAFKA_CODEC_NONE, -1, -1, -1}; /* 0..2: 100 200 300 */
    bspec_t b2 = {2, 400, 100, KAFKA_CODEC_LZ4, -1, -1, -1};  /* 3..4: 400 500 */
    bspec_t b3 = {2, 450, -10, KAFKA_CODEC_NONE, -1, -1, -1}; /* 5..6: 450 440 */
    append_spec(f, "ts", 0, 1, &b1);
    append_spec(f, "ts", 0, 1, &b2);
    append_spec(f, "ts", 0, 1, &b3);
    check_ts(f, "ts", 50, 0, 100);
    check_ts(f, "ts", 200, 1, 200);
    check_ts(f, "ts", 250, 2, 300);
    check_ts(f, "ts", 301, 3, 400);
    check_ts(f, "ts", 460, 4, 500);
    check_ts(f, "ts", 501, -1, -1);
    check_ts(f, "ts", -1, 7, -1);
    check_ts(f, "ts", -2, 0, -1);
    check_ts(f, "ts", -3, 4, 500);
    bspec_t b4 = {3, 900, -100, KAFKA_CODEC_NONE, -1, -1, -1}; /* 7..9: 900 800 700 */
    append_spec(f, "ts", 0, 1, &b4);
    check_ts(f, "ts", -3, 7, 900);
    check_ts(f, "ts", 750, 7, 900);

    int64_t low;
    CHECK("delete_records", 0, f->be->ops->delete_records(f->be, "ts", 0, 8, &low));
    CHECK("low watermark", 8, low);
    check_ts(f, "ts", 50, 8, 800);
    check_ts(f, "ts", -3, 8, 800);
    check_ts(f, "ts", -2, 8, -1);
}

static void test_delete_records(void **state) {
    fx_t *f = *state;
    create(f, "dr", 1);
    append_n(f, "dr", 5, 1000);
    append_n(f, "dr", 5, 2000);
    int64_t low;
    CHECK("delete to 3", 0, f->be->ops->delete_records(f->be, "dr", 0, 3, &low));
    CHECK("low", 3, low);
    kgw_read_result_t r;
    f->be->ops->read(f->be, "dr", 0, 2, 1 << 20, &r);
    CHECK("read below start", KAFKA_ERROR_OFFSET_OUT_OF_RANGE, r.error);
    CHECK("log start reported", 3, r.log_start_offset);
    f->be->ops->read_release(f->be, &r);
    CHECK("beyond hw", KGW_EINVAL, f->be->ops->delete_records(f->be, "dr", 0, 11, &low));
    CHECK("delete to hw", 0, f->be->ops->delete_records(f->be, "dr", 0, -1, &low));
    CHECK("low = hw", 10, low);
    CHECK("missing", KGW_ENOTFOUND, f->be->ops->delete_records(f->be, "none", 0, 1, &low));
    be_reopen(f);
    int64_t ls, hw;
    f->be->ops->offsets(f->be, "dr", 0, &ls, &hw);
    CHECK("log start after reopen", 10, ls);
    CHECK("hw after reopen", 10, hw);
}

typedef struct log_start_watch {
    const char *topic;
    int64_t ls;
} log_start_watch_t;

static bool log_start_moved(fx_t *f, void *arg) {
    log_start_watch_t *w = arg;
    int64_t hw;
    f->be->ops->offsets(f->be, w->topic, 0, &w->ls, &hw);
    return w->ls != 0;
}

/* Runs the loop for ms milliseconds, or until the log start moves past 0. */
static void run_until_log_start_moves(fx_t *f, const char *topic, int ms, int64_t *ls) {
    log_start_watch_t w = {topic, 0};
    run_until(f, ms, log_start_moved, &w);
    *ls = w.ls;
}

static void test_retention_config(void **state) {
    fx_t *f = *state;
    be_close(f);
    f->cfg.log_retention_check_interval_ms = 20;
    be_open(f);
    kgw_config_entry_t cfg[] = {{"segment.bytes", "200"}};
    CHECK("create", 0, f->be->ops->create_topic(f->be, "ret", 1, cfg, 1, NULL));
    int64_t old = now_ms() - 3600 * 1000;
    for (int i = 0; i < 5; i++)
        append_n(f, "ret", 3, old);
    int64_t ls, hw;
    f->be->ops->offsets(f->be, "ret", 0, &ls, &hw);
    CHECK("log start before retention", 0, ls);
    CHECK("set retention.ms", 0,
          f->be->ops->set_topic_config(f->be, "ret", "retention.ms", "60000"));
    run_until_log_start_moves(f, "ret", 2000, &ls);
    f->be->ops->offsets(f->be, "ret", 0, &ls, &hw);
    if (ls == 0)
        fail_msg("retention: expected the log start to move past 0 within 2 s, still 0");
    CHECK("hw kept", 15, hw);
}

static void test_retention_skips_compact_only(void **state) {
    fx_t *f = *state;
    be_close(f);
    f->cfg.log_retention_check_interval_ms = 20;
    be_open(f);
    kgw_config_entry_t cfg[] = {
        {"segment.bytes", "200"}, {"retention.ms", "60000"}, {"cleanup.policy", "compact"}};
    CHECK("create", 0, f->be->ops->create_topic(f->be, "cmp", 1, cfg, 3, NULL));
    for (int i = 0; i < 5; i++)
        append_n(f, "cmp", 3, now_ms() - 3600 * 1000);
    int64_t ls;
    run_until_log_start_moves(f, "cmp", 300, &ls);
    CHECK("log start of a compact-only topic after retention checks", 0, ls);
    CHECK("set cleanup.policy", 0,
          f->be->ops->set_topic_config(f->be, "cmp", "cleanup.policy", "compact, delete"));
    run_until_log_start_moves(f, "cmp", 2000, &ls);
    if (ls == 0)
        fail_msg("cleanup.policy=compact,delete: expected retention to move the log start "
                 "within 2 s, still 0");
}

/* One batch of `keys` records, key "k<i>" and value "v<round>" each. */
static kgw_append_result_t append_keyed(fx_t *f, const char *topic, int keys, int round) {
    kafka_batch_params_t p;
    kafka_batch_params_init(&p);
    kafka_batch_builder_t b;
    kafka_batch_builder_init(&b, &p);
    for (int i = 0; i < keys; i++) {
        char key[16], val[16];
        int kn = snprintf(key, sizeof key, "k%d", i);
        int vn = snprintf(val, sizeof val, "v%d", round);
        kafka_record_in_t r = {
            .timestamp = now_ms(),
            .key = {(const uint8_t *)key, kn},
            .value = {(const uint8_t *)val, vn},
        };
        CHECK("kafka_batch_builder_add", 0, kafka_batch_builder_add(&b, &r));
    }
    kafka_buf_t buf = KAFKA_BUF_INIT;
    CHECK("kafka_batch_builder_finish", 0, kafka_batch_builder_finish(&b, &buf));
    kafka_batch_builder_free(&b);
    waiter_t w = {.f = f};
    f->be->ops->append(f->be, topic, 0, buf.ptr, buf.len, 1, on_append, &w);
    kafka_buf_free(&buf);
    while (!w.done)
        uv_run(&f->loop, UV_RUN_ONCE);
    return w.res;
}

typedef struct keyed_scan {
    int records;
    int64_t last_offset;
    bool ordered;
    char last_value[8][16]; /* by key index */
} keyed_scan_t;

/* Reads the whole partition as a consumer would, batch by batch. */
static void scan_keyed(fx_t *f, const char *topic, keyed_scan_t *s) {
    memset(s, 0, sizeof *s);
    s->last_offset = -1;
    s->ordered = true;
    int64_t ls, hw, off;
    CHECK("offsets", 0, f->be->ops->offsets(f->be, topic, 0, &ls, &hw));
    for (off = ls; off < hw;) {
        kgw_read_result_t r;
        CHECK("read", 0, f->be->ops->read(f->be, topic, 0, off, 1 << 20, &r));
        kafka_batch_iter_t it;
        kafka_batch_iter_init(&it, r.data, r.len, 0);
        kafka_batch_t bt;
        kafka_rec_err_t err;
        int64_t next = off;
        while (kafka_batch_iter_next(&it, &bt, &err) == 1) {
            next = kafka_batch_last_offset(&bt) + 1;
            kafka_record_iter_t ri;
            CHECK("record iterator", 0, kafka_record_iter_init(&ri, &bt, 0, &err));
            kafka_record_t rec;
            while (kafka_record_iter_next(&ri, &rec, &err) == 1) {
                if (rec.offset < off)
                    continue;
                s->ordered = s->ordered && rec.offset > s->last_offset;
                s->last_offset = rec.offset;
                s->records++;
                int k = atoi((const char *)rec.key.ptr + 1);
                if (k >= 0 && k < 8)
                    snprintf(s->last_value[k], sizeof s->last_value[k], "%.*s", (int)rec.value.len,
                             (const char *)rec.value.ptr);
            }
            kafka_record_iter_free(&ri);
        }
        f->be->ops->read_release(f->be, &r);
        if (next <= off)
            fail_msg("read at %lld made no progress", (long long)off);
        off = next;
    }
}

static bool compacted(fx_t *f, void *arg) {
    keyed_scan_t *s = arg;
    scan_keyed(f, "ck", s);
    return s->records != 200;
}

static void test_compaction(void **state) {
    fx_t *f = *state;
    be_close(f);
    f->cfg.log_cleaner_enable = true;
    f->cfg.log_cleaner_backoff_ms = 20;
    be_open(f);
    kgw_config_entry_t cfg[] = {{"cleanup.policy", "compact"},
                                {"segment.bytes", "1024"},
                                {"min.cleanable.dirty.ratio", "0.01"}};
    CHECK("create", 0, f->be->ops->create_topic(f->be, "ck", 1, cfg, 3, NULL));
    for (int round = 0; round < 40; round++)
        CHECK("append", 0, append_keyed(f, "ck", 5, round).error);
    keyed_scan_t s;
    scan_keyed(f, "ck", &s);
    CHECK("records before compaction", 200, s.records);
    run_until(f, 3000, compacted, &s);
    if (s.records == 200)
        fail_msg("compaction: expected fewer than 200 records within 3 s, still 200");
    if (!s.ordered)
        fail_msg("compaction: offsets read back out of order");
    CHECK("last offset kept", 199, s.last_offset);
    CHECK("hw unchanged", 200, hw_of(f, "ck", 0));
    for (int k = 0; k < 5; k++)
        if (strcmp(s.last_value[k], "v39") != 0)
            fail_msg("key k%d: expected last value v39, got '%s'", k, s.last_value[k]);
    /* Only the active segment can still hold superseded values. */
    if (s.records > 200 - 5 * 30)
        fail_msg("compaction: expected at most %d records left, got %d", 200 - 5 * 30, s.records);
    /* Deleting the topic waits for any pass and then removes it. */
    CHECK("delete", 0, f->be->ops->delete_topic(f->be, "ck"));
}

/* ---- shutdown ---- */

#define DRAIN_N 100

static void test_shutdown_drains(void **state) {
    fx_t *f = *state;
    create(f, "drain", 1);
    kafka_buf_t buf = KAFKA_BUF_INIT;
    bspec_t s = {2, now_ms(), 1, KAFKA_CODEC_NONE, -1, -1, -1};
    build(&buf, &s);
    static waiter_t w[DRAIN_N];
    for (int i = 0; i < DRAIN_N; i++) {
        w[i] = (waiter_t){.f = f};
        f->be->ops->append(f->be, "drain", 0, buf.ptr, buf.len, (int16_t)(i % 3 - 1), on_append,
                           &w[i]);
    }
    bool done = false;
    f->be->ops->shutdown(f->be, on_shutdown, &done);
    waiter_t late = {.f = f};
    f->be->ops->append(f->be, "drain", 0, buf.ptr, buf.len, 1, on_append, &late);
    kafka_buf_free(&buf);
    if (late.done)
        fail_msg("an append refused during shutdown must still complete on the loop");
    while (!done)
        uv_run(&f->loop, UV_RUN_ONCE);
    for (int i = 0; i < DRAIN_N; i++) {
        if (!w[i].done || w[i].res.error != 0)
            fail_msg("append %d: expected completed with error 0 before done, got done %d error %d",
                     i, w[i].done, w[i].res.error);
    }
    CHECK("late append completed", 1, late.done);
    CHECK("late append error", KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER, late.res.error);
    f->be->ops->destroy(f->be);
    be_open(f);
    CHECK("hw after reopen", DRAIN_N * 2, hw_of(f, "drain", 0));
}

/* ---- several log dirs ---- */

/* Reopens the backend on f->dir/a and f->dir/b (made canonical, as the
 * backend reports them). */
static void use_two_dirs(fx_t *f, char a[256], char b[256]) {
    be_close(f);
    char *root = realpath(f->dir, NULL);
    snprintf(a, 256, "%s/a", root);
    snprintf(b, 256, "%s/b", root);
    free(root);
    snprintf(f->cfg.log_dirs, sizeof f->cfg.log_dirs, "%s, %s", a, b);
    be_open(f);
}

typedef struct placed {
    const char *topic;
    int32_t partition;
    const char *dir;
} placed_t;

typedef struct where {
    const placed_t *want;
    size_t n;
    int seen;
} where_t;

static int check_size_dir(void *arg, const kgw_partition_size_t *p) {
    where_t *w = arg;
    for (size_t i = 0; i < w->n; i++) {
        if (strcmp(w->want[i].topic, p->topic) != 0 || w->want[i].partition != p->partition)
            continue;
        w->seen++;
        if (!p->log_dir || strcmp(p->log_dir, w->want[i].dir) != 0)
            fail_msg("%s-%d: expected in log dir %s, reported in %s", p->topic, (int)p->partition,
                     w->want[i].dir, p->log_dir ? p->log_dir : "(null)");
    }
    return 0;
}

/* Each partition's directory exists in its dir only, and the backend
 * reports that dir for it. */
static void check_placement(fx_t *f, const placed_t *want, size_t n, const char *a, const char *b) {
    for (size_t i = 0; i < n; i++) {
        const char *other = strcmp(want[i].dir, a) == 0 ? b : a;
        char path[600];
        snprintf(path, sizeof path, "%s/%s-%d", want[i].dir, want[i].topic, (int)want[i].partition);
        if (!dir_exists(path))
            fail_msg("expected %s to exist", path);
        snprintf(path, sizeof path, "%s/%s-%d", other, want[i].topic, (int)want[i].partition);
        if (dir_exists(path))
            fail_msg("expected %s not to exist (the partition belongs in %s)", path, want[i].dir);
    }
    where_t w = {want, n, 0};
    f->be->ops->list_partition_sizes(f->be, check_size_dir, &w);
    CHECK("partitions listed with a log dir", (int64_t)n, w.seen);
}

static void test_dirs_placement(void **state) {
    fx_t *f = *state;
    char a[256], b[256];
    use_two_dirs(f, a, b);
    dirs_t d = {0};
    f->be->ops->list_log_dirs(f->be, collect_dir, &d);
    CHECK("log dirs", 2, d.n);
    assert_string_equal(a, d.v[0]);
    assert_string_equal(b, d.v[1]);

    /* Fewest partitions wins, the earlier dir on a tie. */
    create(f, "x", 3); /* a, b, a */
    create(f, "y", 1); /* b: 1 partition against a's 2 */
    CHECK("grow y", 0, f->be->ops->create_partitions(f->be, "y", 3)); /* a (tie), then b */
    const placed_t before[] = {{"x", 0, a}, {"x", 1, b}, {"x", 2, a},
                               {"y", 0, b}, {"y", 1, a}, {"y", 2, b}};
    check_placement(f, before, 6, a, b);
    CHECK("delete x", 0, f->be->ops->delete_topic(f->be, "x")); /* a:1 b:2 */
    create(f, "z", 2);                                          /* a, then a (tie) */
    const placed_t after[] = {{"y", 0, b}, {"y", 1, a}, {"y", 2, b}, {"z", 0, a}, {"z", 1, a}};
    check_placement(f, after, 5, a, b);

    /* Broker-wide files stay in the first dir. */
    int64_t pid;
    CHECK("producer id", 0, f->be->ops->allocate_producer_id(f->be, &pid));
    char path[600];
    const char *first_only[] = {"__kgw_topics", "__kgw_producer_ids"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", a, first_only[i]);
        if (!dir_exists(path))
            fail_msg("expected %s in the first log dir", path);
        snprintf(path, sizeof path, "%s/%s", b, first_only[i]);
        if (dir_exists(path))
            fail_msg("expected no %s in the second log dir", path);
    }
}

static void test_dirs_reopen(void **state) {
    fx_t *f = *state;
    char a[256], b[256];
    use_two_dirs(f, a, b);
    create(f, "r", 4); /* a b a b */
    bspec_t s = {3, now_ms(), 1, KAFKA_CODEC_NONE, -1, -1, -1};
    for (int32_t p = 0; p < 4; p++) {
        s.count = 1 + p;
        CHECK("append", 0, append_spec(f, "r", p, 1, &s).error);
    }
    /* A partition is found in whichever dir holds it (r-0 moved to b by
     * hand); one whose directory is gone (r-2) comes back, empty, in the
     * least loaded dir: a, which now holds none. */
    be_close(f);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/r-2' && mv '%s/r-0' '%s/r-0'", a, a, b);
    CHECK(cmd, 0, system(cmd));
    be_open(f);
    const placed_t want[] = {{"r", 0, b}, {"r", 1, b}, {"r", 2, a}, {"r", 3, b}};
    check_placement(f, want, 4, a, b);
    CHECK("hw r-0 (moved to b)", 1, hw_of(f, "r", 0));
    CHECK("hw r-1", 2, hw_of(f, "r", 1));
    CHECK("hw r-2 (recreated empty)", 0, hw_of(f, "r", 2));
    CHECK("hw r-3", 4, hw_of(f, "r", 3));
    kgw_read_result_t r;
    CHECK("read r-3", 0, f->be->ops->read(f->be, "r", 3, 0, 1 << 20, &r));
    CHECK("read r-3: error", 0, r.error);
    if (r.len == 0)
        fail_msg("read r-3 after reopen: expected its batch, got no bytes");
    f->be->ops->read_release(f->be, &r);
}

static int count_entries(const char *dir, const char *pattern) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c -- '%s'", dir, pattern);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (fscanf(p, "%d", &n) != 1)
        n = -1;
    pclose(p);
    return n;
}

static void test_dirs_delete(void **state) {
    fx_t *f = *state;
    char a[256], b[256];
    use_two_dirs(f, a, b);
    create(f, "gone", 4);
    create(f, "stay", 1);
    CHECK("append", 0, append_n(f, "gone", 3, now_ms()).error);
    CHECK("gone-* in a before delete", 2, count_entries(a, "^gone-"));
    CHECK("gone-* in b before delete", 2, count_entries(b, "^gone-"));
    CHECK("delete", 0, f->be->ops->delete_topic(f->be, "gone"));
    be_close(f); /* the I/O thread has removed the renamed directories */
    CHECK("gone-* left in a", 0, count_entries(a, "^gone-"));
    CHECK("gone-* left in b", 0, count_entries(b, "^gone-"));
    CHECK("-delete left in a", 0, count_entries(a, "-delete$"));
    CHECK("-delete left in b", 0, count_entries(b, "-delete$"));
    be_open(f);
    kgw_topic_info_t info;
    CHECK("get deleted", KGW_ENOTFOUND, f->be->ops->get_topic(f->be, "gone", &info));
    CHECK("other topic kept", 0, f->be->ops->get_topic(f->be, "stay", &info));
}

static void test_dirs_partition_twice(void **state) {
    fx_t *f = *state;
    char a[256], b[256];
    use_two_dirs(f, a, b);
    /* A stale directory left in the other dir by a crashed delete is
     * cleared when a topic of that name is created. */
    char path[600];
    snprintf(path, sizeof path, "%s/dup-0", b);
    CHECK("mkdir stale", 0, mkdir(path, 0755));
    create(f, "dup", 2); /* dup-0 in a, dup-1 in b */
    if (dir_exists(path))
        fail_msg("expected the stale %s to be removed when dup was created", path);
    be_reopen(f);

    be_close(f);
    CHECK("mkdir copy", 0, mkdir(path, 0755));
    char err[1024] = "";
    kgw_backend_t *be = NULL;
    int rc = kgw_embedded_open(&be, &f->loop, &f->cfg, err, sizeof err);
    if (be)
        f->be = be; /* teardown closes it */
    CHECK("open with dup-0 in both dirs", KGW_EINVAL, rc);
    char in_a[600];
    snprintf(in_a, sizeof in_a, "%s/dup-0", a);
    if (!strstr(err, in_a) || !strstr(err, path))
        fail_msg("error: expected both %s and %s named, got '%s'", in_a, path, err);
}

static void test_dirs_listed_twice(void **state) {
    fx_t *f = *state;
    be_close(f);
    const char *lists[] = {"%s/a,%s/a", "%s/a,%s/./a/", "%s/a,,%s/b"};
    for (int i = 0; i < 3; i++) {
        char list[600];
        snprintf(list, sizeof list, lists[i], f->dir, f->dir);
        snprintf(f->cfg.log_dirs, sizeof f->cfg.log_dirs, "%s", list);
        char err[1024] = "";
        kgw_backend_t *be = NULL;
        int rc = kgw_embedded_open(&be, &f->loop, &f->cfg, err, sizeof err);
        if (rc != KGW_EINVAL || be)
            fail_msg("log.dirs=%s: expected KGW_EINVAL (%d), got %d (%s)", list, KGW_EINVAL, rc,
                     err);
    }
}

static void test_dir_locked(void **state) {
    fx_t *f = *state;
    kgw_backend_t *second = NULL;
    int rc = kgw_embedded_open(&second, &f->loop, &f->cfg, NULL, 0);
    CHECK("second open of the same dir", KGW_EIO, rc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_topic_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_topics_create_list_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_keeps_topics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_partitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partition_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_acks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_commit_pipelined, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_interval_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multi_batch_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sequence_wraps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_producer_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dup_after_reopen_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dup_after_reopen_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dup_after_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_with_appends_queued, setup, teardown),
        cmocka_unit_test_setup_teardown(test_producer_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_append_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offset_for_timestamp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention_skips_compact_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shutdown_drains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dirs_placement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dirs_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dirs_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dirs_partition_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dirs_listed_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_locked, setup, teardown),
    };
    return cmocka_run_group_tests_name("embedded", tests, NULL, NULL);
}
