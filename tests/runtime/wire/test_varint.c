/* Varint and varlong encodings: Kafka's unsigned base-128 varints (at most
 * 5 / 10 bytes) and their zigzag signed forms. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kafka/reader.h"
#include "kafka/writer.h"

typedef struct {
    uint8_t bytes[11];
    size_t len;
    uint64_t value;
} uvar_case_t;

static const uvar_case_t uvarint_ok[] = {
    {{0x00}, 1, 0},
    {{0x01}, 1, 1},
    {{0x7f}, 1, 127},
    {{0x80, 0x01}, 2, 128},
    {{0xff, 0x7f}, 2, 16383},
    {{0x80, 0x80, 0x01}, 3, 16384},
    {{0xff, 0xff, 0x7f}, 3, (1u << 21) - 1},
    {{0x80, 0x80, 0x80, 0x01}, 4, 1u << 21},
    {{0xff, 0xff, 0xff, 0x7f}, 4, (1u << 28) - 1},
    {{0x80, 0x80, 0x80, 0x80, 0x01}, 5, 1u << 28},
    {{0xff, 0xff, 0xff, 0xff, 0x0f}, 5, UINT32_MAX},
    /* Over-long but in range: Kafka's decoder accepts these. */
    {{0x80, 0x00}, 2, 0},
    {{0x81, 0x80, 0x00}, 3, 1},
    {{0x80, 0x80, 0x80, 0x80, 0x00}, 5, 0},
};

static void test_uvarint_decode(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof uvarint_ok / sizeof uvarint_ok[0]; i++) {
        const uvar_case_t *c = &uvarint_ok[i];
        kafka_err_t err;
        kafka_err_clear(&err);
        /* A trailing byte proves the reader stops at the last group. */
        uint8_t buf[12];
        memcpy(buf, c->bytes, c->len);
        buf[c->len] = 0xee;
        kafka_reader_t r = kafka_reader_make(buf, c->len + 1, &err);
        uint32_t v = 0xdeadbeef;
        assert_int_equal(kafka_read_uvarint(&r, &v), 0);
        assert_int_equal(v, c->value);
        assert_int_equal(r.pos, c->len);
        assert_int_equal(err.code, 0);
    }
}

static void test_uvarint_truncated_every_length(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof uvarint_ok / sizeof uvarint_ok[0]; i++) {
        const uvar_case_t *c = &uvarint_ok[i];
        for (size_t n = 0; n < c->len; n++) {
            kafka_err_t err;
            kafka_err_clear(&err);
            kafka_reader_t r = kafka_reader_make(c->bytes, n, &err);
            r.base = 100;
            uint32_t v = 7;
            assert_int_equal(kafka_read_uvarint(&r, &v), KAFKA_ETRUNC);
            assert_int_equal(r.pos, 0);
            assert_int_equal(v, 7);
            assert_int_equal(err.code, KAFKA_ETRUNC);
            assert_int_equal(err.offset, 100);
            assert_non_null(err.reason);
        }
    }
}

static void expect_uvarint_invalid(const uint8_t *bytes, size_t len) {
    kafka_err_t err;
    kafka_err_clear(&err);
    kafka_reader_t r = kafka_reader_make(bytes, len, &err);
    uint32_t v = 7;
    assert_int_equal(kafka_read_uvarint(&r, &v), KAFKA_EINVAL);
    assert_int_equal(r.pos, 0);
    assert_int_equal(v, 7);
    assert_int_equal(err.code, KAFKA_EINVAL);
    assert_int_equal(err.offset, 0);
    assert_string_equal(err.reason, "varint too long");
}

