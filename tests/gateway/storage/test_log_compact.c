/* Log compaction (kgw_log_compact): which records survive, what the rebuilt
 * batches look like, what reads and time lookups return afterwards, crash
 * safety at every step of the swap, and the key map. Real files, real
 * record batches built with runtime/records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kafka/records.h"
#include "log.h"
#include "log_fixture.h"
#include "log_internal.h"

/* ---- the model: records as written, and what a pass should keep ---- */

typedef struct mrec {
    int64_t offset, ts;
    bool key_null, value_null;
    char key[24], value[40], hdr[24]; /* hdr "": no header; else one header "h" */
} mrec_t;

typedef struct model {
    mrec_t *r;
    size_t n, cap;
} model_t;

static void model_add(model_t *m, const mrec_t *r) {
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->r = realloc(m->r, m->cap * sizeof *m->r);
        assert_non_null(m->r);
    }
    m->r[m->n++] = *r;
}

static void model_free(model_t *m) {
    free(m->r);
    memset(m, 0, sizeof *m);
}

static bool same_key(const mrec_t *a, const mrec_t *b) {
    return !a->key_null && !b->key_null && strcmp(a->key, b->key) == 0;
}

/* One pass over in: the map holds each key's last offset among records in
 * [first_dirty, end); below end a record survives when it has a key the map
 * does not hold at a higher offset. Tombstones are not expired here. */
static void model_pass(const model_t *in, int64_t first_dirty, int64_t end, model_t *out) {
    for (size_t i = 0; i < in->n; i++) {
        const mrec_t *r = &in->r[i];
        bool keep = r->offset >= end;
        if (!keep && !r->key_null) {
            keep = true;
            for (size_t j = i + 1; j < in->n && keep; j++)
                if (in->r[j].offset >= first_dirty && in->r[j].offset < end &&
                    same_key(r, &in->r[j]))
                    keep = false;
        }
        if (keep)
            model_add(out, r);
    }
}

static void describe(const mrec_t *r, char *out, size_t cap) {
    snprintf(out, cap, "offset %" PRId64 " ts %" PRId64 " key %s value %s hdr %s", r->offset, r->ts,
             r->key_null ? "(null)" : r->key, r->value_null ? "(null)" : r->value, r->hdr);
}

static void assert_model_equal(const model_t *want, const model_t *got) {
    for (size_t i = 0; i < want->n || i < got->n; i++) {
        char w[160] = "(none)", g[160] = "(none)";
        if (i < want->n)
            describe(&want->r[i], w, sizeof w);
        if (i < got->n)
            describe(&got->r[i], g, sizeof g);
        if (strcmp(w, g) != 0)
            fail_msg("record %zu of the log: expected [%s], got [%s] (%zu expected, %zu read)", i,
                     w, g, want->n, got->n);
    }
}

/* ---- fixture ---- */

typedef struct fixture {
    char dir[64];
    kgw_log_config_t cfg;
    kgw_log_t log;
    bool open;
    model_t written;
} fixture_t;

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    if (!lf_make_dir(f->dir, "compact-test"))
        return -1;
    kgw_log_config_default(&f->cfg);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    kgw_compact_test_hook = NULL;
    kgw_compact_test_hook_arg = NULL;
    if (f->open)
        kgw_log_close(&f->log);
    lf_remove_dir(f->dir);
    model_free(&f->written);
    free(f);
    return 0;
}

static void reopen(fixture_t *f) {
    lf_reopen(&f->log, &f->open, f->dir, &f->cfg);
}

typedef struct bopts {
    int codec;
    int64_t pid;
    int16_t epoch;
    int32_t seq;
    bool log_append_time;
} bopts_t;

static const bopts_t PLAIN = {KAFKA_CODEC_NONE, -1, -1, -1, false};

/* Append recs[0..n) as one batch; their offsets are filled in and they join
 * the fixture's model of everything written. */
static int64_t append_batch(fixture_t *f, mrec_t *recs, int n, const bopts_t *o, int64_t now) {
    kafka_batch_params_t p;
    kafka_batch_params_init(&p);
    p.codec = o->codec;
    p.producer_id = o->pid;
    p.producer_epoch = o->epoch;
    p.base_sequence = o->seq;
    p.log_append_time = o->log_append_time;
    p.log_append_time_ms = recs[n - 1].ts;
    kafka_batch_builder_t b;
    kafka_batch_builder_init(&b, &p);
    for (int i = 0; i < n; i++) {
        kafka_header_t h = {{(const uint8_t *)"h", 1},
                            {(const uint8_t *)recs[i].hdr, (int32_t)strlen(recs[i].hdr)}};
        kafka_record_in_t in = {
            .timestamp = recs[i].ts,
            .key = recs[i].key_null ? (kafka_bytes_t){NULL, -1}
                                    : (kafka_bytes_t){(const uint8_t *)recs[i].key,
                                                      (int32_t)strlen(recs[i].key)},
            .value = recs[i].value_null ? (kafka_bytes_t){NULL, -1}
                                        : (kafka_bytes_t){(const uint8_t *)recs[i].value,
                                                          (int32_t)strlen(recs[i].value)},
            .headers = recs[i].hdr[0] ? &h : NULL,
            .header_count = recs[i].hdr[0] ? 1 : 0,
        };
        assert_int_equal(0, kafka_batch_builder_add(&b, &in));
    }
    kafka_buf_t out = KAFKA_BUF_INIT;
    assert_int_equal(0, kafka_batch_builder_finish(&b, &out));
    kafka_batch_builder_free(&b);
    int64_t base = -1;
    int rc = kgw_log_append(&f->log, out.ptr, out.len, now, &base);
    if (rc != 0)
        fail_msg("kgw_log_append: %s", kgw_log_strerror(rc));
    kafka_buf_free(&out);
    for (int i = 0; i < n; i++) {
        recs[i].offset = base + i;
        if (o->log_append_time)
            recs[i].ts = recs[n - 1].ts;
        model_add(&f->written, &recs[i]);
    }
    return base;
}

static mrec_t rec(const char *key, const char *value, int64_t ts) {
    mrec_t r;
    memset(&r, 0, sizeof r);
    r.ts = ts;
    r.key_null = key == NULL;
    r.value_null = value == NULL;
    if (key)
        snprintf(r.key, sizeof r.key, "%s", key);
    if (value)
        snprintf(r.value, sizeof r.value, "%s", value);
    return r;
}

/* One record in a batch of its own. */
static int64_t put(fixture_t *f, const char *key, const char *value, int64_t ts) {
    mrec_t r = rec(key, value, ts);
    snprintf(r.hdr, sizeof r.hdr, "t%" PRId64, ts);
    return append_batch(f, &r, 1, &PLAIN, ts);
}

/* Appended in a new segment, so that everything before becomes cleanable. */
static int64_t put_rolled(fixture_t *f, const char *key, const char *value, int64_t ts) {
    int64_t ms = f->log.cfg.segment_ms;
    f->log.cfg.segment_ms = 0;
    int64_t off = put(f, key, value, ts);
    f->log.cfg.segment_ms = ms;
    return off;
}

