/* The embedded durable log: offsets, reads, time lookup, rolling,
 * retention, DeleteRecords and crash recovery, on real files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kafka/crc32c.h"
#include "log.h"
#include "log_fixture.h"

typedef struct fixture {
    char dir[64];
    kgw_log_config_t cfg;
    kgw_log_t log;
    bool open;
} fixture_t;

static void put64(uint8_t *p, uint64_t v) {
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v) {
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static uint32_t get32(const uint8_t *p) {
    return (uint32_t)get64(p - 4) & 0xffffffffu;
}

/* A v2 batch of nrec records whose record section is payload filler bytes;
 * the log never looks inside records, only at the header and CRC. */
static size_t make_batch(uint8_t *buf, int32_t nrec, size_t payload, int64_t max_ts, uint8_t fill) {
    size_t total = 61 + payload;
    memset(buf, 0, total);
    put64(buf, 0);
    put32(buf + 8, (uint32_t)(total - 12));
    put32(buf + 12, 0xffffffffu);
    buf[16] = 2;
    put32(buf + 23, (uint32_t)(nrec - 1));
    put64(buf + 27, (uint64_t)(max_ts - nrec + 1));
    put64(buf + 35, (uint64_t)max_ts);
    put64(buf + 43, UINT64_MAX);
    buf[51] = 0xff;
    buf[52] = 0xff;
    put32(buf + 53, 0xffffffffu);
    put32(buf + 57, (uint32_t)nrec);
    memset(buf + 61, fill, payload);
    put32(buf + 17, kafka_crc32c(0, buf + 21, total - 21));
    return total;
}

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    if (!lf_make_dir(f->dir, "log-test"))
        return -1;
    kgw_log_config_default(&f->cfg);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    if (f->open)
        kgw_log_close(&f->log);
    lf_remove_dir(f->dir);
    free(f);
    return 0;
}

static void reopen(fixture_t *f) {
    lf_reopen(&f->log, &f->open, f->dir, &f->cfg);
}

static void shut(fixture_t *f) {
    kgw_log_close(&f->log);
    f->open = false;
}

static int64_t append(fixture_t *f, int32_t nrec, size_t payload, int64_t ts, int64_t now) {
    uint8_t buf[8192];
    size_t len = make_batch(buf, nrec, payload, ts, (uint8_t)(ts & 0xff));
    int64_t base = -1;
    int rc = kgw_log_append(&f->log, buf, len, now, &base);
    if (rc != 0)
        fail_msg("kgw_log_append: %s", kgw_log_strerror(rc));
    return base;
}

static void path_of(fixture_t *f, int64_t base, const char *ext, char *out, size_t cap) {
    snprintf(out, cap, "%s/%020" PRId64 "%s", f->dir, base, ext);
}

static int64_t file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Checks one read result: whole batches, first one holding offset, CRCs
 * intact; returns the number of batches. */
static int check_read(const kgw_log_read_t *r, int64_t offset) {
    size_t pos = 0;
    int n = 0;
    int64_t expect = -1;
    while (pos < r->len) {
        assert_true(r->len - pos >= 61);
        const uint8_t *b = r->data + pos;
        int64_t base = (int64_t)get64(b);
        size_t total = get32(b + 8) + 12;
        int32_t delta = (int32_t)get32(b + 23);
        assert_true(total <= r->len - pos);
        assert_int_equal(get32(b + 17), kafka_crc32c(0, b + 21, total - 21));
        assert_int_equal(get32(b + 12), 0); /* the log's leader epoch */
        if (n == 0) {
            assert_true(base <= offset);
            assert_true(base + delta >= offset);
        } else {
            assert_int_equal(base, expect);
        }
        expect = base + delta + 1;
        pos += total;
        n++;
    }
    return n;
}

