/* Bounds-checked reader: fixed-width values, strings, bytes, array counts
 * and the tagged-field section, including every hostile length. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kafka/reader.h"

/* A reader whose input sits at absolute offset `base`, with a fresh err. */
static kafka_reader_t reader_at(const void *buf, size_t len, int64_t base, kafka_err_t *err) {
    kafka_err_clear(err);
    kafka_reader_t r = kafka_reader_make(buf, len, err);
    r.base = base;
    return r;
}

/* Failure at pos 0: nothing consumed, err names base + 0. */
static void assert_failed_at_start(const kafka_reader_t *r, const kafka_err_t *err, int code) {
    assert_int_equal(r->pos, 0);
    assert_int_equal(err->code, code);
    assert_int_equal(err->offset, r->base);
    assert_non_null(err->reason);
}

static void test_make_and_remaining(void **state) {
    (void)state;
    uint8_t buf[3] = {1, 2, 3};
    kafka_err_t err;
    kafka_reader_t r = kafka_reader_make(buf, sizeof buf, &err);
    assert_ptr_equal(r.buf, buf);
    assert_int_equal(r.len, 3);
    assert_int_equal(r.pos, 0);
    assert_int_equal(r.base, 0);
    assert_ptr_equal(r.err, &err);
    assert_int_equal(kafka_reader_remaining(&r), 3);
}

static void test_fixed_width_big_endian(void **state) {
    (void)state;
    static const uint8_t in[] = {
        0x02,                                           /* bool: non-zero is true */
        0x00,                                           /* bool false */
        0xff,                                           /* int8 -1 */
        0x80, 0x00,                                     /* int16 -32768 */
        0xfe, 0xdc,                                     /* uint16 */
        0x80, 0x00, 0x00, 0x01,                         /* int32 */
        0xfe, 0xdc, 0xba, 0x98,                         /* uint32 */
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* int64 */
        0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* float64 1.5 */
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, /* uuid */
        0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
    };
    kafka_err_t err;
    kafka_reader_t r = reader_at(in, sizeof in, 0, &err);
    bool b;
    int8_t i8;
    int16_t i16;
    uint16_t u16;
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    double d;
    kafka_uuid_t u;
    assert_int_equal(kafka_read_bool(&r, &b), 0);
    assert_true(b);
    assert_int_equal(kafka_read_bool(&r, &b), 0);
    assert_false(b);
    assert_int_equal(kafka_read_int8(&r, &i8), 0);
    assert_int_equal(i8, -1);
    assert_int_equal(kafka_read_int16(&r, &i16), 0);
    assert_int_equal(i16, INT16_MIN);
    assert_int_equal(kafka_read_uint16(&r, &u16), 0);
    assert_int_equal(u16, 0xfedc);
    assert_int_equal(kafka_read_int32(&r, &i32), 0);
    assert_int_equal(i32, INT32_MIN + 1);
    assert_int_equal(kafka_read_uint32(&r, &u32), 0);
    assert_int_equal(u32, 0xfedcba98u);
    assert_int_equal(kafka_read_int64(&r, &i64), 0);
    assert_int_equal(i64, 0x0102030405060708ll);
    assert_int_equal(kafka_read_float64(&r, &d), 0);
    assert_true(d == 1.5);
    assert_int_equal(kafka_read_uuid(&r, &u), 0);
    assert_memory_equal(u.b, in + sizeof in - 16, 16);
    assert_int_equal(kafka_reader_remaining(&r), 0);
    assert_int_equal(err.code, 0);
}