/* Every record from the log start to the end, every batch's CRC checked. */
static void read_all(fixture_t *f, model_t *out) {
    int64_t off = kgw_log_start_offset(&f->log), end = kgw_log_end_offset(&f->log);
    while (off < end) {
        kgw_log_read_t r;
        int rc = kgw_log_read(&f->log, off, 1 << 20, &r);
        if (rc != 0)
            fail_msg("kgw_log_read(%" PRId64 "): %s", off, kgw_log_strerror(rc));
        assert_true(r.len > 0);
        kafka_batch_iter_t bi;
        kafka_batch_iter_init(&bi, r.data, r.len, 0);
        kafka_batch_t b;
        kafka_rec_err_t err;
        kafka_rec_err_clear(&err);
        int n;
        while ((n = kafka_batch_iter_next(&bi, &b, &err)) == 1) {
            if (kafka_batch_last_offset(&b) < off)
                fail_msg("batch ending at %" PRId64 " returned for offset %" PRId64,
                         kafka_batch_last_offset(&b), off);
            kafka_record_iter_t it;
            assert_int_equal(0, kafka_record_iter_init(&it, &b, 0, &err));
            kafka_record_t x;
            while (kafka_record_iter_next(&it, &x, &err) == 1) {
                if (x.offset < off)
                    continue;
                mrec_t m;
                memset(&m, 0, sizeof m);
                m.offset = x.offset;
                m.ts = x.timestamp;
                m.key_null = x.key.len < 0;
                m.value_null = x.value.len < 0;
                if (x.key.len > 0)
                    snprintf(m.key, sizeof m.key, "%.*s", (int)x.key.len, (const char *)x.key.ptr);
                if (x.value.len > 0)
                    snprintf(m.value, sizeof m.value, "%.*s", (int)x.value.len,
                             (const char *)x.value.ptr);
                kafka_header_iter_t hi;
                kafka_header_iter_init(&hi, &x);
                kafka_header_t h;
                if (kafka_header_iter_next(&hi, &h) == 1)
                    snprintf(m.hdr, sizeof m.hdr, "%.*s", (int)h.value.len,
                             (const char *)h.value.ptr);
                model_add(out, &m);
            }
            assert_int_equal(0, err.code);
            kafka_record_iter_free(&it);
            off = kafka_batch_last_offset(&b) + 1;
        }
        if (n < 0)
            fail_msg("batch in the read at %" PRId64 " does not parse: %s", off,
                     err.reason ? err.reason : "?");
        kgw_log_read_free(&r);
    }
}

static void expect_log(fixture_t *f, const model_t *want) {
    model_t got = {0};
    read_all(f, &got);
    assert_model_equal(want, &got);
    model_free(&got);
}

/* A fetch at every offset that ever existed returns, as its first record at
 * or after that offset, the next survivor (Kafka's behaviour). */
static void check_reads(fixture_t *f, const model_t *survivors) {
    int64_t start = kgw_log_start_offset(&f->log), end = kgw_log_end_offset(&f->log);
    for (int64_t o = start; o < end; o++) {
        const mrec_t *want = NULL;
        for (size_t i = 0; i < survivors->n && !want; i++)
            if (survivors->r[i].offset >= o)
                want = &survivors->r[i];
        int64_t cur = o, found = -1;
        while (cur < end && found < 0) {
            kgw_log_read_t r;
            assert_int_equal(0, kgw_log_read(&f->log, cur, 1, &r));
            kafka_batch_t b;
            assert_int_equal(0, kafka_batch_parse(r.data, r.len, 0, &b, NULL));
            if (kafka_batch_last_offset(&b) < cur)
                fail_msg("read at %" PRId64 " returned a batch ending at %" PRId64, cur,
                         kafka_batch_last_offset(&b));
            kafka_record_iter_t it;
            assert_int_equal(0, kafka_record_iter_init(&it, &b, 0, NULL));
            kafka_record_t x;
            while (found < 0 && kafka_record_iter_next(&it, &x, NULL) == 1)
                if (x.offset >= o)
                    found = x.offset;
            kafka_record_iter_free(&it);
            cur = kafka_batch_last_offset(&b) + 1;
            kgw_log_read_free(&r);
        }
        if (found != (want ? want->offset : -1))
            fail_msg("fetch at %" PRId64 ": expected the next record at %" PRId64 ", got %" PRId64,
                     o, want ? want->offset : -1, found);
    }
}

/* The first batch a read at offset returns, copied. */
static uint8_t *batch_at(fixture_t *f, int64_t offset, kafka_batch_t *b) {
    kgw_log_read_t r;
    assert_int_equal(0, kgw_log_read(&f->log, offset, 1, &r));
    uint8_t *copy = malloc(r.len);
    assert_non_null(copy);
    memcpy(copy, r.data, r.len);
    kgw_log_read_free(&r);
    assert_int_equal(0, kafka_batch_parse(copy, SIZE_MAX, 0, b, NULL));
    return copy;
}

static void no_strays(fixture_t *f) {
    DIR *d = opendir(f->dir);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        size_t l = strlen(n);
        if ((l > 8 && strcmp(n + l - 8, ".cleaned") == 0) ||
            (l > 4 && strcmp(n + l - 4, ".tmp") == 0) || strcmp(n, "cleaner-swap") == 0)
            fail_msg("leftover file %s", n);
    }
    closedir(d);
}

static kgw_log_compact_opts_t opts_all(void) {
    kgw_log_compact_opts_t o;
    kgw_log_compact_opts_default(&o);
    o.min_cleanable_dirty_ratio = 0;
    o.max_map_bytes = 1 << 20;
    return o;
}

static void compact_ok(fixture_t *f, int64_t now, const kgw_log_compact_opts_t *o,
                       kgw_log_compact_stats_t *st) {
    int rc = kgw_log_compact(&f->log, now, o, st);
    if (rc != 0)
        fail_msg("kgw_log_compact: %s", kgw_log_strerror(rc));
}

