/* Writer: exact encodings, all-or-nothing writes, size helpers that match
 * what is written, and round trips through the reader. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kafka/reader.h"
#include "kafka/writer.h"

#define FILL 0xa5

/* A writer over buf (pre-filled so untouched bytes are recognisable). */
static kafka_writer_t writer_over(uint8_t *buf, size_t size, size_t cap) {
    memset(buf, FILL, size);
    return kafka_writer_make(buf, cap);
}

static void assert_untouched(const uint8_t *buf, size_t from, size_t size) {
    for (size_t i = from; i < size; i++)
        assert_int_equal(buf[i], FILL);
}

static void test_make(void **state) {
    (void)state;
    uint8_t buf[4];
    kafka_writer_t w = kafka_writer_make(buf, sizeof buf);
    assert_ptr_equal(w.buf, buf);
    assert_int_equal(w.cap, 4);
    assert_int_equal(w.pos, 0);
    assert_null(w.err);
}

static void test_fixed_width(void **state) {
    (void)state;
    static const uint8_t want[] = {
        0x01, 0x00,                                     /* bool */
        0xff,                                           /* int8 -1 */
        0x80, 0x00,                                     /* int16 min */
        0xfe, 0xdc,                                     /* uint16 */
        0x80, 0x00, 0x00, 0x01,                         /* int32 */
        0xfe, 0xdc, 0xba, 0x98,                         /* uint32 */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, /* int64 -2 */
        0xc0, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* float64 -2.5 */
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, /* uuid */
        0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, /* uuid, second half */
        0xde, 0xad,                                     /* raw */
    };
    uint8_t buf[sizeof want + 4];
    kafka_writer_t w = writer_over(buf, sizeof buf, sizeof buf);
    kafka_uuid_t u;
    memcpy(u.b, want + sizeof want - 18, 16);
    assert_int_equal(kafka_write_bool(&w, true), 0);
    assert_int_equal(kafka_write_bool(&w, false), 0);
    assert_int_equal(kafka_write_int8(&w, -1), 0);
    assert_int_equal(kafka_write_int16(&w, INT16_MIN), 0);
    assert_int_equal(kafka_write_uint16(&w, 0xfedc), 0);
    assert_int_equal(kafka_write_int32(&w, INT32_MIN + 1), 0);
    assert_int_equal(kafka_write_uint32(&w, 0xfedcba98u), 0);
    assert_int_equal(kafka_write_int64(&w, -2), 0);
    assert_int_equal(kafka_write_float64(&w, -2.5), 0);
    assert_int_equal(kafka_write_uuid(&w, u), 0);
    assert_int_equal(kafka_write_raw(&w, "\xde\xad", 2), 0);
    assert_int_equal(w.pos, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    assert_untouched(buf, sizeof want, sizeof buf);
    assert_int_equal(kafka_write_raw(&w, NULL, 0), 0);
    assert_int_equal(w.pos, sizeof want);
}

/* Each writer, given one byte too few, writes nothing and reports ENOSPC. */
static void test_fixed_width_enospc(void **state) {
    (void)state;
    uint8_t buf[32];
    kafka_uuid_t u = {{0}};
    for (size_t cap = 0; cap < 16; cap++) {
        kafka_writer_t w = writer_over(buf, sizeof buf, cap);
        /* Start part-way in, so a bad check against pos would show. */
        if (cap > 0) {
            assert_int_equal(kafka_write_int8(&w, 1), 0);
            buf[0] = FILL;
        }
        size_t room = cap - w.pos;
        size_t pos = w.pos;
        if (room < 1) {
            assert_int_equal(kafka_write_bool(&w, true), KAFKA_ENOSPC);
            assert_int_equal(kafka_write_int8(&w, 1), KAFKA_ENOSPC);
        }
        if (room < 2) {
            assert_int_equal(kafka_write_int16(&w, 1), KAFKA_ENOSPC);
            assert_int_equal(kafka_write_uint16(&w, 1), KAFKA_ENOSPC);
        }
        if (room < 4) {
            assert_int_equal(kafka_write_int32(&w, 1), KAFKA_ENOSPC);
            assert_int_equal(kafka_write_uint32(&w, 1), KAFKA_ENOSPC);
        }
        if (room < 8) {
            assert_int_equal(kafka_write_int64(&w, 1), KAFKA_ENOSPC);
            assert_int_equal(kafka_write_float64(&w, 1.0), KAFKA_ENOSPC);
        }
        assert_int_equal(kafka_write_uuid(&w, u), KAFKA_ENOSPC);
        assert_int_equal(kafka_write_raw(&w, buf, room + 1), KAFKA_ENOSPC);
        assert_int_equal(w.pos, pos);
        assert_untouched(buf, 0, sizeof buf);
    }
}

static void test_error_sink(void **state) {
    (void)state;
    uint8_t buf[4];
    kafka_err_t err;
    kafka_err_clear(&err);
    kafka_writer_t w = writer_over(buf, sizeof buf, sizeof buf);
    w.err = &err;
    assert_int_equal(kafka_write_int16(&w, 1), 0);
    assert_int_equal(kafka_write_int32(&w, 1), KAFKA_ENOSPC);
    assert_int_equal(err.code, KAFKA_ENOSPC);
    assert_int_equal(err.offset, 2);
    assert_non_null(err.reason);
    /* The first failure is kept. */
    assert_int_equal(kafka_write_string(&w, false, false, KAFKA_STR_NULL), KAFKA_ENULL);
    assert_int_equal(err.code, KAFKA_ENOSPC);
    kafka_err_clear(&err);
    assert_int_equal(kafka_write_string(&w, false, false, KAFKA_STR_NULL), KAFKA_ENULL);
    assert_int_equal(err.code, KAFKA_ENULL);
}

/* ---- strings, bytes, arrays ---- */

typedef struct {
    bool flex;
    kafka_str_t s;
    const char *want;
    size_t want_len;
} str_case_t;

static void test_string_encodings(void **state) {
    (void)state;
    const str_case_t cases[] = {
        {false, KAFKA_STR_LIT("abc"), "\0\3abc", 5}, {false, KAFKA_STR_LIT(""), "\x00\x00", 2},
        {false, {NULL, 0}, "\x00\x00", 2},           {false, KAFKA_STR_NULL, "\xff\xff", 2},
        {true, KAFKA_STR_LIT("abc"), "\4abc", 4},    {true, KAFKA_STR_LIT(""), "\x01", 1},
        {true, KAFKA_STR_NULL, "\x00", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const str_case_t *c = &cases[i];
        uint8_t buf[16];
        kafka_writer_t w = writer_over(buf, sizeof buf, sizeof buf);
        assert_int_equal(kafka_write_string(&w, c->flex, true, c->s), 0);
        assert_int_equal(w.pos, c->want_len);
        assert_memory_equal(buf, c->want, c->want_len);
        assert_int_equal(kafka_size_string(c->flex, c->s), c->want_len);
        assert_untouched(buf, c->want_len, sizeof buf);

        /* Non-nullable: null refused, nothing written. */
        w = writer_over(buf, sizeof buf, sizeof buf);
        int rc = kafka_write_string(&w, c->flex, false, c->s);
        assert_int_equal(rc, c->s.len < 0 ? KAFKA_ENULL : 0);
        if (rc) {
            assert_int_equal(w.pos, 0);
            assert_untouched(buf, 0, sizeof buf);
        }

        /* One byte short of the exact size. */
        w = writer_over(buf, sizeof buf, c->want_len - 1);
        assert_int_equal(kafka_write_string(&w, c->flex, true, c->s), KAFKA_ENOSPC);
        assert_int_equal(w.pos, 0);
        assert_untouched(buf, 0, sizeof buf);
    }
}

static void test_string_max_length(void **state) {
    (void)state;
    char *text = malloc(0x8000);
    assert_non_null(text);
    memset(text, 'k', 0x8000);
    uint8_t *buf = malloc(0x8000 + 8);
    assert_non_null(buf);
    for (int flex = 0; flex <= 1; flex++) {
        kafka_str_t ok = {text, 0x7fff};
        kafka_writer_t w = kafka_writer_make(buf, 0x8000 + 8);
        assert_int_equal(kafka_write_string(&w, flex, false, ok), 0);
        assert_int_equal(w.pos, kafka_size_string(flex, ok));
        assert_int_equal(w.pos, 0x7fff + (flex ? 3 : 2));

        kafka_reader_t r = kafka_reader_make(buf, w.pos, NULL);
        kafka_str_t back;
        assert_int_equal(kafka_read_string(&r, flex, false, &back), 0);
        assert_true(kafka_str_equal(back, ok));

        kafka_str_t over = {text, 0x8000};
        kafka_err_t err;
        kafka_err_clear(&err);
        w = kafka_writer_make(buf, 0x8000 + 8);
        w.err = &err;
        assert_int_equal(kafka_write_string(&w, flex, false, over), KAFKA_ETOOLARGE);
        assert_int_equal(w.pos, 0);
        assert_string_equal(err.reason, "string length exceeds 32767");
        kafka_str_t huge = {text, INT32_MAX};
        assert_int_equal(kafka_write_string(&w, flex, true, huge), KAFKA_ETOOLARGE);
    }
    free(buf);
    free(text);
}

static void test_bytes_encodings(void **state) {
    (void)state;
    struct {
        bool flex;
        kafka_bytes_t b;
        const char *want;
        size_t want_len;
    } cases[] = {
        {false, {(const uint8_t *)"\x01\x02", 2}, "\x00\x00\x00\x02\x01\x02", 6},
        {false, {NULL, 0}, "\x00\x00\x00\x00", 4},
        {false, KAFKA_BYTES_NULL, "\xff\xff\xff\xff", 4},
        {false, {NULL, -7}, "\xff\xff\xff\xff", 4}, /* any negative is null */
        {true, {(const uint8_t *)"\x01\x02", 2}, "\x03\x01\x02", 3},
        {true, {NULL, 0}, "\x01", 1},
        {true, KAFKA_BYTES_NULL, "\x00", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[16];
        kafka_writer_t w = writer_over(buf, sizeof buf, sizeof buf);
        assert_int_equal(kafka_write_bytes(&w, cases[i].flex, true, cases[i].b), 0);
        assert_int_equal(w.pos, cases[i].want_len);
        assert_memory_equal(buf, cases[i].want, cases[i].want_len);
        assert_int_equal(kafka_size_bytes(cases[i].flex, cases[i].b), cases[i].want_len);
        w = writer_over(buf, sizeof buf, cases[i].want_len - 1);
        assert_int_equal(kafka_write_bytes(&w, cases[i].flex, true, cases[i].b), KAFKA_ENOSPC);
        assert_untouched(buf, 0, sizeof buf);
        if (cases[i].b.len < 0) {
            w = writer_over(buf, sizeof buf, sizeof buf);
            assert_int_equal(kafka_write_bytes(&w, cases[i].flex, false, cases[i].b), KAFKA_ENULL);
            assert_untouched(buf, 0, sizeof buf);
        }
    }
}

static void test_bytes_above_string_limit(void **state) {
    (void)state;
    size_t n = 40000;
    uint8_t *data = malloc(n);
    uint8_t *buf = malloc(n + 8);
    assert_non_null(data);
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)(i * 7);
    kafka_bytes_t b = {data, (int32_t)n};
    for (int flex = 0; flex <= 1; flex++) {
        kafka_writer_t w = kafka_writer_make(buf, n + 8);
        assert_int_equal(kafka_write_bytes(&w, flex, false, b), 0);
        assert_int_equal(w.pos, kafka_size_bytes(flex, b));
        assert_int_equal(w.pos, n + (flex ? 3 : 4));
        kafka_reader_t r = kafka_reader_make(buf, w.pos, NULL);
        kafka_bytes_t back;
        assert_int_equal(kafka_read_bytes(&r, flex, false, &back), 0);
        assert_true(kafka_bytes_equal(back, b));
    }
    free(buf);
    free(data);
}

static void test_array_len(void **state) {
    (void)state;
    struct {
        bool flex;
        int32_t count;
        const char *want;
        size_t want_len;
    } cases[] = {
        {false, 3, "\x00\x00\x00\x03", 4},
        {false, 0, "\x00\x00\x00\x00", 4},
        {false, -1, "\xff\xff\xff\xff", 4},
        {false, INT32_MAX, "\x7f\xff\xff\xff", 4},
        {true, 3, "\x04", 1},
        {true, 0, "\x01", 1},
        {true, -1, "\x00", 1},
        {true, 127, "\x80\x01", 2},
        {true, INT32_MAX, "\x80\x80\x80\x80\x08", 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[8];
        kafka_writer_t w = writer_over(buf, sizeof buf, sizeof buf);
        assert_int_equal(kafka_write_array_len(&w, cases[i].flex, true, cases[i].count), 0);
        assert_int_equal(w.pos, cases[i].want_len);
        assert_memory_equal(buf, cases[i].want, cases[i].want_len);
        assert_int_equal(kafka_size_array_len(cases[i].flex, cases[i].count), cases[i].want_len);
        w = writer_over(buf, sizeof buf, cases[i].want_len - 1);
        assert_int_equal(kafka_write_array_len(&w, cases[i].flex, true, cases[i].count),
                         KAFKA_ENOSPC);
        assert_untouched(buf, 0, sizeof buf);
        w = writer_over(buf, sizeof buf, sizeof buf);
        assert_int_equal(kafka_write_array_len(&w, cases[i].flex, false, cases[i].count),
                         cases[i].count < 0 ? KAFKA_ENULL : 0);
    }
}

static void test_raw_tag(void **state) {
    (void)state;
    kafka_raw_tag_t t = {300, {(const uint8_t *)"\xaa\xbb", 2}};
    uint8_t buf[8];
    kafka_writer_t w = writer_over(buf, sizeof buf, sizeof buf);
    assert_int_equal(kafka_write_raw_tag(&w, &t), 0);
    assert_int_equal(w.pos, 5);
    assert_memory_equal(buf, "\xac\x02\x02\xaa\xbb", 5);
    assert_int_equal(kafka_size_raw_tag(&t), 5);
    for (size_t cap = 0; cap < 5; cap++) {
        w = writer_over(buf, sizeof buf, cap);
        assert_int_equal(kafka_write_raw_tag(&w, &t), KAFKA_ENOSPC);
        assert_untouched(buf, 0, sizeof buf);
    }
    kafka_raw_tag_t empty = {0, {NULL, 0}};
    w = writer_over(buf, sizeof buf, sizeof buf);
    assert_int_equal(kafka_write_raw_tag(&w, &empty), 0);
    assert_int_equal(w.pos, 2);
    assert_int_equal(kafka_size_raw_tag(&empty), 2);
    assert_memory_equal(buf, "\x00\x00", 2);

    /* Written tags read back through the tag-section reader. */
    kafka_reader_t r = kafka_reader_make(buf, w.pos, NULL);
    int64_t prev = -1;
    uint32_t tag, size;
    assert_int_equal(kafka_read_tag_header(&r, &prev, &tag, &size), 0);
    assert_int_equal(tag, 0);
    assert_int_equal(size, 0);
}

/* Everything written by one writer reads back identically. */
static void test_round_trip(void **state) {
    (void)state;
    uint8_t buf[256];
    for (int flex = 0; flex <= 1; flex++) {
        kafka_writer_t w = kafka_writer_make(buf, sizeof buf);
        kafka_uuid_t u = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};
        size_t expect = 0;
        assert_int_equal(kafka_write_int16(&w, -300), 0);
        assert_int_equal(kafka_write_varint(&w, -300), 0);
        expect += 2 + kafka_size_varint(-300);
        assert_int_equal(kafka_write_varlong(&w, -3000000000ll), 0);
        expect += kafka_size_varlong(-3000000000ll);
        assert_int_equal(kafka_write_uuid(&w, u), 0);
        expect += 16;
        assert_int_equal(kafka_write_string(&w, flex, true, KAFKA_STR_LIT("topic")), 0);
        expect += kafka_size_string(flex, KAFKA_STR_LIT("topic"));
        assert_int_equal(kafka_write_string(&w, flex, true, KAFKA_STR_NULL), 0);
        expect += kafka_size_string(flex, KAFKA_STR_NULL);
        assert_int_equal(kafka_write_array_len(&w, flex, true, 2), 0);
        expect += kafka_size_array_len(flex, 2);
        assert_int_equal(kafka_write_int32(&w, 7), 0);
        assert_int_equal(kafka_write_int32(&w, 8), 0);
        expect += 8;
        assert_int_equal(kafka_write_float64(&w, 0.1), 0);
        expect += 8;
        assert_int_equal(w.pos, expect);

        kafka_reader_t r = kafka_reader_make(buf, w.pos, NULL);
        int16_t i16;
        int32_t i32, n;
        int64_t i64;
        kafka_uuid_t gu;
        kafka_str_t s;
        double d;
        assert_int_equal(kafka_read_int16(&r, &i16), 0);
        assert_int_equal(i16, -300);
        assert_int_equal(kafka_read_varint(&r, &i32), 0);
        assert_int_equal(i32, -300);
        assert_int_equal(kafka_read_varlong(&r, &i64), 0);
        assert_int_equal(i64, -3000000000ll);
        assert_int_equal(kafka_read_uuid(&r, &gu), 0);
        assert_true(kafka_uuid_equal(gu, u));
        assert_int_equal(kafka_read_string(&r, flex, true, &s), 0);
        assert_true(kafka_str_equal(s, KAFKA_STR_LIT("topic")));
        assert_int_equal(kafka_read_string(&r, flex, true, &s), 0);
        assert_int_equal(s.len, -1);
        assert_int_equal(kafka_read_array_len(&r, flex, true, 4, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(kafka_read_int32(&r, &i32), 0);
        assert_int_equal(i32, 7);
        assert_int_equal(kafka_read_int32(&r, &i32), 0);
        assert_int_equal(i32, 8);
        assert_int_equal(kafka_read_float64(&r, &d), 0);
        assert_true(kafka_float64_equal(d, 0.1));
        assert_int_equal(kafka_reader_remaining(&r), 0);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make),
        cmocka_unit_test(test_fixed_width),
        cmocka_unit_test(test_fixed_width_enospc),
        cmocka_unit_test(test_error_sink),
        cmocka_unit_test(test_string_encodings),
        cmocka_unit_test(test_string_max_length),
        cmocka_unit_test(test_bytes_encodings),
        cmocka_unit_test(test_bytes_above_string_limit),
        cmocka_unit_test(test_array_len),
        cmocka_unit_test(test_raw_tag),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