static void test_negative_int64(void **state) {
    (void)state;
    static const uint8_t in[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
                                 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    kafka_reader_t r = kafka_reader_make(in, sizeof in, NULL);
    int64_t v;
    assert_int_equal(kafka_read_int64(&r, &v), 0);
    assert_int_equal(v, -2);
    assert_int_equal(kafka_read_int64(&r, &v), 0);
    assert_true(v == INT64_MIN);
}

/* Each fixed-width reader fails at every shorter input without moving. */
static void test_fixed_width_truncated(void **state) {
    (void)state;
    static const uint8_t in[16] = {0};
    for (size_t n = 0; n < 16; n++) {
        kafka_err_t err;
        kafka_reader_t r = reader_at(in, n, 40, &err);
        union {
            bool b;
            int8_t i8;
            int16_t i16;
            uint16_t u16;
            int32_t i32;
            uint32_t u32;
            int64_t i64;
            double d;
            kafka_uuid_t u;
        } v;
        if (n < 1) {
            assert_int_equal(kafka_read_bool(&r, &v.b), KAFKA_ETRUNC);
            assert_int_equal(kafka_read_int8(&r, &v.i8), KAFKA_ETRUNC);
        }
        if (n < 2) {
            assert_int_equal(kafka_read_int16(&r, &v.i16), KAFKA_ETRUNC);
            assert_int_equal(kafka_read_uint16(&r, &v.u16), KAFKA_ETRUNC);
        }
        if (n < 4) {
            assert_int_equal(kafka_read_int32(&r, &v.i32), KAFKA_ETRUNC);
            assert_int_equal(kafka_read_uint32(&r, &v.u32), KAFKA_ETRUNC);
        }
        if (n < 8) {
            assert_int_equal(kafka_read_int64(&r, &v.i64), KAFKA_ETRUNC);
            assert_int_equal(kafka_read_float64(&r, &v.d), KAFKA_ETRUNC);
        }
        assert_int_equal(kafka_read_uuid(&r, &v.u), KAFKA_ETRUNC);
        assert_failed_at_start(&r, &err, KAFKA_ETRUNC);
    }
}

static void test_fail_keeps_first_and_offsets(void **state) {
    (void)state;
    static const uint8_t in[] = {0, 0, 0};
    kafka_err_t err;
    kafka_reader_t r = reader_at(in, sizeof in, 1000, &err);
    int16_t v;
    assert_int_equal(kafka_read_int16(&r, &v), 0);
    assert_int_equal(kafka_read_int16(&r, &v), KAFKA_ETRUNC);
    assert_int_equal(err.code, KAFKA_ETRUNC);
    assert_int_equal(err.offset, 1002);
    assert_string_equal(err.reason, "input ends before the value");
    /* A later failure does not overwrite the first. */
    assert_int_equal(kafka_reader_fail(&r, KAFKA_EINVAL, "other"), KAFKA_EINVAL);
    assert_int_equal(err.code, KAFKA_ETRUNC);
    assert_string_equal(err.reason, "input ends before the value");
    /* No sink: failures are still returned. */
    r.err = NULL;
    assert_int_equal(kafka_reader_fail(&r, KAFKA_EINVAL, "x"), KAFKA_EINVAL);
}

static void test_sub_reader(void **state) {
    (void)state;
    static const uint8_t in[] = {9, 9, 9, 0x00, 0x01, 0x00, 7, 7};
    kafka_err_t err;
    kafka_reader_t r = reader_at(in, sizeof in, 50, &err);
    r.pos = 3;
    kafka_reader_t s = kafka_reader_sub(&r, 3);
    assert_int_equal(r.pos, 3); /* parent unchanged */
    assert_ptr_equal(s.buf, in + 3);
    assert_int_equal(s.len, 3);
    assert_int_equal(s.pos, 0);
    assert_int_equal(s.base, 53);
    assert_ptr_equal(s.err, &err);
    int16_t v;
    assert_int_equal(kafka_read_int16(&s, &v), 0);
    assert_int_equal(v, 1);
    /* The sub reader ends at its own length, not the parent's. */
    assert_int_equal(kafka_read_int16(&s, &v), KAFKA_ETRUNC);
    assert_int_equal(err.offset, 55);
    /* Nested: offsets stay absolute. */
    kafka_reader_t s2 = kafka_reader_sub(&s, 1);
    assert_int_equal(s2.base, 55);
    /* Never extends past the parent. */
    kafka_reader_t s3 = kafka_reader_sub(&r, 100);
    assert_int_equal(s3.len, 5);
}

/* ---- strings ---- */

static void test_string_classic(void **state) {
    (void)state;
    static const uint8_t in[] = {0x00, 0x03, 'a', 'b', 'c', 0x00, 0x00, 0xff, 0xff};
    kafka_err_t err;
    kafka_reader_t r = reader_at(in, sizeof in, 0, &err);
    kafka_str_t s;
    assert_int_equal(kafka_read_string(&r, false, false, &s), 0);
    assert_int_equal(s.len, 3);
    assert_memory_equal(s.ptr, "abc", 3);
    assert_ptr_equal(s.ptr, in + 2); /* zero-copy view */
    assert_int_equal(kafka_read_string(&r, false, false, &s), 0);
    assert_int_equal(s.len, 0);
    assert_non_null(s.ptr);
    size_t at = r.pos;
    assert_int_equal(kafka_read_string(&r, false, false, &s), KAFKA_ENULL);
    assert_int_equal(r.pos, at);
    assert_int_equal(err.offset, (int64_t)at);
    assert_int_equal(kafka_read_string(&r, false, true, &s), 0);
    assert_int_equal(s.len, -1);
    assert_null(s.ptr);
    assert_int_equal(kafka_reader_remaining(&r), 0);
}

static void test_string_compact(void **state) {
    (void)state;
    static const uint8_t in[] = {0x04, 'a', 'b', 'c', 0x01, 0x00};
    kafka_err_t err;
    kafka_reader_t r = reader_at(in, sizeof in, 0, &err);
    kafka_str_t s;
    assert_int_equal(kafka_read_string(&r, true, false, &s), 0);
    assert_int_equal(s.len, 3);
    assert_memory_equal(s.ptr, "abc", 3);
    assert_int_equal(kafka_read_string(&r, true, false, &s), 0);
    assert_int_equal(s.len, 0);
    assert_int_equal(kafka_read_string(&r, true, false, &s), KAFKA_ENULL);
    assert_int_equal(r.pos, 5);
    assert_int_equal(kafka_read_string(&r, true, true, &s), 0);
    assert_int_equal(s.len, -1);
    assert_int_equal(kafka_reader_remaining(&r), 0);
}

/* Input of prefix + n bytes of 'x'. */
static uint8_t *with_payload(const uint8_t *prefix, size_t plen, size_t n, size_t *total) {
    uint8_t *buf = malloc(plen + n + 1);
    assert_non_null(buf);
    memcpy(buf, prefix, plen);
    memset(buf + plen, 'x', n);
    *total = plen + n;
    return buf;
}

static void test_string_max_length(void **state) {
    (void)state;
    struct {
        bool flex;
        uint8_t prefix[4];
        size_t plen;
        size_t len;
        int want;
    } cases[] = {
        {false, {0x7f, 0xff}, 2, 0x7fff, 0},
        {false, {0x80, 0x00}, 2, 0x8000, KAFKA_ETOOLARGE},
        {false, {0x9c, 0x40}, 2, 40000, KAFKA_ETOOLARGE},
        {false, {0xff, 0xfe}, 2, 0xfffe, KAFKA_ETOOLARGE},
        /* compact: uvarint(len + 1) */
        {true, {0x80, 0x80, 0x02}, 3, 0x7fff, 0},
        {true, {0x81, 0x80, 0x02}, 3, 0x8000, KAFKA_ETOOLARGE},
        {true, {0xc1, 0xb8, 0x02}, 3, 40000, KAFKA_ETOOLARGE},
        {true, {0xff, 0xff, 0xff, 0x7f}, 4, (1u << 28) - 2, KAFKA_ETOOLARGE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t total;
        /* Supply the full payload so only the limit can fail. */
        size_t have = cases[i].len > 0x10000 ? 0x10000 : cases[i].len;
        uint8_t *buf = with_payload(cases[i].prefix, cases[i].plen, have, &total);
        kafka_err_t err;
        kafka_reader_t r = reader_at(buf, total, 3, &err);
        kafka_str_t s = {NULL, 0};
        int rc = kafka_read_string(&r, cases[i].flex, true, &s);
        assert_int_equal(rc, cases[i].want);
        if (rc == 0) {
            assert_int_equal(s.len, (int32_t)cases[i].len);
            assert_int_equal(r.pos, total);
        } else {
            assert_failed_at_start(&r, &err, KAFKA_ETOOLARGE);
            assert_string_equal(err.reason, "string length exceeds 32767");
        }
        free(buf);
    }
}

static void test_string_truncated_every_length(void **state) {
    (void)state;
    static const uint8_t classic[] = {0x00, 0x05, 'h', 'e', 'l', 'l', 'o'};
    static const uint8_t compact[] = {0x06, 'h', 'e', 'l', 'l', 'o'};
    for (size_t n = 0; n < sizeof classic; n++) {
        kafka_err_t err;
        kafka_reader_t r = reader_at(classic, n, 7, &err);
        kafka_str_t s;
        assert_int_equal(kafka_read_string(&r, false, true, &s), KAFKA_ETRUNC);
        assert_failed_at_start(&r, &err, KAFKA_ETRUNC);
    }
    for (size_t n = 0; n < sizeof compact; n++) {
        kafka_err_t err;
        kafka_reader_t r = reader_at(compact, n, 7, &err);
        kafka_str_t s;
        assert_int_equal(kafka_read_string(&r, true, true, &s), KAFKA_ETRUNC);
        assert_failed_at_start(&r, &err, KAFKA_ETRUNC);
    }
    /* Compact length whose varint itself is cut short. */
    static const uint8_t cut[] = {0x80, 0x80};
    kafka_err_t err;
    kafka_reader_t r = reader_at(cut, sizeof cut, 0, &err);
    kafka_str_t s;
    assert_int_equal(kafka_read_string(&r, true, true, &s), KAFKA_ETRUNC);
    assert_failed_at_start(&r, &err, KAFKA_ETRUNC);
}

/* ---- bytes ---- */

static void test_bytes_classic_and_compact(void **state) {
    (void)state;
    static const uint8_t in[] = {
        0x00, 0x00, 0x00, 0x02, 0xaa, 0xbb, /* classic 2 bytes */
        0x00, 0x00, 0x00, 0x00,             /* classic empty */
        0xff, 0xff, 0xff, 0xff,             /* classic null */
        0x03, 0xcc, 0xdd,                   /* compact 2 bytes */
        0x01,                               /* compact empty */
        0x00,                               /* compact null */
    };
    kafka_err_t err;
    kafka_reader_t r = reader_at(in, sizeof in, 0, &err);
    kafka_bytes_t b;
    assert_int_equal(kafka_read_bytes(&r, false, false, &b), 0);
    assert_int_equal(b.len, 2);
    assert_ptr_equal(b.ptr, in + 4);
    assert_int_equal(kafka_read_bytes(&r, false, false, &b), 0);
    assert_int_equal(b.len, 0);
    assert_int_equal(kafka_read_bytes(&r, false, false, &b), KAFKA_ENULL);
    assert_int_equal(r.pos, 10);
    assert_int_equal(err.offset, 10);
    assert_int_equal(kafka_read_bytes(&r, false, true, &b), 0);
    assert_int_equal(b.len, -1);
    assert_null(b.ptr);
    assert_int_equal(kafka_read_bytes(&r, true, false, &b), 0);
    assert_int_equal(b.len, 2);
    assert_memory_equal(b.ptr, "\xcc\xdd", 2);
    assert_int_equal(kafka_read_bytes(&r, true, false, &b), 0);
    assert_int_equal(b.len, 0);
    assert_int_equal(kafka_read_bytes(&r, true, false, &b), KAFKA_ENULL);
    assert_int_equal(kafka_read_bytes(&r, true, true, &b), 0);
    assert_int_equal(b.len, -1);
    assert_int_equal(kafka_reader_remaining(&r), 0);
}

static void test_bytes_longer_than_string_limit(void **state) {
    (void)state;
    size_t total;
    uint8_t *buf = with_payload((const uint8_t[]){0x00, 0x00, 0x9c, 0x40}, 4, 40000, &total);
    kafka_reader_t r = kafka_reader_make(buf, total, NULL);
    kafka_bytes_t b;
    assert_int_equal(kafka_read_bytes(&r, false, false, &b), 0);
    assert_int_equal(b.len, 40000);
    free(buf);
    buf = with_payload((const uint8_t[]){0xc1, 0xb8, 0x02}, 3, 40000, &total);
    r = kafka_reader_make(buf, total, NULL);
    assert_int_equal(kafka_read_bytes(&r, true, false, &b), 0);
    assert_int_equal(b.len, 40000);
    assert_int_equal(r.pos, total);
    free(buf);
}

static void test_bytes_bad_lengths(void **state) {
    (void)state;
    kafka_err_t err;
    kafka_bytes_t b;
    /* Classic lengths below -1 are malformed. */
    static const uint8_t neg2[] = {0xff, 0xff, 0xff, 0xfe, 0, 0};
    kafka_reader_t r = reader_at(neg2, sizeof neg2, 9, &err);
    assert_int_equal(kafka_read_bytes(&r, false, true, &b), KAFKA_EINVAL);
    assert_failed_at_start(&r, &err, KAFKA_EINVAL);
    static const uint8_t min[] = {0x80, 0x00, 0x00, 0x00};
    r = reader_at(min, sizeof min, 0, &err);
    assert_int_equal(kafka_read_bytes(&r, false, true, &b), KAFKA_EINVAL);
    assert_failed_at_start(&r, &err, KAFKA_EINVAL);
    /* Length beyond the input. */
    static const uint8_t big[] = {0x7f, 0xff, 0xff, 0xff, 1, 2, 3};
    r = reader_at(big, sizeof big, 0, &err);
    assert_int_equal(kafka_read_bytes(&r, false, true, &b), KAFKA_ETRUNC);
    assert_failed_at_start(&r, &err, KAFKA_ETRUNC);
    /* Compact length above INT32_MAX. */
    static const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    r = reader_at(huge, sizeof huge, 0, &err);
    assert_int_equal(kafka_read_bytes(&r, true, true, &b), KAFKA_ETOOLARGE);
    assert_failed_at_start(&r, &err, KAFKA_ETOOLARGE);
    /* Every truncation of a valid value. */
    static const uint8_t ok[] = {0x00, 0x00, 0x00, 0x03, 1, 2, 3};
    for (size_t n = 0; n < sizeof ok; n++) {
        r = reader_at(ok, n, 0, &err);
        assert_int_equal(kafka_read_bytes(&r, false, true, &b), KAFKA_ETRUNC);
        assert_failed_at_start(&r, &err, KAFKA_ETRUNC);
    }
    static const uint8_t okc[] = {0x04, 1, 2, 3};
    for (size_t n = 0; n < sizeof okc; n++) {
        r = reader_at(okc, n, 0, &err);
        assert_int_equal(kafka_read_bytes(&r, true, true, &b), KAFKA_ETRUNC);
        assert_failed_at_start(&r, &err, KAFKA_ETRUNC);
    }
}

/* ---- arrays ---- */

static void test_array_len(void **state) {
    (void)state;
    kafka_err_t err;
    int32_t n;
    /* 3 elements of at least 4 bytes: 12 bytes suffice, 11 do not. */
    uint8_t in[4 + 12] = {0x00, 0x00, 0x00, 0x03};
    kafka_reader_t r = reader_at(in, 16, 0, &err);
    assert_int_equal(kafka_read_array_len(&r, false, false, 4, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(r.pos, 4);
    r = reader_at(in, 15, 0, &err);
    assert_int_equal(kafka_read_array_len(&r, false, false, 4, &n), KAFKA_ETOOLARGE);
    assert_failed_at_start(&r, &err, KAFKA_ETOOLARGE);

    /* Compact: uvarint(count + 1). */
    uint8_t cin[1 + 3] = {0x04};
    r = reader_at(cin, sizeof cin, 0, &err);
    assert_int_equal(kafka_read_array_len(&r, true, false, 1, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(r.pos, 1);
    r = reader_at(cin, 3, 0, &err);
    assert_int_equal(kafka_read_array_len(&r, true, false, 1, &n), KAFKA_ETOOLARGE);

    /* Empty arrays need no bytes. */
    static const uint8_t empty_c[] = {0x00, 0x00, 0x00, 0x00};
    r = reader_at(empty_c, 4, 0, &err);
    assert_int_equal(kafka_read_array_len(&r, false, false, 8, &n), 0);
    assert_int_equal(n, 0);
    static const uint8_t empty_f[] = {0x01};
    r = reader_at(empty_f, 1, 0, &err);
    assert_int_equal(kafka_read_array_len(&r, true, false, 8, &n), 0);
    assert_int_equal(n, 0);
}

static void test_array_len_hostile_count(void **state) {
    (void)state;
    kafka_err_t err;
    int32_t n = 5;
    /* CVE-2022-34917 class: a huge count with a few bytes left must fail
     * before the caller sizes an allocation from it. */
    static const uint8_t in[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0};
    kafka_reader_t r = reader_at(in, sizeof in, 20, &err);
    assert_int_equal(kafka_read_array_len(&r, false, false, 1, &n), KAFKA_ETOOLARGE);
    assert_failed_at_start(&r, &err, KAFKA_ETOOLARGE);
    assert_int_equal(n, 5);
    /* min_elem_size 0 is treated as 1, never as "unbounded". */
    r = reader_at(in, sizeof in, 20, &err);
    assert_int_equal(kafka_read_array_len(&r, false, false, 0, &n), KAFKA_ETOOLARGE);
    /* Compact count above INT32_MAX. */
    static const uint8_t cin[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    r = reader_at(cin, sizeof cin, 0, &err);
    assert_int_equal(kafka_read_array_len(&r, true, false, 1, &n), KAFKA_ETOOLARGE);
    assert_failed_at_start(&r, &err, KAFKA_ETOOLARGE);
    /* Compact count 0x7fffffff with 4 bytes left. */
    static const uint8_t cin2[] = {0x80, 0x80, 0x80, 0x80, 0x08, 0, 0, 0, 0};
    r = reader_at(cin2, sizeof cin2, 0, &err);
    assert_int_equal(kafka_read_array_len(&r, true, false, 1, &n), KAFKA_ETOOLARGE);
    assert_failed_at_start(&r, &err, KAFKA_ETOOLARGE);
}

static void test_array_len_null_rules(void **state) {
    (void)state;
    kafka_err_t err;
    int32_t n = 0;
    static const uint8_t cnull[] = {0xff, 0xff, 0xff, 0xff};
    kafka_reader_t r = reader_at(cnull, 4, 0, &err);
    assert_int_equal(kafka_read_array_len(&r, false, true, 4, &n), 0);
    assert_int_equal(n, -1);
    assert_int_equal(r.pos, 4);
    r = reader_at(cnull, 4, 0, &err);
    assert_int_equal(kafka_read_array_len(&r, false, false, 4, &n), KAFKA_ENULL);
    assert_failed_at_start(&r, &err, KAFKA_ENULL);

    static const uint8_t fnull[] = {0x00};
    r = reader_at(fnull, 1, 0, &err);
    assert_int_equal(kafka_read_array_len(&r, true, true, 4, &n), 0);
    assert_int_equal(n, -1);
    r = reader_at(fnull, 1, 0, &err);
    assert_int_equal(kafka_read_array_len(&r, true, false, 4, &n), KAFKA_ENULL);
    assert_failed_at_start(&r, &err, KAFKA_ENULL);

    static const uint8_t neg[] = {0xff, 0xff, 0xff, 0xfe};
    r = reader_at(neg, 4, 0, &err);
    assert_int_equal(kafka_read_array_len(&r, false, true, 4, &n), KAFKA_EINVAL);
    assert_failed_at_start(&r, &err, KAFKA_EINVAL);

    static const uint8_t cut[] = {0x00, 0x00, 0x01};
    for (size_t len = 0; len <= sizeof cut; len++) {
        r = reader_at(cut, len, 0, &err);
        assert_int_equal(kafka_read_array_len(&r, false, true, 1, &n), KAFKA_ETRUNC);
        assert_failed_at_start(&r, &err, KAFKA_ETRUNC);
    }
}

/* ---- tagged fields ---- */

static void test_tags_ascending(void **state) {
    (void)state;
    /* count 3: tag 0 size 1, tag 2 size 0, tag 300 size 2 */
    static const uint8_t in[] = {0x03, 0x00, 0x01, 0xaa, 0x02, 0x00, 0xac, 0x02, 0x02, 0xbb, 0xcc};
    kafka_err_t err;
    kafka_reader_t r = reader_at(in, sizeof in, 0, &err);
    uint32_t count, tag, size;
    int64_t prev = -1;
    assert_int_equal(kafka_read_tag_count(&r, &count), 0);
    assert_int_equal(count, 3);
    static const uint32_t want_tag[] = {0, 2, 300}, want_size[] = {1, 0, 2};
    for (uint32_t i = 0; i < count; i++) {
        assert_int_equal(kafka_read_tag_header(&r, &prev, &tag, &size), 0);
        assert_int_equal(tag, want_tag[i]);
        assert_int_equal(size, want_size[i]);
        assert_int_equal(prev, (int64_t)want_tag[i]);
        r.pos += size;
    }
    assert_int_equal(kafka_reader_remaining(&r), 0);
    assert_int_equal(err.code, 0);
}

static void expect_tag_order_error(const uint8_t *in, size_t len, size_t bad_at) {
    kafka_err_t err;
    kafka_reader_t r = reader_at(in, len, 100, &err);
    uint32_t count, tag, size;
    int64_t prev = -1;
    assert_int_equal(kafka_read_tag_count(&r, &count), 0);
    assert_int_equal(count, 2);
    assert_int_equal(kafka_read_tag_header(&r, &prev, &tag, &size), 0);
    r.pos += size;
    assert_int_equal(r.pos, bad_at);
    int64_t prev_before = prev;
    assert_int_equal(kafka_read_tag_header(&r, &prev, &tag, &size), KAFKA_ETAG);
    assert_int_equal(r.pos, bad_at);
    assert_int_equal(prev, prev_before);
    assert_int_equal(err.code, KAFKA_ETAG);
    assert_int_equal(err.offset, 100 + (int64_t)bad_at);
    assert_string_equal(err.reason, "tags out of order or duplicated");
}

static void test_tags_duplicate_and_descending(void **state) {
    (void)state;
    static const uint8_t dup[] = {0x02, 0x05, 0x01, 0xaa, 0x05, 0x00};
    expect_tag_order_error(dup, sizeof dup, 4);
    static const uint8_t desc[] = {0x02, 0x05, 0x00, 0x04, 0x00};
    expect_tag_order_error(desc, sizeof desc, 3);
    static const uint8_t zero_twice[] = {0x02, 0x00, 0x00, 0x00, 0x00};
    expect_tag_order_error(zero_twice, sizeof zero_twice, 3);
}

static void test_tags_bad_sizes(void **state) {
    (void)state;
    kafka_err_t err;
    uint32_t count, tag, size;
    int64_t prev = -1;
    /* Count larger than remaining / 2. */
    static const uint8_t many[] = {0x03, 0x00, 0x00, 0x01, 0x00};
    kafka_reader_t r = reader_at(many, sizeof many, 0, &err);
    assert_int_equal(kafka_read_tag_count(&r, &count), KAFKA_ETOOLARGE);
    assert_failed_at_start(&r, &err, KAFKA_ETOOLARGE);
    static const uint8_t two[] = {0x02, 0x00, 0x00, 0x01, 0x00};
    r = reader_at(two, sizeof two, 0, &err);
    assert_int_equal(kafka_read_tag_count(&r, &count), 0);
    assert_int_equal(count, 2);
    static const uint8_t none[] = {0x00};
    r = reader_at(none, sizeof none, 0, &err);
    assert_int_equal(kafka_read_tag_count(&r, &count), 0);
    assert_int_equal(count, 0);
    r = reader_at(none, 0, 0, &err);
    assert_int_equal(kafka_read_tag_count(&r, &count), KAFKA_ETRUNC);

    /* Size beyond the input. */
    static const uint8_t big[] = {0x01, 0x03, 0x00};
    r = reader_at(big, sizeof big, 0, &err);
    assert_int_equal(kafka_read_tag_header(&r, &prev, &tag, &size), KAFKA_ETRUNC);
    assert_failed_at_start(&r, &err, KAFKA_ETRUNC);
    assert_int_equal(prev, -1);
    /* Header cut short at every length. */
    static const uint8_t hdr[] = {0x80, 0x01, 0x81, 0x01};
    for (size_t n = 0; n < sizeof hdr; n++) {
        r = reader_at(hdr, n, 0, &err);
        assert_int_equal(kafka_read_tag_header(&r, &prev, &tag, &size), KAFKA_ETRUNC);
        assert_int_equal(r.pos, 0);
    }
    /* Tag number varint too long. */
    static const uint8_t longtag[] = {0xff, 0xff, 0xff, 0xff, 0x7f, 0x00};
    r = reader_at(longtag, sizeof longtag, 0, &err);
    assert_int_equal(kafka_read_tag_header(&r, &prev, &tag, &size), KAFKA_EINVAL);
    assert_failed_at_start(&r, &err, KAFKA_EINVAL);
    /* The largest tag number is accepted once. */
    static const uint8_t maxtag[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
    r = reader_at(maxtag, sizeof maxtag, 0, &err);
    assert_int_equal(kafka_read_tag_header(&r, &prev, &tag, &size), 0);
    assert_int_equal(tag, UINT32_MAX);
    assert_int_equal(prev, (int64_t)UINT32_MAX);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_and_remaining),
        cmocka_unit_test(test_fixed_width_big_endian),
        cmocka_unit_test(test_negative_int64),
        cmocka_unit_test(test_fixed_width_truncated),
        cmocka_unit_test(test_fail_keeps_first_and_offsets),
        cmocka_unit_test(test_sub_reader),
        cmocka_unit_test(test_string_classic),
        cmocka_unit_test(test_string_compact),
        cmocka_unit_test(test_string_max_length),
        cmocka_unit_test(test_string_truncated_every_length),
        cmocka_unit_test(test_bytes_classic_and_compact),
        cmocka_unit_test(test_bytes_longer_than_string_limit),
        cmocka_unit_test(test_bytes_bad_lengths),
        cmocka_unit_test(test_array_len),
        cmocka_unit_test(test_array_len_hostile_count),
        cmocka_unit_test(test_array_len_null_rules),
        cmocka_unit_test(test_tags_ascending),
        cmocka_unit_test(test_tags_duplicate_and_descending),
        cmocka_unit_test(test_tags_bad_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