static uint8_t *slurp(const char *path, size_t *len) {
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    assert_non_null(buf);
    assert_int_equal(n, (long)fread(buf, 1, (size_t)n, fp));
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

/* ---- survivors ---- */

static void test_latest_value_per_key(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 1000;
    reopen(f);
    char k[16], v[16];
    for (int round = 0; round < 12; round++) {
        for (int key = 0; key < 6; key++) {
            snprintf(k, sizeof k, "k%d", key);
            snprintf(v, sizeof v, "v%d.%d", key, round);
            put(f, k, v, 1000 + round * 10 + key);
        }
    }
    size_t nseg = kgw_log_segment_count(&f->log);
    assert_true(nseg >= 5);
    int64_t start = kgw_log_start_offset(&f->log), end = kgw_log_end_offset(&f->log);
    int64_t active = f->log.segs[nseg - 1]->base;
    int64_t before = kgw_log_size_bytes(&f->log);

    kgw_log_compact_opts_t o = opts_all();
    kgw_log_compact_stats_t st;
    compact_ok(f, 5000, &o, &st);
    assert_true(st.cleaned);
    assert_false(st.aborted);
    assert_false(st.map_full);
    assert_int_equal(0, st.first_dirty_offset);
    assert_int_equal(active, st.first_uncleanable_offset);
    assert_int_equal(active, st.end_offset);
    assert_int_equal(6, st.map_keys);

    model_t want = {0};
    model_pass(&f->written, 0, active, &want);
    expect_log(f, &want);
    check_reads(f, &want);
    assert_int_equal((int64_t)(f->written.n - want.n), st.records_removed);
    assert_int_equal(st.records_removed, (int64_t)(active - 6));
    assert_true(st.bytes_after < st.bytes_before);
    assert_int_equal(before - st.bytes_before + st.bytes_after, kgw_log_size_bytes(&f->log));
    assert_int_equal((int32_t)nseg - 1, st.segments_rewritten);
    /* Full segments: too big to merge (Kafka groups by size before cleaning). */
    assert_int_equal(st.segments_rewritten, st.segments_written);
    assert_int_equal(start, kgw_log_start_offset(&f->log));
    assert_int_equal(end, kgw_log_end_offset(&f->log));
    assert_int_equal(end, kgw_log_high_watermark(&f->log));
    assert_int_equal(active, f->log.clean_offset);
    no_strays(f);

    /* Nothing dirty is cleanable now: a second pass does nothing. */
    compact_ok(f, 5000, &o, &st);
    assert_false(st.cleaned);
    assert_int_equal(active, st.first_dirty_offset);
    expect_log(f, &want);

    /* More rounds: the next pass dedupes against the new values and merges
     * the shrunken segments. */
    for (int round = 12; round < 20; round++) {
        for (int key = 0; key < 6; key += 2) {
            snprintf(k, sizeof k, "k%d", key);
            snprintf(v, sizeof v, "v%d.%d", key, round);
            put(f, k, v, 2000 + round * 10 + key);
        }
    }
    nseg = kgw_log_segment_count(&f->log);
    int64_t active2 = f->log.segs[nseg - 1]->base;
    compact_ok(f, 5000, &o, &st);
    assert_true(st.cleaned);
    assert_int_equal(active, st.first_dirty_offset);
    assert_int_equal(active2, st.end_offset);
    assert_int_equal(6, st.map_keys); /* the old active segment holds all six */
    assert_true(st.segments_written < st.segments_rewritten);
    model_t want2 = {0};
    model_pass(&f->written, 0, active2, &want2);
    expect_log(f, &want2);
    check_reads(f, &want2);
    model_free(&want);
    model_free(&want2);
}

/* Segments left with only record-less headers are read through: one read
 * from the log start reaches the next record (a response of empty batches
 * alone stalls some clients). */
static void test_read_passes_header_only_segments(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 100; /* one batch a segment, too big to merge */
    reopen(f);
    put(f, "k", "v0", 1000);
    put(f, "k", "v1", 1001);
    put(f, "k", "v2", 1002);
    put(f, "other", "x", 1003);
    assert_int_equal(4, kgw_log_segment_count(&f->log));
    kgw_log_compact_opts_t o = opts_all();
    kgw_log_compact_stats_t st;
    compact_ok(f, 5000, &o, &st);
    assert_true(st.cleaned);
    kgw_log_read_t r;
    assert_int_equal(0, kgw_log_read(&f->log, 0, 1 << 20, &r));
    kafka_batch_iter_t bi;
    kafka_batch_iter_init(&bi, r.data, r.len, 0);
    kafka_batch_t b;
    kafka_rec_err_t err;
    int64_t batches = 0, records = 0;
    while (kafka_batch_iter_next(&bi, &b, &err) == 1) {
        batches++;
        records += b.record_count;
    }
    kgw_log_read_free(&r);
    if (records == 0)
        fail_msg("read at 0 after compaction: expected a batch with records among the %" PRId64
                 " returned, got only empty ones",
                 batches);
}

/* Sets the cancel flag when the key map is built, and lets the pass go on. */
static bool cancel_hook(enum kgw_compact_point at, void *arg) {
    if (at == KGW_COMPACT_AT_MAPPED)
        atomic_store((atomic_bool *)arg, true);
    return false;
}

/* A cancelled pass changes nothing, whether it is cancelled before it
 * starts or while it reads; the next one runs in full. */
static void test_cancel(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 1000;
    reopen(f);
    for (int round = 0; round < 8; round++)
        for (int key = 0; key < 4; key++) {
            char k[8], v[16];
            snprintf(k, sizeof k, "k%d", key);
            snprintf(v, sizeof v, "v%d.%d", key, round);
            put(f, k, v, 1000 + round * 10 + key);
        }
    model_t before = {0};
    read_all(f, &before);
    atomic_bool cancel;
    atomic_init(&cancel, true);
    kgw_log_compact_opts_t o = opts_all();
    o.cancel = &cancel;
    kgw_log_compact_stats_t st;
    compact_ok(f, 5000, &o, &st);
    assert_true(st.aborted);
    assert_false(st.cleaned);
    expect_log(f, &before);

    atomic_store(&cancel, false);
    kgw_compact_test_hook = cancel_hook;
    kgw_compact_test_hook_arg = &cancel;
    compact_ok(f, 5000, &o, &st);
    kgw_compact_test_hook = NULL;
    assert_true(st.aborted);
    assert_false(st.cleaned);
    expect_log(f, &before);
    no_strays(f);

    atomic_store(&cancel, false);
    compact_ok(f, 5000, &o, &st);
    assert_true(st.cleaned);
    assert_true(st.records_removed > 0);
    model_free(&before);
}

static void test_keyless_records_dropped(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 400;
    reopen(f);
    mrec_t b1[4] = {rec("a", "1", 10), rec(NULL, "x", 11), rec("b", "1", 12), rec(NULL, NULL, 13)};
    append_batch(f, b1, 4, &PLAIN, 13);
    put(f, NULL, "y", 20);
    put(f, "c", "1", 21);
    put(f, NULL, "z", 22);
    put(f, "d", "1", 23);
    for (int i = 0; i < 6; i++)
        put(f, "pad", "p", 30 + i);
    size_t nseg = kgw_log_segment_count(&f->log);
    int64_t active = f->log.segs[nseg - 1]->base;
    assert_true(active > 8);
    kgw_log_compact_opts_t o = opts_all();
    kgw_log_compact_stats_t st;
    compact_ok(f, 100, &o, &st);
    assert_true(st.cleaned);
    model_t want = {0};
    for (size_t i = 0; i < f->written.n; i++) {
        mrec_t *r = &f->written.r[i];
        bool superseded = false;
        for (size_t j = i + 1; j < f->written.n; j++)
            superseded |= f->written.r[j].offset < active && same_key(r, &f->written.r[j]);
        if (r->offset >= active || (!r->key_null && !superseded))
            model_add(&want, r);
    }
    expect_log(f, &want);
    check_reads(f, &want);
    assert_int_equal(4, st.keyless_removed);
    model_free(&want);
}

/* Delete horizon (KIP-534): the first pass keeps the tombstone and stamps
 * now + delete.retention.ms into its batch; passes before that time keep
 * it; the first pass at or after it removes it. */
static void test_tombstones(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 100; /* a segment per batch */
    reopen(f);
    put(f, "a", "a1", 100);
    put(f, "b", "b1", 101);
    put(f, "a", "a2", 102);
    int64_t tomb = put(f, "a", NULL, 103);
    put(f, "c", "c1", 104); /* the active segment */
    const int64_t R = 1000;
    kgw_log_compact_opts_t o = opts_all();
    o.delete_retention_ms = R;
    kgw_log_compact_stats_t st;
    compact_ok(f, 5000, &o, &st);
    assert_true(st.cleaned);
    assert_int_equal(0, st.tombstones_removed);
    model_t want = {0};
    model_add(&want, &f->written.r[1]);
    model_add(&want, &f->written.r[3]); /* the tombstone */
    model_add(&want, &f->written.r[4]);
    expect_log(f, &want);
    kafka_batch_t b;
    uint8_t *raw = batch_at(f, tomb, &b);
    assert_true(kafka_batch_has_delete_horizon(&b));
    assert_int_equal(5000 + R, kafka_batch_delete_horizon(&b));
    assert_int_equal(103, b.max_timestamp);
    free(raw);

    /* New dirty data, a pass one millisecond before the horizon. */
    put(f, "d", "d1", 105);
    compact_ok(f, 5000 + R - 1, &o, &st);
    assert_true(st.cleaned);
    assert_int_equal(0, st.tombstones_removed);
    model_add(&want, &f->written.r[5]);
    expect_log(f, &want);
    raw = batch_at(f, tomb, &b);
    assert_int_equal(5000 + R, kafka_batch_delete_horizon(&b)); /* not stamped again */
    free(raw);

    /* At the horizon it goes, and the key with it. */
    put(f, "e", "e1", 106);
    compact_ok(f, 5000 + R, &o, &st);
    assert_true(st.cleaned);
    assert_int_equal(1, st.tombstones_removed);
    model_t now = {0};
    for (size_t i = 0; i < want.n; i++)
        if (want.r[i].offset != tomb)
            model_add(&now, &want.r[i]);
    model_add(&now, &f->written.r[6]);
    expect_log(f, &now);
    check_reads(f, &now);
    model_free(&want);
    model_free(&now);
}

static void test_active_segment_untouched(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 500;
    reopen(f);
    for (int i = 0; i < 30; i++)
        put(f, i % 2 ? "odd" : "even", i % 3 ? "x" : "y", 10 + i);
    size_t nseg = kgw_log_segment_count(&f->log);
    int64_t active = f->log.segs[nseg - 1]->base;
    char path[128];
    snprintf(path, sizeof path, "%s/%020" PRId64 ".log", f->dir, active);
    size_t la, lb;
    uint8_t *a = slurp(path, &la);
    assert_true(la > 100); /* several duplicates of both keys in it */
    kgw_log_compact_opts_t o = opts_all();
    kgw_log_compact_stats_t st;
    compact_ok(f, 1000, &o, &st);
    assert_true(st.cleaned);
    uint8_t *b = slurp(path, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    free(a);
    free(b);
    model_t want = {0};
    model_pass(&f->written, 0, active, &want);
    expect_log(f, &want);
    size_t in_active = 0;
    for (size_t i = 0; i < want.n; i++)
        in_active += want.r[i].offset >= active;
    assert_int_equal(f->written.n - (size_t)active, in_active);
    model_free(&want);
}

/* Segments whose newest timestamp is within the lag are not cleaned, nor
 * anything after them. */
static void test_min_compaction_lag(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 100;
    reopen(f);
    put(f, "k", "old1", 1000);
    put(f, "k", "old2", 2000);
    int64_t lagged = put(f, "k", "new", 8000);
    put(f, "j", "x", 1500); /* an old timestamp after a lagged segment */
    put(f, "j", "y", 1600); /* the active segment */
    kgw_log_compact_opts_t o = opts_all();
    o.min_compaction_lag_ms = 5000;
    kgw_log_compact_stats_t st;
    compact_ok(f, 10000, &o, &st);
    assert_true(st.cleaned);
    assert_int_equal(lagged, st.first_uncleanable_offset);
    assert_int_equal(lagged, st.end_offset);
    model_t want = {0};
    model_pass(&f->written, 0, lagged, &want);
    assert_int_equal(4, want.n); /* old1 goes: old2 supersedes it below the lag */
    expect_log(f, &want);
    model_free(&want);

    /* Later, with the lag passed, everything before the active segment. */
    compact_ok(f, 14000, &o, &st);
    assert_true(st.cleaned);
    assert_int_equal(lagged + 2, st.first_uncleanable_offset);
    model_t later = {0};
    model_pass(&f->written, 0, lagged + 2, &later);
    expect_log(f, &later);
    assert_int_equal(3, later.n);
    model_free(&later);
}

static void test_dirty_ratio_gating(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 100;
    reopen(f);
    for (int i = 0; i < 20; i++)
        put(f, "same", "value-0123456789", 100 + i);
    kgw_log_compact_opts_t o = opts_all();
    o.min_cleanable_dirty_ratio = 0.5;
    kgw_log_compact_stats_t st;
    compact_ok(f, 1000, &o, &st);
    assert_true(st.cleaned); /* never cleaned: all dirty */
    assert_true(st.dirty_ratio == 1.0);
    int64_t clean_end = st.end_offset;
    assert_int_equal(19, clean_end);

    /* One batch dirty beside the one clean batch and its empty neighbours:
     * cleanable = [0, 20) of which 20 alone is new... */
    put(f, "other", "value-0123456789", 200);
    compact_ok(f, 1000, &o, &st);
    /* cleanable segments: the cleaned one and the old active one (dirty) */
    assert_true(st.dirty_ratio > 0);
    double r1 = st.dirty_ratio;
    if (r1 >= 0.5)
        fail_msg("dirty ratio %f should be below 0.5 here", r1);
    assert_false(st.cleaned);
    assert_int_equal(clean_end, st.first_dirty_offset);
    assert_int_equal(clean_end, f->log.clean_offset);

    /* More dirty segments until the ratio passes 0.5. */
    int added = 0;
    do {
        put(f, "more", "value-0123456789", 300 + added++);
        compact_ok(f, 1000, &o, &st);
    } while (!st.cleaned && added < 50);
    assert_true(st.cleaned);
    assert_true(st.dirty_ratio >= 0.5);
    assert_true(added > 1);
    model_t want = {0};
    model_pass(&f->written, 0, st.end_offset, &want);
    expect_log(f, &want);
    model_free(&want);
}

/* ---- batches: codecs, producers ---- */

static void compressed(fixture_t *f, int codec) {
    f->cfg.segment_bytes = 4096;
    reopen(f);
    bopts_t o = PLAIN;
    o.codec = codec;
    mrec_t b1[5], b2[5], b3[3];
    char k[8], v[32];
    for (int i = 0; i < 5; i++) {
        snprintf(k, sizeof k, "k%d", i);
        snprintf(v, sizeof v, "first-%d-compressible-text", i);
        b1[i] = rec(k, v, 100 + i);
        snprintf(b1[i].hdr, sizeof b1[i].hdr, "h%d", i);
        snprintf(k, sizeof k, "u%d", i);
        b2[i] = rec(k, "unique-compressible-text", 200 + i);
    }
    int64_t base1 = append_batch(f, b1, 5, &o, 105);
    int64_t base2 = append_batch(f, b2, 5, &o, 205);
    b3[0] = rec("k1", "again", 300);
    b3[1] = rec("k3", "again", 301);
    b3[2] = rec("k4", NULL, 302);
    append_batch(f, b3, 3, &PLAIN, 302);
    kafka_batch_t before2;
    uint8_t *raw2 = batch_at(f, base2, &before2);
    put_rolled(f, "z", "z", 400);

    kgw_log_compact_opts_t co = opts_all();
    kgw_log_compact_stats_t st;
    compact_ok(f, 1000, &co, &st);
    assert_true(st.cleaned);
    model_t want = {0};
    model_pass(&f->written, 0, st.end_offset, &want);
    expect_log(f, &want);
    check_reads(f, &want);

    kafka_batch_t nb;
    uint8_t *raw = batch_at(f, base1, &nb);
    assert_int_equal(codec, kafka_batch_codec(&nb));
    assert_int_equal(base1, nb.base_offset);
    assert_int_equal(4, nb.last_offset_delta); /* k4 (the last) went, the delta stays */
    assert_int_equal(2, nb.record_count);      /* k0 and k2 */
    assert_int_equal(102, nb.max_timestamp);   /* the newest kept record's, as Kafka's */
    assert_int_equal(100, nb.first_timestamp);
    assert_false(kafka_batch_has_delete_horizon(&nb));
    free(raw);

    /* The batch that lost nothing is the same bytes. */
    kafka_batch_t after2;
    raw = batch_at(f, base2, &after2);
    assert_int_equal(before2.size, after2.size);
    assert_memory_equal(raw2, raw, after2.size);
    free(raw);
    free(raw2);
    model_free(&want);
}

static void test_gzip_batches(void **state) {
    compressed(*state, KAFKA_CODEC_GZIP);
}

static void test_zstd_batches(void **state) {
    compressed(*state, KAFKA_CODEC_ZSTD);
}

static void test_snappy_batches(void **state) {
    compressed(*state, KAFKA_CODEC_SNAPPY);
}

static void test_lz4_batches(void **state) {
    compressed(*state, KAFKA_CODEC_LZ4);
}

static void test_log_append_time_batch(void **state) {
    fixture_t *f = *state;
    reopen(f);
    bopts_t o = PLAIN;
    o.log_append_time = true;
    o.codec = KAFKA_CODEC_GZIP;
    mrec_t b[3] = {rec("x", "1", 50), rec("y", "1", 60), rec("x", "2", 77)};
    int64_t base = append_batch(f, b, 3, &o, 77); /* every record reads as 77 */
    put_rolled(f, "z", "1", 80);
    kgw_log_compact_opts_t co = opts_all();
    kgw_log_compact_stats_t st;
    compact_ok(f, 100, &co, &st);
    assert_int_equal(1, st.records_removed);
    kafka_batch_t nb;
    uint8_t *raw = batch_at(f, base, &nb);
    assert_true(kafka_batch_is_log_append_time(&nb));
    assert_int_equal(KAFKA_CODEC_GZIP, kafka_batch_codec(&nb));
    assert_int_equal(77, nb.max_timestamp);
    assert_int_equal(2, nb.record_count);
    free(raw);
    model_t want = {0};
    model_pass(&f->written, 0, st.end_offset, &want);
    expect_log(f, &want);
    model_free(&want);
}

/* Idempotent batches: producer id, epoch, base sequence and last offset
 * delta survive a rebuild; a producer's last batch stays as an empty header
 * when all its records go (Kafka keeps the last sequence that way). */
typedef struct producer_case {
    int64_t reply; /* what the callback answers; -2: no callback */
    int calls;
    int64_t asked;
} producer_case_t;

static int64_t producer_cb(void *arg, int64_t pid) {
    producer_case_t *pc = arg;
    pc->calls++;
    pc->asked = pid;
    return pc->reply;
}

static void producer_scenario(fixture_t *f, producer_case_t *pc, bool expect_last_kept) {
    reopen(f);
    bopts_t p = {KAFKA_CODEC_NONE, 77, 2, 0, false};
    mrec_t a[5] = {rec("a0", "1", 10), rec("a1", "1", 11), rec("a2", "1", 12), rec("a3", "1", 13),
                   rec("a4", "1", 14)};
    append_batch(f, a, 5, &p, 14);
    p.seq = 5;
    mrec_t b[3] = {rec("b0", "1", 20), rec("b1", "1", 21), rec("b2", "1", 22)};
    append_batch(f, b, 3, &p, 22);
    p.seq = 8;
    mrec_t c[2] = {rec("c0", "1", 30), rec("c1", "1", 31)};
    append_batch(f, c, 2, &p, 31); /* offsets 8, 9: producer 77's last batch */
    const char *again[] = {"a4", "b0", "b1", "b2", "c0", "c1"};
    for (int i = 0; i < 6; i++)
        put(f, again[i], "2", 40 + i);
    put_rolled(f, "z", "1", 50);
    kgw_log_compact_opts_t o = opts_all();
    if (pc->reply != -2) {
        o.producer_last_offset = producer_cb;
        o.producer_arg = pc;
    }
    kgw_log_compact_stats_t st;
    compact_ok(f, 100, &o, &st);
    assert_true(st.cleaned);

    kafka_batch_t nb;
    uint8_t *raw = batch_at(f, 0, &nb);
    assert_int_equal(0, nb.base_offset);
    assert_int_equal(4, nb.last_offset_delta);
    assert_int_equal(4, nb.record_count);
    assert_int_equal(77, nb.producer_id);
    assert_int_equal(2, nb.producer_epoch);
    assert_int_equal(0, nb.base_sequence);
    free(raw);

    /* Batch b went whole: a fetch at 5 gets the next batch. */
    raw = batch_at(f, 5, &nb);
    assert_int_equal(expect_last_kept ? 8 : 10, nb.base_offset);
    free(raw);
    if (expect_last_kept) {
        raw = batch_at(f, 8, &nb);
        assert_int_equal(8, nb.base_offset);
        assert_int_equal(1, nb.last_offset_delta);
        assert_int_equal(0, nb.record_count);
        assert_int_equal(77, nb.producer_id);
        assert_int_equal(2, nb.producer_epoch);
        assert_int_equal(8, nb.base_sequence);
        assert_int_equal(31, nb.max_timestamp);
        assert_int_equal(KAFKA_BATCH_V2_OVERHEAD, nb.size);
        free(raw);
        assert_int_equal(1, st.empty_batches_kept);
        assert_int_equal(1, st.batches_removed); /* b */
    } else {
        assert_int_equal(0, st.empty_batches_kept);
        assert_int_equal(2, st.batches_removed); /* b and c */
    }
    model_t want = {0};
    model_pass(&f->written, 0, st.end_offset, &want);
    expect_log(f, &want);
    check_reads(f, &want);
    model_free(&want);
}

static void test_producer_last_batch_kept(void **state) {
    producer_case_t pc = {-2, 0, 0};
    producer_scenario(*state, &pc, true);
}

static void test_producer_callback_active(void **state) {
    producer_case_t pc = {9, 0, 0}; /* still known, last batch ends at 9 */
    producer_scenario(*state, &pc, true);
    assert_true(pc.calls > 0);
    assert_int_equal(77, pc.asked);
}

static void test_producer_callback_expired(void **state) {
    producer_case_t pc = {-1, 0, 0};
    producer_scenario(*state, &pc, false);
    assert_true(pc.calls > 0);
}

/* ---- reopen, time lookup ---- */

/* kgw_log_offset_for_time against the batches the log holds: the first
 * batch whose max timestamp reaches ts. */
static void check_time_lookup(fixture_t *f) {
    int64_t off = kgw_log_start_offset(&f->log), end = kgw_log_end_offset(&f->log);
    int64_t bases[4096], maxts[4096];
    size_t n = 0;
    while (off < end) {
        kgw_log_read_t r;
        assert_int_equal(0, kgw_log_read(&f->log, off, 1 << 20, &r));
        kafka_batch_iter_t bi;
        kafka_batch_iter_init(&bi, r.data, r.len, 0);
        kafka_batch_t b;
        while (kafka_batch_iter_next(&bi, &b, NULL) == 1) {
            assert_true(n < 4096);
            bases[n] = b.base_offset;
            maxts[n++] = b.max_timestamp;
            off = kafka_batch_last_offset(&b) + 1;
        }
        kgw_log_read_free(&r);
    }
    int64_t hi = 0;
    for (size_t i = 0; i < n; i++)
        hi = maxts[i] > hi ? maxts[i] : hi;
    for (int64_t ts = 0; ts <= hi + 1; ts++) {
        int64_t want = -1, want_ts = -1;
        for (size_t i = 0; i < n && want < 0; i++) {
            if (maxts[i] >= ts) {
                want = bases[i] > kgw_log_start_offset(&f->log) ? bases[i]
                                                                : kgw_log_start_offset(&f->log);
                want_ts = maxts[i];
            }
        }
        int64_t got, got_ts;
        assert_int_equal(0, kgw_log_offset_for_time(&f->log, ts, &got, &got_ts));
        if (got != want || got_ts != want_ts)
            fail_msg("offset for time %" PRId64 ": expected %" PRId64 " (ts %" PRId64
                     "), got %" PRId64 " (ts %" PRId64 ")",
                     ts, want, want_ts, got, got_ts);
    }
}

static void test_reopen_and_time_index(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 700;
    f->cfg.index_interval_bytes = 100;
    reopen(f);
    char k[8], v[8];
    for (int i = 0; i < 120; i++) {
        snprintf(k, sizeof k, "k%d", (i * 7) % 13);
        snprintf(v, sizeof v, "%d", i);
        put(f, k, v, 10 + i);
    }
    int64_t end = kgw_log_end_offset(&f->log);
    kgw_log_compact_opts_t o = opts_all();
    kgw_log_compact_stats_t st;
    compact_ok(f, 1000, &o, &st);
    assert_true(st.cleaned);
    model_t want = {0};
    model_pass(&f->written, 0, st.end_offset, &want);
    expect_log(f, &want);
    check_time_lookup(f);
    size_t nseg = kgw_log_segment_count(&f->log);

    reopen(f);
    assert_int_equal(0, f->log.recovered_bytes);
    assert_int_equal(end, kgw_log_end_offset(&f->log));
    assert_int_equal(nseg, kgw_log_segment_count(&f->log));
    assert_int_equal(st.end_offset, f->log.clean_offset);
    expect_log(f, &want);
    check_reads(f, &want);
    check_time_lookup(f);

    /* Indexes of a compacted segment lost: rebuilt, gaps and all. */
    kgw_log_close(&f->log);
    f->open = false;
    char p[160];
    snprintf(p, sizeof p, "%s/%020d.index", f->dir, 0);
    assert_int_equal(0, unlink(p));
    snprintf(p, sizeof p, "%s/%020d.timeindex", f->dir, 0);
    assert_int_equal(0, unlink(p));
    reopen(f);
    assert_int_equal(0, f->log.recovered_bytes);
    expect_log(f, &want);
    check_reads(f, &want);
    check_time_lookup(f);

    /* The log goes on. */
    mrec_t r = rec("k0", "after", 500);
    assert_int_equal(end, append_batch(f, &r, 1, &PLAIN, 500));
    model_add(&want, &r);
    expect_log(f, &want);
    model_free(&want);
}

/* ---- a key map too small for the dirty part ---- */

static int64_t no_producers(void *arg, int64_t pid) {
    (void)arg;
    (void)pid;
    return -1;
}

static size_t map_bytes_for(size_t keys) {
    size_t b = 64;
    while (kgw_keymap_capacity(b) < keys)
        b += 8;
    return b;
}

static void test_small_map_cleans_in_steps(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 2000;
    reopen(f);
    char k[8], v[8];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 40; i++) {
            snprintf(k, sizeof k, "k%d", i);
            snprintf(v, sizeof v, "%d", round);
            put(f, k, v, 10 + round * 40 + i);
        }
    }
    int64_t active = put_rolled(f, "end", "1", 500);
    kgw_log_compact_opts_t o = opts_all();
    o.producer_last_offset = no_producers; /* the whole budget for keys */
    o.max_map_bytes = map_bytes_for(16);
    size_t cap = kgw_keymap_capacity(o.max_map_bytes);
    assert_true(cap >= 16 && cap < 40);

    model_t cur = {0};
    for (size_t i = 0; i < f->written.n; i++)
        model_add(&cur, &f->written.r[i]);
    int64_t fd = 0;
    int passes = 0;
    kgw_log_compact_stats_t st;
    do {
        compact_ok(f, 1000, &o, &st);
        assert_true(st.cleaned);
        assert_int_equal(fd, st.first_dirty_offset);
        assert_true(st.end_offset > fd);
        assert_true((size_t)st.map_keys <= cap);
        if (st.end_offset < active) {
            assert_true(st.map_full);
            assert_int_equal(cap, st.map_keys);
        }
        model_t next = {0};
        model_pass(&cur, fd, st.end_offset, &next);
        model_free(&cur);
        cur = next;
        expect_log(f, &cur);
        fd = st.end_offset;
        passes++;
    } while (fd < active && passes < 20);
    assert_int_equal(active, fd);
    assert_true(passes >= 3);
    model_t full = {0};
    model_pass(&f->written, 0, active, &full);
    expect_log(f, &full);
    check_reads(f, &full);
    model_free(&full);
    model_free(&cur);
}

