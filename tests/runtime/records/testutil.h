/* Helpers shared by the records tests (cmocka). */
#ifndef RECORDS_TESTUTIL_H
#define RECORDS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kafka/compress.h"
#include "kafka/records.h"

/* Deterministic pseudo-random bytes (xorshift64*). */
static inline uint64_t tu_rand(uint64_t *s) {
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static inline void tu_fill_random(uint8_t *p, size_t n, uint64_t seed) {
    uint64_t s = seed | 1;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(tu_rand(&s) >> 56);
}

/* Text-like bytes that compress about as well as JSON payloads do. */
static inline void tu_fill_text(uint8_t *p, size_t n, uint64_t seed) {
    static const char *words[] = {
        "kafka", "record", "batch", "offset", "\"id\":", "value",     "topic",
        "{",     "}",      ",",     " ",      "2024",    "partition", "\n"};
    uint64_t s = seed | 1;
    size_t i = 0;
    while (i < n) {
        const char *w = words[tu_rand(&s) % (sizeof words / sizeof *words)];
        for (size_t k = 0; w[k] && i < n; k++)
            p[i++] = (uint8_t)w[k];
    }
}

static inline kafka_bytes_t tu_bytes(const void *p, int32_t n) {
    return (kafka_bytes_t){p, n};
}
static inline kafka_bytes_t tu_str(const char *s) {
    return s ? (kafka_bytes_t){(const uint8_t *)s, (int32_t)strlen(s)} : (kafka_bytes_t){NULL, -1};
}

/* Equal including nullness; prints both on failure. */
#define tu_assert_bytes(exp, got)                                                                  \
    do {                                                                                           \
        kafka_bytes_t e_ = (exp), g_ = (got);                                                      \
        if (e_.len != g_.len)                                                                      \
            fail_msg("%s: expected length %d, got %d", #got, (int)e_.len, (int)g_.len);            \
        if (e_.len > 0)                                                                            \
            assert_memory_equal(e_.ptr, g_.ptr, (size_t)e_.len);                                   \
    } while (0)

/* Whole file into a malloc'd buffer; fails the test if unreadable. */
static inline uint8_t *tu_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    assert_non_null(buf);
    if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)
        fail_msg("short read on %s", path);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Parse a batch and build it again from what was read: same bytes. */
static inline void tu_reencode(const uint8_t *buf, size_t len, kafka_buf_t *out) {
    kafka_batch_t b;
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    assert_int_equal(0, kafka_batch_parse(buf, len, 0, &b, &err));
    kafka_batch_params_t p;
    kafka_batch_params_from(&p, &b);
    kafka_batch_builder_t bb;
    kafka_batch_builder_init(&bb, &p);
    kafka_record_iter_t it;
    assert_int_equal(0, kafka_record_iter_init(&it, &b, 16u << 20, &err));
    kafka_record_t r;
    kafka_header_t hs[64];
    while (kafka_record_iter_next(&it, &r, &err) == 1) {
        kafka_header_iter_t hi;
        kafka_header_iter_init(&hi, &r);
        int32_t nh = 0;
        while (nh < 64 && kafka_header_iter_next(&hi, &hs[nh]) == 1)
            nh++;
        kafka_record_in_t in = {
            (int64_t)((uint64_t)b.first_timestamp + (uint64_t)r.timestamp_delta), r.key, r.value,
            hs, nh};
        assert_int_equal(0, kafka_batch_builder_add_at(&bb, r.offset, &in));
    }
    assert_int_equal(0, err.code);
    kafka_record_iter_free(&it);
    assert_int_equal(0, kafka_batch_builder_finish(&bb, out));
    kafka_batch_builder_free(&bb);
}

#endif