static void test_roundtrip_segments(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 1000;
    f->cfg.index_interval_bytes = 256;
    reopen(f);
    int64_t expect = 0;
    for (int i = 0; i < 20; i++) {
        int64_t base = append(f, 3, 200, 1000 + i, 0);
        assert_int_equal(base, expect);
        expect += 3;
    }
    assert_int_equal(kgw_log_end_offset(&f->log), 60);
    assert_int_equal(kgw_log_high_watermark(&f->log), 60);
    assert_int_equal(kgw_log_start_offset(&f->log), 0);
    /* 261-byte batches, 3 per 1000-byte segment. */
    assert_int_equal(kgw_log_segment_count(&f->log), 7);
    char p[128];
    path_of(f, 9, ".log", p, sizeof p);
    assert_int_equal(file_size(p), 3 * 261);
    path_of(f, 18, ".index", p, sizeof p);
    assert_true(file_size(p) > 0);
    for (int64_t off = 0; off < 60; off++) {
        kgw_log_read_t r;
        assert_int_equal(kgw_log_read(&f->log, off, 100000, &r), 0);
        int n = check_read(&r, off);
        assert_true(n >= 1);
        /* Reads stay inside one segment. */
        assert_int_equal(get64(r.data), (uint64_t)(off / 3 * 3));
        assert_int_equal(r.log_end_offset, 60);
        /* The stored bytes are the sent batch except the base offset. */
        uint8_t sent[1024];
        size_t len = make_batch(sent, 3, 200, 1000 + off / 3, (uint8_t)((1000 + off / 3) & 0xff));
        put64(sent, (uint64_t)(off / 3 * 3));
        put32(sent + 12, 0);
        assert_memory_equal(r.data, sent, len);
        kgw_log_read_free(&r);
    }
    kgw_log_read_t r;
    assert_int_equal(kgw_log_read(&f->log, 60, 1000, &r), 0);
    assert_int_equal(r.len, 0);
    assert_int_equal(kgw_log_read(&f->log, 61, 1000, &r), KGW_LOG_EOFFSET);
}

static void test_restart_continues(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 700;
    reopen(f);
    for (int i = 0; i < 7; i++)
        append(f, 2, 100, 50 + i, 0);
    assert_int_equal(kgw_log_flush(&f->log), 0);
    size_t segs = kgw_log_segment_count(&f->log);
    reopen(f);
    assert_int_equal(kgw_log_end_offset(&f->log), 14);
    assert_int_equal(kgw_log_segment_count(&f->log), segs);
    assert_int_equal(append(f, 5, 100, 60, 0), 14);
    assert_int_equal(kgw_log_end_offset(&f->log), 19);
    reopen(f);
    assert_int_equal(kgw_log_end_offset(&f->log), 19);
    kgw_log_read_t r;
    assert_int_equal(kgw_log_read(&f->log, 17, 1, &r), 0);
    assert_int_equal(check_read(&r, 17), 1);
    assert_int_equal(get64(r.data), 14);
    kgw_log_read_free(&r);
}

static void test_read_limits(void **state) {
    fixture_t *f = *state;
    reopen(f);
    for (int i = 0; i < 4; i++)
        append(f, 10, 500, 100 + i, 0);
    kgw_log_read_t r;
    /* Middle of the second batch: the whole batch comes back. */
    assert_int_equal(kgw_log_read(&f->log, 15, 561, &r), 0);
    assert_int_equal(check_read(&r, 15), 1);
    assert_int_equal(get64(r.data), 10);
    assert_int_equal(r.len, 561);
    kgw_log_read_free(&r);
    /* At least one batch even when it exceeds max_bytes. */
    assert_int_equal(kgw_log_read(&f->log, 0, 1, &r), 0);
    assert_int_equal(check_read(&r, 0), 1);
    kgw_log_read_free(&r);
    assert_int_equal(kgw_log_read(&f->log, 0, 2 * 561 - 1, &r), 0);
    assert_int_equal(check_read(&r, 0), 1);
    kgw_log_read_free(&r);
    assert_int_equal(kgw_log_read(&f->log, 0, 2 * 561, &r), 0);
    assert_int_equal(check_read(&r, 0), 2);
    kgw_log_read_free(&r);
    assert_int_equal(kgw_log_read(&f->log, 39, 1 << 20, &r), 0);
    assert_int_equal(check_read(&r, 39), 1);
    assert_int_equal(get64(r.data), 30);
    kgw_log_read_free(&r);
}

static void expect_time(fixture_t *f, int64_t ts, int64_t want_off, int64_t want_ts) {
    int64_t off = -7, fts = -7;
    assert_int_equal(kgw_log_offset_for_time(&f->log, ts, &off, &fts), 0);
    if (off != want_off || fts != want_ts)
        fail_msg("ts %" PRId64 ": expected offset %" PRId64 " ts %" PRId64 ", got %" PRId64
                 " ts %" PRId64,
                 ts, want_off, want_ts, off, fts);
}