static void test_map_too_small_for_a_batch(void **state) {
    fixture_t *f = *state;
    reopen(f);
    mrec_t recs[20];
    char k[8];
    for (int i = 0; i < 20; i++) {
        snprintf(k, sizeof k, "k%d", i);
        recs[i] = rec(k, "v", 10);
    }
    append_batch(f, recs, 20, &PLAIN, 10);
    put_rolled(f, "z", "1", 20);
    kgw_log_compact_opts_t o = opts_all();
    o.producer_last_offset = no_producers;
    o.max_map_bytes = map_bytes_for(10);
    kgw_log_compact_stats_t st;
    assert_int_equal(-ENOBUFS, kgw_log_compact(&f->log, 100, &o, &st));
    assert_false(f->log.compacting);
    expect_log(f, &f->written);
    no_strays(f);
    o.max_map_bytes = 1;
    assert_int_equal(-EINVAL, kgw_log_compact(&f->log, 100, &o, &st));
    o.max_map_bytes = map_bytes_for(20);
    compact_ok(f, 100, &o, &st);
    assert_true(st.cleaned);
}

/* ---- crashes ---- */

typedef struct stopper {
    enum kgw_compact_point at;
    int nth, seen;
} stopper_t;

static bool stop_hook(enum kgw_compact_point p, void *arg) {
    stopper_t *s = arg;
    return p == s->at && ++s->seen == s->nth;
}

