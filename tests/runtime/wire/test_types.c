/* Value-type comparisons: null versus empty, bitwise doubles, raw tags. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "kafka/types.h"

static void test_str_equal(void **state) {
    (void)state;
    char a[] = "abc", b[] = "abc";
    assert_true(kafka_str_equal((kafka_str_t){a, 3}, (kafka_str_t){b, 3}));
    assert_false(kafka_str_equal((kafka_str_t){a, 3}, (kafka_str_t){b, 2}));
    assert_false(kafka_str_equal(KAFKA_STR_LIT("abc"), KAFKA_STR_LIT("abd")));
    /* Null and empty differ; two nulls are equal whatever the pointers. */
    assert_false(kafka_str_equal(KAFKA_STR_NULL, KAFKA_STR_LIT("")));
    assert_false(kafka_str_equal(KAFKA_STR_LIT(""), KAFKA_STR_NULL));
    assert_true(kafka_str_equal(KAFKA_STR_NULL, KAFKA_STR_NULL));
    assert_true(kafka_str_equal(KAFKA_STR_NULL, (kafka_str_t){a, -5}));
    assert_true(kafka_str_equal((kafka_str_t){NULL, 0}, KAFKA_STR_LIT("")));
}

static void test_bytes_equal(void **state) {
    (void)state;
    const uint8_t x[] = {0, 1, 2}, y[] = {0, 1, 2}, z[] = {0, 1, 3};
    assert_true(kafka_bytes_equal((kafka_bytes_t){x, 3}, (kafka_bytes_t){y, 3}));
    assert_false(kafka_bytes_equal((kafka_bytes_t){x, 3}, (kafka_bytes_t){z, 3}));
    assert_false(kafka_bytes_equal((kafka_bytes_t){x, 2}, (kafka_bytes_t){y, 3}));
    assert_false(kafka_bytes_equal(KAFKA_BYTES_NULL, (kafka_bytes_t){x, 0}));
    assert_false(kafka_bytes_equal((kafka_bytes_t){NULL, 0}, KAFKA_BYTES_NULL));
    assert_true(kafka_bytes_equal(KAFKA_BYTES_NULL, KAFKA_BYTES_NULL));
    assert_true(kafka_bytes_equal((kafka_bytes_t){NULL, 0}, (kafka_bytes_t){x, 0}));
}

static void test_uuid(void **state) {
    (void)state;
    kafka_uuid_t zero = {{0}}, one = {{0}};
    one.b[15] = 1;
    assert_true(kafka_uuid_is_zero(zero));
    assert_false(kafka_uuid_is_zero(one));
    assert_true(kafka_uuid_equal(one, one));
    assert_false(kafka_uuid_equal(zero, one));
    one.b[15] = 0;
    one.b[0] = 0x80;
    assert_false(kafka_uuid_is_zero(one));
}

static void test_float64_equal(void **state) {
    (void)state;
    assert_true(kafka_float64_equal(1.5, 1.5));
    assert_false(kafka_float64_equal(1.5, 1.25));
    /* Bitwise: NaN equals itself, and the two zeros differ. */
    assert_true(kafka_float64_equal(NAN, NAN));
    assert_false(kafka_float64_equal(0.0, -0.0));
    assert_true(kafka_float64_equal(INFINITY, INFINITY));
    assert_false(kafka_float64_equal(INFINITY, -INFINITY));
}

static void test_raw_tags_equal(void **state) {
    (void)state;
    kafka_raw_tag_t a[] = {{1, {(const uint8_t *)"x", 1}}, {4, {NULL, 0}}};
    kafka_raw_tag_t b[] = {{1, {(const uint8_t *)"x", 1}}, {4, {NULL, 0}}};
    kafka_raw_tag_t c[] = {{1, {(const uint8_t *)"y", 1}}, {4, {NULL, 0}}};
    kafka_raw_tag_t d[] = {{1, {(const uint8_t *)"x", 1}}, {5, {NULL, 0}}};
    kafka_raw_tags_t ta = {a, 2}, tb = {b, 2}, tc = {c, 2}, td = {d, 2}, t1 = {a, 1};
    kafka_raw_tags_t empty = {NULL, 0};
    assert_true(kafka_raw_tags_equal(&ta, &tb));
    assert_false(kafka_raw_tags_equal(&ta, &tc)); /* data */
    assert_false(kafka_raw_tags_equal(&ta, &td)); /* tag */
    assert_false(kafka_raw_tags_equal(&ta, &t1)); /* count */
    assert_true(kafka_raw_tags_equal(&empty, &empty));
    assert_true(kafka_raw_tags_equal(&empty, NULL));
    assert_false(kafka_raw_tags_equal(NULL, &ta));
}

static void test_str_from_cstr(void **state) {
    (void)state;
    const char *s = "hello";
    kafka_str_t v = kafka_str_from_cstr(s);
    assert_ptr_equal(v.ptr, s);
    assert_int_equal(v.len, 5);
    v = kafka_str_from_cstr("");
    assert_int_equal(v.len, 0);
    v = kafka_str_from_cstr(NULL);
    assert_int_equal(v.len, -1);
    assert_int_equal(KAFKA_STR_LIT("abc").len, 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_str_equal),      cmocka_unit_test(test_bytes_equal),
        cmocka_unit_test(test_uuid),           cmocka_unit_test(test_float64_equal),
        cmocka_unit_test(test_raw_tags_equal), cmocka_unit_test(test_str_from_cstr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