static void test_time_lookup(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 2000;
    f->cfg.index_interval_bytes = 100;
    reopen(f);
    /* Batch i has offsets 2i, 2i+1 and maxTimestamp 1000 * (i + 1), except
     * that batch 5 goes back in time. */
    for (int i = 0; i < 30; i++)
        append(f, 2, 150, i == 5 ? 500 : 1000 * (i + 1), 0);
    for (int pass = 0; pass < 2; pass++) {
        expect_time(f, 0, 0, 1000);
        expect_time(f, 1000, 0, 1000);
        expect_time(f, 1001, 2, 2000);
        expect_time(f, 5500, 12, 7000);
        expect_time(f, 15000, 28, 15000);
        expect_time(f, 29999, 58, 30000);
        expect_time(f, 30001, -1, -1);
        expect_time(f, KGW_LOG_TS_LATEST, 60, -1);
        expect_time(f, KGW_LOG_TS_EARLIEST, 0, -1);
        reopen(f);
    }
    assert_true(kgw_log_segment_count(&f->log) > 3);
}

static void test_roll_by_age(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_ms = 100;
    reopen(f);
    append(f, 1, 10, 1000, 1000);
    append(f, 1, 10, 1010, 1099);
    assert_int_equal(kgw_log_segment_count(&f->log), 1);
    assert_int_equal(append(f, 1, 10, 1100, 1100), 2);
    assert_int_equal(kgw_log_segment_count(&f->log), 2);
    char p[128];
    path_of(f, 2, ".log", p, sizeof p);
    assert_int_equal(file_size(p), 71);
}

static void test_retention_bytes(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 600;
    f->cfg.retention_ms = -1;
    reopen(f);
    for (int i = 0; i < 10; i++)
        append(f, 1, 439, 10 + i, 0); /* 500 bytes: one batch per segment */
    assert_int_equal(kgw_log_segment_count(&f->log), 10);
    /* As in Kafka, a segment goes only if what remains is still at least
     * retention.bytes: 5000 - 6 * 500 = 2000 >= 1600 > 1500. */
    f->log.cfg.retention_bytes = 1600;
    assert_int_equal(kgw_log_enforce_retention(&f->log, 0), 6);
    assert_int_equal(kgw_log_segment_count(&f->log), 4);
    assert_int_equal(kgw_log_size_bytes(&f->log), 2000);
    assert_int_equal(kgw_log_start_offset(&f->log), 6);
    char p[128];
    path_of(f, 5, ".log", p, sizeof p);
    assert_int_equal(file_size(p), -1);
    kgw_log_read_t r;
    assert_int_equal(kgw_log_read(&f->log, 5, 100, &r), KGW_LOG_EOFFSET);
    assert_int_equal(kgw_log_read(&f->log, 6, 100, &r), 0);
    assert_int_equal(check_read(&r, 6), 1);
    kgw_log_read_free(&r);
    assert_int_equal(kgw_log_enforce_retention(&f->log, 0), 0);
    reopen(f);
    assert_int_equal(kgw_log_start_offset(&f->log), 6);
    assert_int_equal(kgw_log_end_offset(&f->log), 10);
}

static void test_retention_time(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 600;
    f->cfg.retention_ms = 1000;
    reopen(f);
    for (int i = 0; i < 5; i++)
        append(f, 4, 439, 10000 + 100 * i, 0);
    /* Segments whose newest timestamp is older than now - retention go. */
    assert_int_equal(kgw_log_enforce_retention(&f->log, 11000), 0);
    assert_int_equal(kgw_log_enforce_retention(&f->log, 11150), 2);
    assert_int_equal(kgw_log_start_offset(&f->log), 8);
    /* All expired: the log rolls and stays at its end offset. */
    assert_int_equal(kgw_log_enforce_retention(&f->log, 50000), 3);
    assert_int_equal(kgw_log_segment_count(&f->log), 1);
    assert_int_equal(kgw_log_start_offset(&f->log), 20);
    assert_int_equal(kgw_log_end_offset(&f->log), 20);
    reopen(f);
    assert_int_equal(kgw_log_start_offset(&f->log), 20);
    assert_int_equal(append(f, 1, 10, 60000, 0), 20);
}