/* Sixty one-record segments (rolled by segment.ms), ten keys: a pass merges
 * them into four groups. */
static int64_t crash_log(fixture_t *f) {
    f->cfg.segment_ms = 100;
    f->cfg.segment_bytes = 1500;
    f->cfg.index_interval_bytes = 64;
    reopen(f);
    char k[8], v[8];
    for (int i = 0; i < 60; i++) {
        snprintf(k, sizeof k, "k%d", i % 10);
        snprintf(v, sizeof v, "v%d", i);
        put(f, k, v, 100 * i);
    }
    size_t n = kgw_log_segment_count(&f->log);
    assert_int_equal(60, n);
    return f->log.segs[n - 1]->base;
}

static void crash_case(enum kgw_compact_point at, int nth, bool expect_new) {
    void *state = NULL;
    assert_int_equal(0, setup(&state));
    fixture_t *f = state;
    int64_t active = crash_log(f);
    int64_t end = kgw_log_end_offset(&f->log);
    model_t old = {0}, neu = {0};
    read_all(f, &old);
    model_pass(&f->written, 0, active, &neu);
    stopper_t s = {at, nth, 0};
    kgw_compact_test_hook = stop_hook;
    kgw_compact_test_hook_arg = &s;
    kgw_log_compact_opts_t o = opts_all();
    kgw_log_compact_stats_t st;
    int rc = kgw_log_compact(&f->log, 100000, &o, &st);
    kgw_compact_test_hook = NULL;
    if (rc != -EINTR)
        fail_msg("the pass should have stopped at point %d (#%d): returned %d", at, nth, rc);

    kgw_log_close(&f->log); /* the process dies here */
    f->open = false;
    reopen(f);
    assert_int_equal(0, f->log.recovered_bytes);
    no_strays(f);
    expect_log(f, expect_new ? &neu : &old);
    check_reads(f, expect_new ? &neu : &old);
    assert_int_equal(expect_new ? active : 0, f->log.clean_offset);
    assert_int_equal(end, kgw_log_end_offset(&f->log));
    assert_int_equal(0, kgw_log_start_offset(&f->log));

    /* The log goes on, and the next pass ends where an uninterrupted one
     * would have. */
    int64_t next = put_rolled(f, "k3", "late", 999999);
    compact_ok(f, 2000000, &o, &st);
    assert_true(st.cleaned);
    model_t fin = {0};
    model_pass(&f->written, 0, next, &fin);
    expect_log(f, &fin);
    reopen(f);
    expect_log(f, &fin);
    no_strays(f);
    model_free(&old);
    model_free(&neu);
    model_free(&fin);
    teardown(&state);
}