static void test_uvarint_too_long(void **state) {
    (void)state;
    /* 5th byte uses bit 4: the value would need 33 bits. */
    expect_uvarint_invalid((const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0x1f}, 5);
    expect_uvarint_invalid((const uint8_t[]){0x80, 0x80, 0x80, 0x80, 0x10}, 5);
    expect_uvarint_invalid((const uint8_t[]){0x80, 0x80, 0x80, 0x80, 0x70}, 5);
    /* 6-byte encodings, even of small values. */
    expect_uvarint_invalid((const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0x8f, 0x00}, 6);
    expect_uvarint_invalid((const uint8_t[]){0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 6);
    /* Continuation on the 5th byte is rejected even if input ends there. */
    expect_uvarint_invalid((const uint8_t[]){0x80, 0x80, 0x80, 0x80, 0x80}, 5);
}

static void test_uvarint_encode(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof uvarint_ok / sizeof uvarint_ok[0]; i++) {
        const uvar_case_t *c = &uvarint_ok[i];
        if (c->len > 1 && c->bytes[c->len - 1] == 0)
            continue; /* over-long forms are never produced */
        uint8_t buf[8];
        kafka_writer_t w = kafka_writer_make(buf, sizeof buf);
        assert_int_equal(kafka_write_uvarint(&w, (uint32_t)c->value), 0);
        assert_int_equal(w.pos, c->len);
        assert_memory_equal(buf, c->bytes, c->len);
        assert_int_equal(kafka_size_uvarint((uint32_t)c->value), c->len);
    }
}

typedef struct {
    int32_t value;
    uint8_t bytes[5];
    size_t len;
} varint_case_t;

static void test_varint_zigzag(void **state) {
    (void)state;
    static const varint_case_t cases[] = {
        {0, {0x00}, 1},
        {-1, {0x01}, 1},
        {1, {0x02}, 1},
        {-2, {0x03}, 1},
        {63, {0x7e}, 1},
        {-64, {0x7f}, 1},
        {64, {0x80, 0x01}, 2},
        {INT32_MAX, {0xfe, 0xff, 0xff, 0xff, 0x0f}, 5},
        {INT32_MIN, {0xff, 0xff, 0xff, 0xff, 0x0f}, 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const varint_case_t *c = &cases[i];
        uint8_t buf[8];
        kafka_writer_t w = kafka_writer_make(buf, sizeof buf);
        assert_int_equal(kafka_write_varint(&w, c->value), 0);
        assert_int_equal(w.pos, c->len);
        assert_memory_equal(buf, c->bytes, c->len);
        assert_int_equal(kafka_size_varint(c->value), c->len);

        kafka_reader_t r = kafka_reader_make(c->bytes, c->len, NULL);
        int32_t v = 0;
        assert_int_equal(kafka_read_varint(&r, &v), 0);
        assert_int_equal(v, c->value);
        assert_int_equal(r.pos, c->len);
    }
}

static void test_varint_too_long(void **state) {
    (void)state;
    const uint8_t bad[] = {0xff, 0xff, 0xff, 0xff, 0x1f};
    kafka_reader_t r = kafka_reader_make(bad, sizeof bad, NULL);
    int32_t v;
    assert_int_equal(kafka_read_varint(&r, &v), KAFKA_EINVAL);
    assert_int_equal(r.pos, 0);
}

static const uvar_case_t uvarlong_ok[] = {
    {{0x00}, 1, 0},
    {{0x7f}, 1, 127},
    {{0x80, 0x01}, 2, 128},
    {{0xff, 0xff, 0xff, 0xff, 0x0f}, 5, UINT32_MAX},
    {{0x80, 0x80, 0x80, 0x80, 0x10}, 5, 1ull << 32},
    {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, 9, (1ull << 63) - 1},
    {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 10, 1ull << 63},
    {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10, UINT64_MAX},
    {{0x80, 0x00}, 2, 0},
    {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 10, 0},
};

static void test_uvarlong_decode_encode(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof uvarlong_ok / sizeof uvarlong_ok[0]; i++) {
        const uvar_case_t *c = &uvarlong_ok[i];
        kafka_reader_t r = kafka_reader_make(c->bytes, c->len, NULL);
        uint64_t v = 0;
        assert_int_equal(kafka_read_uvarlong(&r, &v), 0);
        assert_int_equal(v, c->value);
        assert_int_equal(r.pos, c->len);

        if (c->len > 1 && c->bytes[c->len - 1] == 0)
            continue;
        uint8_t buf[16];
        kafka_writer_t w = kafka_writer_make(buf, sizeof buf);
        assert_int_equal(kafka_write_uvarlong(&w, c->value), 0);
        assert_int_equal(w.pos, c->len);
        assert_memory_equal(buf, c->bytes, c->len);
        assert_int_equal(kafka_size_uvarlong(c->value), c->len);
    }
}