static void test_delete_records(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 600;
    reopen(f);
    for (int i = 0; i < 6; i++)
        append(f, 4, 439, 100 + i, 0); /* segments at 0, 4, 8, ... 20 */
    assert_int_equal(kgw_log_delete_records(&f->log, 25), KGW_LOG_EOFFSET);
    assert_int_equal(kgw_log_delete_records(&f->log, 10), 0);
    assert_int_equal(kgw_log_start_offset(&f->log), 10);
    assert_int_equal(kgw_log_segment_count(&f->log), 4);
    kgw_log_read_t r;
    assert_int_equal(kgw_log_read(&f->log, 9, 100, &r), KGW_LOG_EOFFSET);
    assert_int_equal(kgw_log_read(&f->log, 10, 100, &r), 0);
    assert_int_equal(get64(r.data), 8);
    kgw_log_read_free(&r);
    expect_time(f, 0, 10, 102);
    expect_time(f, KGW_LOG_TS_EARLIEST, 10, -1);
    /* Moving backwards is a no-op. */
    assert_int_equal(kgw_log_delete_records(&f->log, 3), 0);
    assert_int_equal(kgw_log_start_offset(&f->log), 10);
    reopen(f);
    assert_int_equal(kgw_log_start_offset(&f->log), 10);
    assert_int_equal(kgw_log_segment_count(&f->log), 4);
    assert_int_equal(kgw_log_delete_records(&f->log, 24), 0);
    assert_int_equal(kgw_log_segment_count(&f->log), 1);
    reopen(f);
    assert_int_equal(kgw_log_start_offset(&f->log), 24);
    assert_int_equal(kgw_log_end_offset(&f->log), 24);
    assert_int_equal(append(f, 1, 10, 1, 0), 24);
}

/* Five 3-record batches of 261 bytes in one segment, then the log closed. */
static void five_batches(fixture_t *f) {
    f->cfg.index_interval_bytes = 300;
    reopen(f);
    for (int i = 0; i < 5; i++)
        append(f, 3, 200, 100 + i, 0);
    shut(f);
}

static void expect_after_recovery(fixture_t *f) {
    reopen(f);
    assert_int_equal(kgw_log_end_offset(&f->log), 12);
    assert_int_equal(f->log.recovered_bytes > 0, 1);
    char p[128];
    path_of(f, 0, ".log", p, sizeof p);
    assert_int_equal(file_size(p), 4 * 261);
    kgw_log_read_t r;
    assert_int_equal(kgw_log_read(&f->log, 0, 1 << 20, &r), 0);
    assert_int_equal(check_read(&r, 0), 4);
    kgw_log_read_free(&r);
    assert_int_equal(append(f, 2, 50, 200, 0), 12);
    reopen(f);
    assert_int_equal(f->log.recovered_bytes, 0);
    assert_int_equal(kgw_log_end_offset(&f->log), 14);
    assert_int_equal(kgw_log_read(&f->log, 13, 1 << 20, &r), 0);
    assert_int_equal(check_read(&r, 13), 1);
    assert_int_equal(get64(r.data), 12);
    kgw_log_read_free(&r);
}

static void test_recover_torn_tail(void **state) {
    fixture_t *f = *state;
    five_batches(f);
    char p[128];
    path_of(f, 0, ".log", p, sizeof p);
    assert_int_equal(truncate(p, 4 * 261 + 100), 0);
    expect_after_recovery(f);
}

static void test_recover_corrupt_byte(void **state) {
    fixture_t *f = *state;
    five_batches(f);
    char p[128];
    path_of(f, 0, ".log", p, sizeof p);
    int fd = open(p, O_RDWR);
    assert_true(fd >= 0);
    uint8_t b;
    assert_int_equal(pread(fd, &b, 1, 4 * 261 + 150), 1);
    b ^= 0x40;
    assert_int_equal(pwrite(fd, &b, 1, 4 * 261 + 150), 1);
    close(fd);
    expect_after_recovery(f);
}

static void test_recover_garbage_header(void **state) {
    fixture_t *f = *state;
    five_batches(f);
    char p[128];
    path_of(f, 0, ".log", p, sizeof p);
    /* A half-written header after the last good batch. */
    int fd = open(p, O_RDWR);
    assert_true(fd >= 0);
    uint8_t junk[40];
    memset(junk, 0xab, sizeof junk);
    assert_int_equal(pwrite(fd, junk, sizeof junk, 4 * 261), (ssize_t)sizeof junk);
    assert_int_equal(ftruncate(fd, 4 * 261 + 40), 0);
    close(fd);
    expect_after_recovery(f);
}