static void test_crash_before_commit(void **state) {
    (void)state;
    crash_case(KGW_COMPACT_AT_MAPPED, 1, false);
    crash_case(KGW_COMPACT_AT_WRITTEN, 1, false);
}

static void test_crash_after_commit(void **state) {
    (void)state;
    crash_case(KGW_COMPACT_AT_COMMITTED, 1, true);
    crash_case(KGW_COMPACT_AT_OLDS_REMOVED, 1, true);
    crash_case(KGW_COMPACT_AT_OLDS_REMOVED, 3, true);
    crash_case(KGW_COMPACT_AT_INDEX_SWAPPED, 1, true);
    crash_case(KGW_COMPACT_AT_INDEX_SWAPPED, 2, true);
    crash_case(KGW_COMPACT_AT_SWAPPED, 1, true);
    crash_case(KGW_COMPACT_AT_CHECKPOINTED, 1, true);
}

/* Committed, then the first segment deleted (as retention would) before the
 * process died: that group is dropped, the others go in, and the checkpoint
 * stays where it was. */
typedef struct doom {
    fixture_t *f;
    int64_t first_group_end; /* base of the second group */
} doom_t;

static bool doom_hook(enum kgw_compact_point p, void *arg) {
    doom_t *d = arg;
    if (p != KGW_COMPACT_AT_COMMITTED)
        return false;
    char path[160];
    snprintf(path, sizeof path, "%s/cleaner-swap", d->f->dir);
    size_t len;
    uint8_t *plan = slurp(path, &len);
    char *second = strstr((char *)plan, "\ngroup ");
    assert_non_null(second);
    second = strstr(second + 1, "\ngroup ");
    assert_non_null(second);
    d->first_group_end = strtoll(second + 7, NULL, 10);
    free(plan);
    static const char *const exts[] = {".log", ".index", ".timeindex"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%020d%s", d->f->dir, 0, exts[i]);
        assert_int_equal(0, unlink(path));
    }
    return true;
}

