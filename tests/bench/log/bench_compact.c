/* Benchmark of log compaction (kgw_log_compact): a log of N records over K
 * keys in batches of 100, then one pass that keeps the latest value of each
 * key, then a second pass after another tenth of the records (the clean part
 * rewritten against the new keys). One line per pass: time, MB/s of the
 * segments rewritten (as stored, so compressed for a codec), records per
 * second, records removed, segments.
 *
 * Usage: bench_compact [records [keys [codec]]]   (default 1000000 10000 none)
 * codec: none, gzip, snappy, lz4, zstd. Data goes to a temporary directory
 * under /tmp, removed at the end. Not a test: nothing is asserted. */
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "kafka/records.h"
#include "log.h"

#define PER_BATCH 100

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void die(const char *what, int rc) {
    fprintf(stderr, "bench_compact: %s: %s\n", what, kgw_log_strerror(rc));
    exit(1);
}

/* Records [from, to) with key i % keys, ~100-byte values. */
static void fill(kgw_log_t *log, int64_t from, int64_t to, int64_t keys, int codec) {
    kafka_batch_params_t p;
    kafka_batch_params_init(&p);
    p.codec = codec;
    kafka_batch_builder_t b;
    kafka_batch_builder_init(&b, &p);
    kafka_buf_t out = KAFKA_BUF_INIT;
    char key[32], value[128];
    for (int64_t i = from; i < to;) {
        kafka_batch_builder_reset(&b, &p);
        for (int n = 0; n < PER_BATCH && i < to; n++, i++) {
            int kl = snprintf(key, sizeof key, "key-%08" PRId64, i % keys);
            int vl = snprintf(value, sizeof value,
                              "{\"id\":%" PRId64 ",\"state\":\"value %" PRId64
                              " of a record that is about one hundred bytes long\"}",
                              i, i * 7919 % 1000003);
            kafka_record_in_t r = {.timestamp = 1700000000000 + i,
                                   .key = {(const uint8_t *)key, kl},
                                   .value = {(const uint8_t *)value, vl}};
            if (kafka_batch_builder_add(&b, &r) != 0)
                die("build", -1);
        }
        out.len = 0;
        if (kafka_batch_builder_finish(&b, &out) != 0)
            die("build", -1);
        int64_t base;
        int rc = kgw_log_append(log, out.ptr, out.len, 1700000000000 + i, &base);
        if (rc != 0)
            die("append", rc);
    }
    kafka_buf_free(&out);
    kafka_batch_builder_free(&b);
}

/* One more batch in a segment of its own: all before becomes cleanable. */
static void roll(kgw_log_t *log, int64_t at, int64_t keys, int codec) {
    int64_t ms = log->cfg.segment_ms;
    log->cfg.segment_ms = 0;
    fill(log, at, at + 1, keys, codec);
    log->cfg.segment_ms = ms;
}

static void pass(kgw_log_t *log, const char *name) {
    kgw_log_compact_opts_t o;
    kgw_log_compact_opts_default(&o);
    kgw_log_compact_stats_t st;
    double t0 = now_s();
    int rc = kgw_log_compact(log, 1800000000000, &o, &st);
    double t = now_s() - t0;
    if (rc != 0)
        die("compact", rc);
    printf("%-8s %7.3f s %8.1f MB/s %6.2f M records/s  %" PRId64 " -> %" PRId64 " bytes, %" PRId64
           " of %" PRId64 " records removed, %" PRId64 " keys, %d -> %d segments\n",
           name, t, (double)st.bytes_before / t / 1e6, (double)st.records_read / t / 1e6,
           st.bytes_before, st.bytes_after, st.records_removed, st.records_read, st.map_keys,
           st.segments_rewritten, st.segments_written);
}

int main(int argc, char **argv) {
    int64_t records = argc > 1 ? atoll(argv[1]) : 1000000;
    int64_t keys = argc > 2 ? atoll(argv[2]) : 10000;
    int codec = KAFKA_CODEC_NONE;
    for (int c = 0; argc > 3 && c < KAFKA_CODEC_COUNT; c++)
        if (strcmp(argv[3], kafka_codec_name(c)) == 0)
            codec = c;
    char dir[] = "/tmp/kgw-bench-compact-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    kgw_log_config_t cfg;
    kgw_log_config_default(&cfg);
    cfg.segment_bytes = 16 << 20;
    kgw_log_t log;
    int rc = kgw_log_open(&log, dir, &cfg);
    if (rc != 0)
        die("open", rc);
    double t0 = now_s();
    fill(&log, 0, records, keys, codec);
    roll(&log, records, keys, codec);
    printf("# %" PRId64 " records, %" PRId64 " keys, %s, %d per batch: %" PRId64
           " bytes in %zu segments, written in %.2f s\n",
           records, keys, kafka_codec_name(codec), PER_BATCH, kgw_log_size_bytes(&log),
           kgw_log_segment_count(&log), now_s() - t0);
    pass(&log, "first");
    int64_t more = records / 10;
    fill(&log, records + 1, records + 1 + more, keys, codec);
    roll(&log, records + 1 + more, keys, codec);
    pass(&log, "second");
    kgw_log_close(&log);
    nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}