static void test_recover_middle_segment(void **state) {
    fixture_t *f = *state;
    f->cfg.segment_bytes = 600;
    reopen(f);
    for (int i = 0; i < 6; i++)
        append(f, 2, 200, 10 + i, 0); /* 261-byte batches, two per segment */
    assert_int_equal(kgw_log_segment_count(&f->log), 3);
    shut(f);
    char p[128];
    path_of(f, 4, ".log", p, sizeof p);
    assert_int_equal(truncate(p, 261 + 30), 0);
    /* Offsets must not jump from 6 to 8: the later segment goes too. */
    reopen(f);
    assert_int_equal(kgw_log_end_offset(&f->log), 6);
    assert_int_equal(kgw_log_segment_count(&f->log), 2);
    path_of(f, 8, ".log", p, sizeof p);
    assert_int_equal(file_size(p), -1);
    assert_int_equal(append(f, 1, 10, 99, 0), 6);
}

static void test_index_rebuild(void **state) {
    fixture_t *f = *state;
    f->cfg.index_interval_bytes = 500;
    reopen(f);
    for (int i = 0; i < 40; i++)
        append(f, 2, 150 + (size_t)i, 1000 + 10 * i, 0);
    shut(f);
    char pi[128], pt[128];
    path_of(f, 0, ".index", pi, sizeof pi);
    path_of(f, 0, ".timeindex", pt, sizeof pt);
    int64_t isz = file_size(pi), tsz = file_size(pt);
    assert_true(isz >= 8 * 10);
    assert_true(tsz >= 12 * 10);
    for (int variant = 0; variant < 3; variant++) {
        if (variant == 0) {
            assert_int_equal(unlink(pi), 0);
        } else if (variant == 1) {
            assert_int_equal(unlink(pt), 0);
        } else {
            /* An index claiming a position that holds no batch start. */
            int fd = open(pi, O_RDWR);
            uint8_t e[8];
            put32(e, 79);
            put32(e + 4, 1234);
            assert_int_equal(pwrite(fd, e, 8, isz - 8), 8);
            close(fd);
        }
        reopen(f);
        assert_int_equal(f->log.recovered_bytes, 0);
        assert_int_equal(kgw_log_end_offset(&f->log), 80);
        assert_int_equal(file_size(pi), isz);
        assert_int_equal(file_size(pt), tsz);
        for (int64_t off = 0; off < 80; off++) {
            kgw_log_read_t r;
            assert_int_equal(kgw_log_read(&f->log, off, 1, &r), 0);
            assert_int_equal(check_read(&r, off), 1);
            kgw_log_read_free(&r);
        }
        expect_time(f, 1195, 40, 1200);
        shut(f);
    }
}

static void test_flush_and_bad_batches(void **state) {
    fixture_t *f = *state;
    f->cfg.flush_on_append = true;
    f->cfg.segment_bytes = 300;
    reopen(f);
    for (int i = 0; i < 3; i++)
        append(f, 1, 200, i, 0);
    assert_int_equal(f->log.flushed_offset, 3);
    assert_int_equal(f->log.dir_dirty, false);
    assert_int_equal(kgw_log_flush(&f->log), 0);
    uint8_t buf[512];
    size_t len = make_batch(buf, 1, 100, 1, 0);
    int64_t base = -1;
    assert_int_equal(kgw_log_append(&f->log, buf, len - 1, 0, &base), KGW_LOG_EBATCH);
    buf[16] = 1;
    assert_int_equal(kgw_log_append(&f->log, buf, len, 0, &base), KGW_LOG_EBATCH);
    len = make_batch(buf, 1, 400, 1, 0);
    assert_int_equal(kgw_log_append(&f->log, buf, len, 0, &base), KGW_LOG_ETOOLARGE);
    assert_int_equal(base, -1);
    assert_int_equal(kgw_log_end_offset(&f->log), 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roundtrip_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_continues, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roll_by_age, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover_torn_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover_corrupt_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover_garbage_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover_middle_segment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_rebuild, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_and_bad_batches, setup, teardown),
    };
    return cmocka_run_group_tests_name("storage/log", tests, NULL, NULL);
}