static void test_crash_with_head_deleted(void **state) {
    fixture_t *f = *state;
    int64_t active = crash_log(f);
    model_t neu = {0};
    model_pass(&f->written, 0, active, &neu);
    doom_t d = {f, -1};
    kgw_compact_test_hook = doom_hook;
    kgw_compact_test_hook_arg = &d;
    kgw_log_compact_opts_t o = opts_all();
    kgw_log_compact_stats_t st;
    assert_int_equal(-EINTR, kgw_log_compact(&f->log, 100000, &o, &st));
    kgw_compact_test_hook = NULL;
    assert_true(d.first_group_end > 1);
    kgw_log_close(&f->log);
    f->open = false;
    reopen(f);
    no_strays(f);
    assert_int_equal(1, kgw_log_start_offset(&f->log));
    assert_int_equal(0, f->log.clean_offset);
    model_t want = {0};
    for (size_t i = 0; i < f->written.n; i++)
        if (f->written.r[i].offset >= 1 && f->written.r[i].offset < d.first_group_end)
            model_add(&want, &f->written.r[i]);
    for (size_t i = 0; i < neu.n; i++)
        if (neu.r[i].offset >= d.first_group_end)
            model_add(&want, &neu.r[i]);
    expect_log(f, &want);
    check_reads(f, &want);
    model_free(&want);
    model_free(&neu);
}

