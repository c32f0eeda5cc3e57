/* Error codes, names, and the "offset N: path: reason" report built as a
 * failure unwinds through nested fields. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kafka/err.h"
#include "kafka/reader.h"

static void test_strerror_and_names(void **state) {
    (void)state;
    assert_string_equal(kafka_strerror(KAFKA_OK), "success");
    assert_string_equal(kafka_strerror(KAFKA_ETRUNC), "input ends before the value");
    assert_string_equal(kafka_strerror(KAFKA_ETAG), "bad tagged-field section");
    assert_string_equal(kafka_strerror(-999), "unknown error");
    assert_string_equal(kafka_strerror(1), "unknown error");
    assert_string_equal(kafka_err_name(KAFKA_OK), "KAFKA_OK");
    assert_string_equal(kafka_err_name(KAFKA_ETOOLARGE), "KAFKA_ETOOLARGE");
    assert_string_equal(kafka_err_name(KAFKA_EUNSUPPORTED), "KAFKA_EUNSUPPORTED");
    assert_string_equal(kafka_err_name(-999), "KAFKA_UNKNOWN");
    /* Every code from -1 to -13 has its own text and name. */
    for (int code = -1; code >= -13; code--) {
        assert_string_not_equal(kafka_strerror(code), "unknown error");
        assert_string_not_equal(kafka_err_name(code), "KAFKA_UNKNOWN");
        for (int other = code - 1; other >= -13; other--)
            assert_string_not_equal(kafka_err_name(code), kafka_err_name(other));
    }
}

static void test_clear_and_set(void **state) {
    (void)state;
    kafka_err_t err;
    memset(&err, 0x55, sizeof err);
    kafka_err_clear(&err);
    assert_int_equal(err.code, 0);
    assert_int_equal(err.offset, -1);
    assert_null(err.reason);
    assert_string_equal(err.path, "");

    kafka_err_set(&err, KAFKA_EINVAL, 12, "varint too long");
    assert_int_equal(err.code, KAFKA_EINVAL);
    assert_int_equal(err.offset, 12);
    assert_string_equal(err.reason, "varint too long");
    /* The innermost (first) failure wins. */
    kafka_err_set(&err, KAFKA_ETRUNC, 40, "later");
    assert_int_equal(err.code, KAFKA_EINVAL);
    assert_int_equal(err.offset, 12);
    assert_string_equal(err.reason, "varint too long");

    /* A NULL reason falls back to the code's text. */
    kafka_err_clear(&err);
    kafka_err_set(&err, KAFKA_ENULL, 3, NULL);
    assert_string_equal(err.reason, "null in a non-nullable field");

    /* NULL sinks are ignored everywhere. */
    kafka_err_clear(NULL);
    kafka_err_set(NULL, KAFKA_EINVAL, 0, "x");
    kafka_err_push(NULL, "field", 1);
}

static void test_push_and_format(void **state) {
    (void)state;
    kafka_err_t err;
    kafka_err_clear(&err);
    kafka_err_set(&err, KAFKA_ETRUNC, 17, NULL);
    kafka_err_push(&err, "records", -1);
    kafka_err_push(&err, "partitions", 0);
    kafka_err_push(&err, "topics", 3);
    assert_string_equal(err.path, "topics[3].partitions[0].records");
    char buf[128];
    size_t n = kafka_err_format(&err, buf, sizeof buf);
    assert_string_equal(buf,
                        "offset 17: topics[3].partitions[0].records: input ends before the value");
    assert_int_equal(n, strlen(buf));
}

static void test_format_edges(void **state) {
    (void)state;
    kafka_err_t err;
    kafka_err_clear(&err);
    char buf[64];
    kafka_err_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "offset -1: (message): no error");

    kafka_err_set(&err, KAFKA_EJSON, -1, "expected an integer");
    kafka_err_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "offset -1: (message): expected an integer");

    kafka_err_push(&err, "throttleTimeMs", -1);
    /* Truncation keeps the output NUL-terminated and reports its length. */
    char small[10];
    memset(small, 'z', sizeof small);
    size_t n = kafka_err_format(&err, small, sizeof small);
    assert_int_equal(n, 9);
    assert_string_equal(small, "offset -1");
    assert_int_equal(kafka_err_format(&err, small, 0), 0);
    assert_int_equal(small[0], 'o');

    n = kafka_err_format(NULL, buf, sizeof buf);
    assert_string_equal(buf, "offset -1: (message): no error");
    assert_int_equal(n, strlen(buf));
}

static void test_push_overflow_keeps_innermost(void **state) {
    (void)state;
    kafka_err_t err;
    kafka_err_clear(&err);
    kafka_err_set(&err, KAFKA_EINVAL, 0, "x");
    kafka_err_push(&err, "leaf", -1);
    char name[60];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    for (int i = 0; i < 20; i++)
        kafka_err_push(&err, name, i);
    assert_true(strlen(err.path) < KAFKA_ERR_PATH_MAX);
    size_t len = strlen(err.path);
    assert_true(len >= 5);
    assert_string_equal(err.path + len - 5, ".leaf");
}

/* A reader failure deep inside a sub-reader reports the absolute offset;
 * the enclosing levels add their names as the failure unwinds. */
static void test_reader_failure_report(void **state) {
    (void)state;
    uint8_t msg[32] = {0};
    /* At absolute offset 17: a compact string claiming 9 bytes, 2 present. */
    msg[17] = 0x0a;
    msg[18] = 'a';
    msg[19] = 'b';
    kafka_err_t err;
    kafka_err_clear(&err);
    kafka_reader_t r = kafka_reader_make(msg, 20, &err);
    r.pos = 10;
    kafka_reader_t sub = kafka_reader_sub(&r, 10);
    sub.pos = 7;
    kafka_str_t s;
    int rc = kafka_read_string(&sub, true, false, &s);
    assert_int_equal(rc, KAFKA_ETRUNC);
    kafka_err_push(&err, "records", -1);
    kafka_err_push(&err, "partitions", 0);
    kafka_err_push(&err, "topics", 3);
    char buf[160];
    kafka_err_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "offset 17: topics[3].partitions[0].records: "
                             "string length exceeds the remaining input");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_and_names),
        cmocka_unit_test(test_clear_and_set),
        cmocka_unit_test(test_push_and_format),
        cmocka_unit_test(test_format_edges),
        cmocka_unit_test(test_push_overflow_keeps_innermost),
        cmocka_unit_test(test_reader_failure_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