static void test_uvarlong_truncated_every_length(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof uvarlong_ok / sizeof uvarlong_ok[0]; i++) {
        const uvar_case_t *c = &uvarlong_ok[i];
        for (size_t n = 0; n < c->len; n++) {
            kafka_err_t err;
            kafka_err_clear(&err);
            kafka_reader_t r = kafka_reader_make(c->bytes, n, &err);
            uint64_t v = 7;
            assert_int_equal(kafka_read_uvarlong(&r, &v), KAFKA_ETRUNC);
            assert_int_equal(r.pos, 0);
            assert_int_equal(v, 7);
            assert_int_equal(err.code, KAFKA_ETRUNC);
        }
    }
}

static void test_uvarlong_too_long(void **state) {
    (void)state;
    static const uint8_t tenth_bit1[] = {0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0x02};
    static const uint8_t tenth_cont[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                         0x80, 0x80, 0x80, 0x80, 0x00};
    static const uint8_t tenth_7f[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f};
    const struct {
        const uint8_t *p;
        size_t n;
    } bad[] = {{tenth_bit1, sizeof tenth_bit1},
               {tenth_cont, sizeof tenth_cont},
               {tenth_7f, sizeof tenth_7f}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kafka_err_t err;
        kafka_err_clear(&err);
        kafka_reader_t r = kafka_reader_make(bad[i].p, bad[i].n, &err);
        uint64_t v;
        assert_int_equal(kafka_read_uvarlong(&r, &v), KAFKA_EINVAL);
        assert_int_equal(r.pos, 0);
        assert_string_equal(err.reason, "varint too long");
        int64_t s;
        r = kafka_reader_make(bad[i].p, bad[i].n, NULL);
        assert_int_equal(kafka_read_varlong(&r, &s), KAFKA_EINVAL);
    }
}