static void test_corrupt_plan_refused(void **state) {
    fixture_t *f = *state;
    reopen(f);
    put(f, "a", "1", 1);
    kgw_log_close(&f->log);
    f->open = false;
    char path[160];
    snprintf(path, sizeof path, "%s/cleaner-swap", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("kgw-cleaner-swap 1\nclean 5\ngroup 0 x\nend\n", fp);
    fclose(fp);
    kgw_log_t log;
    assert_int_equal(KGW_LOG_ECORRUPT, kgw_log_open(&log, f->dir, &f->cfg));
    /* Without a plan, new files of an uncommitted pass are deleted. */
    assert_int_equal(0, unlink(path));
    snprintf(path, sizeof path, "%s/%020d.log.cleaned", f->dir, 0);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("half a segment", fp);
    fclose(fp);
    reopen(f);
    no_strays(f);
    expect_log(f, &f->written);
}

/* ---- concurrency ---- */

typedef struct overlap {
    fixture_t *f;
    enum kgw_compact_point at;
    int what; /* 0: DeleteRecords, 1: retention, 2: a second pass */
    int rc;
} overlap_t;

static bool overlap_hook(enum kgw_compact_point p, void *arg) {
    overlap_t *o = arg;
    if (p != o->at)
        return false;
    kgw_compact_test_hook = NULL; /* once */
    if (o->what == 0) {
        o->rc = kgw_log_delete_records(&o->f->log, 2);
    } else if (o->what == 1) {
        o->f->log.cfg.retention_ms = 1000;
        o->rc = kgw_log_enforce_retention(&o->f->log, 15 + 1000); /* ts 0 and 10 */
        o->f->log.cfg.retention_ms = -1;
    } else {
        kgw_log_compact_opts_t co = opts_all();
        o->rc = kgw_log_compact(&o->f->log, 100, &co, NULL);
    }
    return false;
}

static void overlap_case(fixture_t *f, enum kgw_compact_point at, int what) {
    f->cfg.segment_bytes = 100; /* a segment per batch */
    f->cfg.retention_ms = -1;
    reopen(f);
    for (int i = 0; i < 8; i++)
        put(f, i % 2 ? "a" : "b", "v", 10 * i);
    overlap_t o = {f, at, what, 1};
    kgw_compact_test_hook = overlap_hook;
    kgw_compact_test_hook_arg = &o;
    kgw_log_compact_opts_t co = opts_all();
    kgw_log_compact_stats_t st;
    compact_ok(f, 100, &co, &st);
    kgw_compact_test_hook = NULL;
    if (what == 2) {
        assert_int_equal(KGW_LOG_EBUSY, o.rc);
        assert_true(st.cleaned);
        return;
    }
    assert_true(o.rc >= 0);
    assert_true(st.aborted);
    assert_false(st.cleaned);
    assert_false(f->log.compacting);
    assert_int_equal(0, f->log.clean_offset);
    no_strays(f);
    int64_t start = kgw_log_start_offset(&f->log);
    assert_true(start >= 1);
    model_t want = {0};
    for (size_t i = 0; i < f->written.n; i++)
        if (f->written.r[i].offset >= start)
            model_add(&want, &f->written.r[i]);
    expect_log(f, &want);
    model_free(&want);
    /* Next time it goes through. */
    compact_ok(f, 100, &co, &st);
    assert_true(st.cleaned);
    reopen(f);
    no_strays(f);
}

static void test_deleted_while_mapping(void **state) {
    overlap_case(*state, KGW_COMPACT_AT_MAPPED, 0);
}

static void test_retention_before_swap(void **state) {
    overlap_case(*state, KGW_COMPACT_AT_COMMITTED, 1);
}

static void test_second_pass_busy(void **state) {
    overlap_case(*state, KGW_COMPACT_AT_MAPPED, 2);
}

typedef struct appender {
    kgw_log_t *log;
    int n, keys;
    int rc;
    int64_t last_base;
    atomic_bool done;
} appender_t;

static void *append_thread(void *arg) {
    appender_t *a = arg;
    for (int i = 0; i < a->n && a->rc == 0; i++) {
        kafka_batch_params_t p;
        kafka_batch_params_init(&p);
        kafka_batch_builder_t b;
        kafka_batch_builder_init(&b, &p);
        char k[16], v[16];
        snprintf(k, sizeof k, "k%d", i % a->keys);
        snprintf(v, sizeof v, "%d", i);
        kafka_record_in_t in = {.timestamp = i,
                                .key = {(const uint8_t *)k, (int32_t)strlen(k)},
                                .value = {(const uint8_t *)v, (int32_t)strlen(v)}};
        kafka_buf_t out = KAFKA_BUF_INIT;
        if (kafka_batch_builder_add(&b, &in) != 0 || kafka_batch_builder_finish(&b, &out) != 0)
            a->rc = -1;
        else
            a->rc = kgw_log_append(a->log, out.ptr, out.len, i, &a->last_base);
        kafka_buf_free(&out);
        kafka_batch_builder_free(&b);
        if (i % 50 == 0)
            usleep(500); /* spread over many passes */
    }
    atomic_store(&a->done, true);
    return NULL;
}

static void test_appends_during_passes(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 2048;
    reopen(f);
    appender_t a = {&f->log, 6000, 37, 0, -1, false};
    pthread_t t;
    assert_int_equal(0, pthread_create(&t, NULL, append_thread, &a));
    kgw_log_compact_opts_t o = opts_all();
    kgw_log_compact_stats_t st;
    int passes = 0;
    while (!atomic_load(&a.done)) {
        compact_ok(f, 1000000, &o, &st);
        passes += st.cleaned;
        /* Reads stay whole batches with good CRCs throughout. */
        kgw_log_read_t r;
        assert_int_equal(0, kgw_log_read(&f->log, kgw_log_start_offset(&f->log), 1 << 16, &r));
        kafka_batch_iter_t bi;
        kafka_batch_iter_init(&bi, r.data, r.len, 0);
        kafka_batch_t b;
        int n;
        while ((n = kafka_batch_iter_next(&bi, &b, NULL)) == 1)
            ;
        assert_int_equal(0, n);
        kgw_log_read_free(&r);
    }
    pthread_join(t, NULL);
    assert_int_equal(0, a.rc);
    assert_true(passes > 0);
    assert_int_equal(a.n, kgw_log_end_offset(&f->log));
    put_rolled(f, "zz", "last", 1 << 20);
    compact_ok(f, 1 << 21, &o, &st);
    /* Every key's latest value is there, once, and nothing else below the
     * active segment. */
    model_t got = {0};
    read_all(f, &got);
    int64_t active = f->log.segs[f->log.nsegs - 1]->base;
    size_t below = 0;
    for (size_t i = 0; i < got.n; i++) {
        if (got.r[i].offset >= active)
            continue;
        below++;
        int key = atoi(got.r[i].key + 1);
        int last = a.n - 1 - ((a.n - 1 - key) % a.keys);
        if (got.r[i].offset != last || atoi(got.r[i].value) != last)
            fail_msg("key k%d: expected offset %d, got %" PRId64, key, last, got.r[i].offset);
    }
    assert_int_equal((size_t)a.keys, below);
    model_free(&got);
}

/* ---- the key map ---- */

static void test_keymap(void **state) {
    (void)state;
    /* SipHash-2-4 reference vectors (key 00..0f, messages 00..n-1). */
    uint8_t key[16], msg[64];
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < 64; i++)
        msg[i] = (uint8_t)i;
    assert_true(kgw_siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ull);
    assert_true(kgw_siphash24(key, msg, 15) == 0xa129ca6149be45e5ull);

    kgw_keymap_t m;
    assert_int_equal(-EINVAL, kgw_keymap_init(&m, 8));
    size_t cap = kgw_keymap_capacity(4096);
    assert_true(cap > 50);
    assert_int_equal(0, kgw_keymap_init(&m, 4096));
    char k[16];
    for (size_t i = 0; i < cap; i++) {
        int n = snprintf(k, sizeof k, "key-%zu", i);
        assert_int_equal(0, kgw_keymap_put(&m, k, (size_t)n, (int64_t)i));
    }
    assert_int_equal(1, kgw_keymap_put(&m, "one more", 8, 1));
    assert_int_equal(0, kgw_keymap_put(&m, "key-3", 5, 1000)); /* known keys still update */
    assert_int_equal(1000, kgw_keymap_get(&m, "key-3", 5));
    assert_int_equal(cap - 1, kgw_keymap_get(&m, k, strlen(k)));
    assert_int_equal(-1, kgw_keymap_get(&m, "one more", 8));
    assert_int_equal(-1, kgw_keymap_get(&m, "", 0));
    assert_int_equal(0, kgw_keymap_put(&m, "key-0", 5, 7));
    for (size_t i = 1; i < cap; i++) {
        int n = snprintf(k, sizeof k, "key-%zu", i);
        assert_int_equal(i == 3 ? 1000 : (int64_t)i, kgw_keymap_get(&m, k, (size_t)n));
    }
    kgw_keymap_free(&m);
    /* The budget covers entries and the table. */
    size_t big = kgw_keymap_capacity((size_t)128 << 20);
    assert_true(big > 3000000);
    assert_true(big * sizeof(kgw_keymap_entry_t) < (size_t)128 << 20);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_latest_value_per_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_passes_header_only_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyless_records_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tombstones, setup, teardown),
        cmocka_unit_test_setup_teardown(test_active_segment_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_min_compaction_lag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dirty_ratio_gating, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zstd_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snappy_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lz4_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_append_time_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_producer_last_batch_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_producer_callback_active, setup, teardown),
        cmocka_unit_test_setup_teardown(test_producer_callback_expired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_and_time_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_map_cleans_in_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_too_small_for_a_batch, setup, teardown),
        cmocka_unit_test(test_crash_before_commit),
        cmocka_unit_test(test_crash_after_commit),
        cmocka_unit_test_setup_teardown(test_crash_with_head_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_plan_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_while_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention_before_swap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_pass_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_appends_during_passes, setup, teardown),
        cmocka_unit_test(test_keymap),
    };
    return cmocka_run_group_tests_name("storage/log_compact", tests, NULL, NULL);
}