static void test_varlong_zigzag(void **state) {
    (void)state;
    static const struct {
        int64_t value;
        uint8_t bytes[10];
        size_t len;
    } cases[] = {
        {0, {0x00}, 1},
        {-1, {0x01}, 1},
        {1, {0x02}, 1},
        {-64, {0x7f}, 1},
        {64, {0x80, 0x01}, 2},
        {INT32_MAX, {0xfe, 0xff, 0xff, 0xff, 0x0f}, 5},
        {INT32_MIN, {0xff, 0xff, 0xff, 0xff, 0x0f}, 5},
        {(int64_t)INT32_MAX + 1, {0x80, 0x80, 0x80, 0x80, 0x10}, 5},
        {INT64_MAX, {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10},
        {INT64_MIN, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[16];
        kafka_writer_t w = kafka_writer_make(buf, sizeof buf);
        assert_int_equal(kafka_write_varlong(&w, cases[i].value), 0);
        assert_int_equal(w.pos, cases[i].len);
        assert_memory_equal(buf, cases[i].bytes, cases[i].len);
        assert_int_equal(kafka_size_varlong(cases[i].value), cases[i].len);

        kafka_reader_t r = kafka_reader_make(cases[i].bytes, cases[i].len, NULL);
        int64_t v = 0;
        assert_int_equal(kafka_read_varlong(&r, &v), 0);
        assert_int_equal(v, cases[i].value);
        assert_int_equal(r.pos, cases[i].len);
    }
}

/* Round trip around every power of two: sizes must match what is written. */
static void test_round_trip_sweep(void **state) {
    (void)state;
    for (int bit = 0; bit < 64; bit++) {
        for (int d = -1; d <= 1; d++) {
            uint64_t u = (1ull << bit) + (uint64_t)(int64_t)d;
            uint8_t buf[16];

            kafka_writer_t w = kafka_writer_make(buf, sizeof buf);
            assert_int_equal(kafka_write_uvarlong(&w, u), 0);
            assert_int_equal(w.pos, kafka_size_uvarlong(u));
            kafka_reader_t r = kafka_reader_make(buf, w.pos, NULL);
            uint64_t gu;
            assert_int_equal(kafka_read_uvarlong(&r, &gu), 0);
            assert_int_equal(gu, u);

            int64_t s = (int64_t)u;
            w = kafka_writer_make(buf, sizeof buf);
            assert_int_equal(kafka_write_varlong(&w, s), 0);
            assert_int_equal(w.pos, kafka_size_varlong(s));
            r = kafka_reader_make(buf, w.pos, NULL);
            int64_t gs;
            assert_int_equal(kafka_read_varlong(&r, &gs), 0);
            assert_int_equal(gs, s);

            uint32_t u32 = (uint32_t)u;
            w = kafka_writer_make(buf, sizeof buf);
            assert_int_equal(kafka_write_uvarint(&w, u32), 0);
            assert_int_equal(w.pos, kafka_size_uvarint(u32));
            r = kafka_reader_make(buf, w.pos, NULL);
            uint32_t g32;
            assert_int_equal(kafka_read_uvarint(&r, &g32), 0);
            assert_int_equal(g32, u32);

            int32_t s32 = (int32_t)u32;
            w = kafka_writer_make(buf, sizeof buf);
            assert_int_equal(kafka_write_varint(&w, s32), 0);
            assert_int_equal(w.pos, kafka_size_varint(s32));
            r = kafka_reader_make(buf, w.pos, NULL);
            int32_t gs32;
            assert_int_equal(kafka_read_varint(&r, &gs32), 0);
            assert_int_equal(gs32, s32);
        }
    }
}

static void test_write_enospc(void **state) {
    (void)state;
    uint8_t buf[10];
    for (size_t cap = 0; cap < 5; cap++) {
        memset(buf, 0xaa, sizeof buf);
        kafka_writer_t w = kafka_writer_make(buf, cap);
        assert_int_equal(kafka_write_uvarint(&w, UINT32_MAX), KAFKA_ENOSPC);
        assert_int_equal(w.pos, 0);
        for (size_t i = 0; i < sizeof buf; i++)
            assert_int_equal(buf[i], 0xaa);
    }
    for (size_t cap = 0; cap < 10; cap++) {
        memset(buf, 0xaa, sizeof buf);
        kafka_writer_t w = kafka_writer_make(buf, cap);
        assert_int_equal(kafka_write_varlong(&w, INT64_MIN), KAFKA_ENOSPC);
        assert_int_equal(w.pos, 0);
        for (size_t i = 0; i < sizeof buf; i++)
            assert_int_equal(buf[i], 0xaa);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uvarint_decode),
        cmocka_unit_test(test_uvarint_truncated_every_length),
        cmocka_unit_test(test_uvarint_too_long),
        cmocka_unit_test(test_uvarint_encode),
        cmocka_unit_test(test_varint_zigzag),
        cmocka_unit_test(test_varint_too_long),
        cmocka_unit_test(test_uvarlong_decode_encode),
        cmocka_unit_test(test_uvarlong_truncated_every_length),
        cmocka_unit_test(test_uvarlong_too_long),
        cmocka_unit_test(test_varlong_zigzag),
        cmocka_unit_test(test_round_trip_sweep),
        cmocka_unit_test(test_write_enospc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
