/* JSON helpers the generated converters are built from: value mapping,
 * range and type checks, arena copies and error reasons. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/json.h"

/* Compact JSON text of j (consumes the reference), for exact comparisons. */
static char *dump(json_t *j) {
    assert_non_null(j);
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(j);
    assert_non_null(s);
    return s;
}

static void assert_dump(json_t *j, const char *want) {
    char *s = dump(j);
    assert_string_equal(s, want);
    free(s);
}

static json_t *parse(const char *text) {
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!j)
        fail_msg("cannot parse %s: %s", text, e.text);
    return j;
}

/* ---- to JSON ---- */

static void test_from_str(void **state) {
    (void)state;
    assert_dump(kafka_json_from_str(KAFKA_STR_LIT("topic-1")), "\"topic-1\"");
    assert_dump(kafka_json_from_str(KAFKA_STR_LIT("")), "\"\"");
    assert_dump(kafka_json_from_str((kafka_str_t){NULL, 0}), "\"\"");
    assert_dump(kafka_json_from_str(KAFKA_STR_NULL), "null");
    /* A view is not NUL-terminated: only len bytes count. */
    assert_dump(kafka_json_from_str((kafka_str_t){"abcdef", 3}), "\"abc\"");
    assert_dump(kafka_json_from_str(KAFKA_STR_LIT("caf\xc3\xa9")), "\"caf\xc3\xa9\"");
    /* Invalid UTF-8 gives NULL; the caller reports KAFKA_EUTF8. */
    assert_null(kafka_json_from_str(KAFKA_STR_LIT("\xff")));
    assert_null(kafka_json_from_str(KAFKA_STR_LIT("a\xc3")));
    assert_null(kafka_json_from_str(KAFKA_STR_LIT("\xed\xa0\x80"))); /* surrogate */
}

static void test_from_bytes(void **state) {
    (void)state;
    assert_dump(kafka_json_from_bytes((kafka_bytes_t){(const uint8_t *)"foobar", 6}),
                "\"Zm9vYmFy\"");
    assert_dump(kafka_json_from_bytes((kafka_bytes_t){(const uint8_t *)"\x01\x02", 2}), "\"AQI=\"");
    assert_dump(kafka_json_from_bytes((kafka_bytes_t){NULL, 0}), "\"\"");
    assert_dump(kafka_json_from_bytes(KAFKA_BYTES_NULL), "null");
}

static void test_uuid(void **state) {
    (void)state;
    kafka_uuid_t zero = {{0}};
    assert_dump(kafka_json_from_uuid(zero), "\"AAAAAAAAAAAAAAAAAAAAAA\"");
    kafka_uuid_t seq;
    for (int i = 0; i < 16; i++)
        seq.b[i] = (uint8_t)i;
    assert_dump(kafka_json_from_uuid(seq), "\"AAECAwQFBgcICQoLDA0ODw\"");
    kafka_uuid_t hi;
    memset(hi.b, 0xff, 16);
    assert_dump(kafka_json_from_uuid(hi), "\"_____________________w\"");

    kafka_err_t err;
    kafka_err_clear(&err);
    kafka_uuid_t got;
    json_t *j = parse("\"AAECAwQFBgcICQoLDA0ODw\"");
    assert_int_equal(kafka_json_to_uuid(j, &got, &err), 0);
    assert_true(kafka_uuid_equal(got, seq));
    json_decref(j);
    j = kafka_json_from_uuid(hi);
    assert_int_equal(kafka_json_to_uuid(j, &got, &err), 0);
    assert_true(kafka_uuid_equal(got, hi));
    json_decref(j);
    /* Padded form is accepted too. */
    j = parse("\"AAECAwQFBgcICQoLDA0ODw==\"");
    assert_int_equal(kafka_json_to_uuid(j, &got, &err), 0);
    assert_true(kafka_uuid_equal(got, seq));
    json_decref(j);

    static const char *const bad[] = {
        "\"AAECAwQFBgcICQoLDA0OD\"",      /* 21 chars: 15 bytes */
        "\"AAECAwQFBgcICQoLDA0ODw8\"",    /* 23 chars: 17 bytes */
        "\"AAECAwQFBgcICQoLDA0ODwAAAA\"", /* too long */
        "\"AAECAwQFBgcICQoLDA0OD!\"",     /* bad character */
        "\"\"",                           /* empty */
        "null",                           /* not a string */
        "16",                             /* not a string */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kafka_err_clear(&err);
        j = parse(bad[i]);
        assert_int_equal(kafka_json_to_uuid(j, &got, &err), KAFKA_EJSON);
        assert_int_equal(err.code, KAFKA_EJSON);
        assert_int_equal(err.offset, -1);
        assert_non_null(err.reason);
        json_decref(j);
    }
}

static void test_float64(void **state) {
    (void)state;
    assert_dump(kafka_json_from_float64(1.5), "1.5");
    assert_dump(kafka_json_from_float64(-0.25), "-0.25");
    assert_dump(kafka_json_from_float64(NAN), "\"NaN\"");
    assert_dump(kafka_json_from_float64(INFINITY), "\"Infinity\"");
    assert_dump(kafka_json_from_float64(-INFINITY), "\"-Infinity\"");

    kafka_err_t err;
    kafka_err_clear(&err);
    double d;
    static const double values[] = {0.0, -0.0, 1.5, 0.1, -1e300, 5e-324, 1.7976931348623157e308};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        json_t *j = kafka_json_from_float64(values[i]);
        assert_int_equal(kafka_json_to_float64(j, &d, &err), 0);
        assert_true(kafka_float64_equal(d, values[i]));
        json_decref(j);
    }
    json_t *j = parse("\"NaN\"");
    assert_int_equal(kafka_json_to_float64(j, &d, &err), 0);
    assert_true(isnan(d));
    json_decref(j);
    j = parse("\"Infinity\"");
    assert_int_equal(kafka_json_to_float64(j, &d, &err), 0);
    assert_true(isinf(d) && d > 0);
    json_decref(j);
    j = parse("\"-Infinity\"");
    assert_int_equal(kafka_json_to_float64(j, &d, &err), 0);
    assert_true(isinf(d) && d < 0);
    json_decref(j);
    j = parse("3");
    assert_int_equal(kafka_json_to_float64(j, &d, &err), 0);
    assert_true(d == 3.0);
    json_decref(j);

    static const char *const bad[] = {"\"nan\"", "\"inf\"", "\"1.5\"", "true", "null", "[1]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kafka_err_clear(&err);
        j = parse(bad[i]);
        assert_int_equal(kafka_json_to_float64(j, &d, &err), KAFKA_EJSON);
        assert_int_equal(err.code, KAFKA_EJSON);
        json_decref(j);
    }
}

static void test_raw_tags_round_trip(void **state) {
    (void)state;
    kafka_raw_tag_t items[] = {
        {5, {(const uint8_t *)"\x01\x02", 2}},
        {300, {NULL, 0}},
    };
    kafka_raw_tags_t tags = {items, 2};
    assert_dump(kafka_json_from_raw_tags(&tags),
                "[{\"tag\":5,\"data\":\"AQI=\"},{\"tag\":300,\"data\":\"\"}]");
    kafka_raw_tags_t none = {NULL, 0};
    assert_dump(kafka_json_from_raw_tags(&none), "[]");
    assert_dump(kafka_json_from_raw_tags(NULL), "[]");

    kafka_arena_t a;
    kafka_arena_init(&a, 0);
    kafka_err_t err;
    kafka_err_clear(&err);
    json_t *j = kafka_json_from_raw_tags(&tags);
    kafka_raw_tags_t back;
    assert_int_equal(kafka_json_to_raw_tags(j, &a, &back, &err), 0);
    json_decref(j);
    assert_int_equal(back.count, 2);
    assert_true(kafka_raw_tags_equal(&back, &tags));

    j = parse("null");
    assert_int_equal(kafka_json_to_raw_tags(j, &a, &back, &err), 0);
    assert_int_equal(back.count, 0);
    json_decref(j);

    static const char *const bad[] = {
        "{}",
        "[1]",
        "[{\"tag\":2,\"data\":\"\"},{\"tag\":2,\"data\":\"\"}]",
        "[{\"tag\":3,\"data\":\"\"},{\"tag\":2,\"data\":\"\"}]",
        "[{\"tag\":-1,\"data\":\"\"}]",
        "[{\"tag\":4294967296,\"data\":\"\"}]",
        "[{\"tag\":1}]",
        "[{\"data\":\"\"}]",
        "[{\"tag\":1,\"data\":null}]",
        "[{\"tag\":1,\"data\":\"!!\"}]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kafka_err_clear(&err);
        j = parse(bad[i]);
        int rc = kafka_json_to_raw_tags(j, &a, &back, &err);
        if (rc != KAFKA_EJSON)
            fail_msg("%s: expected KAFKA_EJSON, got %d", bad[i], rc);
        assert_int_equal(err.code, KAFKA_EJSON);
        json_decref(j);
    }
    kafka_arena_destroy(&a);
}

/* ---- from JSON: integers ---- */

typedef struct {
    const char *text;
    int want_rc;
    int64_t want;
} int_case_t;

#define OK(text, v)                                                                                \
    { text, 0, v }
#define BAD(text)                                                                                  \
    { text, KAFKA_EJSON, 0 }

static void run_int_cases(const int_case_t *cases, size_t n, int kind) {
    for (size_t i = 0; i < n; i++) {
        kafka_err_t err;
        kafka_err_clear(&err);
        json_t *j = parse(cases[i].text);
        int64_t got = 0;
        int rc;
        switch (kind) {
        case 8: {
            int8_t v = 0;
            rc = kafka_json_to_int8(j, &v, &err);
            got = v;
            break;
        }
        case 16: {
            int16_t v = 0;
            rc = kafka_json_to_int16(j, &v, &err);
            got = v;
            break;
        }
        case -16: {
            uint16_t v = 0;
            rc = kafka_json_to_uint16(j, &v, &err);
            got = v;
            break;
        }
        case 32: {
            int32_t v = 0;
            rc = kafka_json_to_int32(j, &v, &err);
            got = v;
            break;
        }
        case -32: {
            uint32_t v = 0;
            rc = kafka_json_to_uint32(j, &v, &err);
            got = v;
            break;
        }
        default:
            rc = kafka_json_to_int64(j, &got, &err);
            break;
        }
        json_decref(j);
        if (rc != cases[i].want_rc)
            fail_msg("int%d from %s: expected rc %d, got %d", kind, cases[i].text, cases[i].want_rc,
                     rc);
        if (rc == 0 && got != cases[i].want)
            fail_msg("int%d from %s: expected %lld, got %lld", kind, cases[i].text,
                     (long long)cases[i].want, (long long)got);
        if (rc != 0) {
            assert_int_equal(err.code, KAFKA_EJSON);
            assert_int_equal(err.offset, -1);
            assert_non_null(err.reason);
        }
    }
}

static void test_int8(void **state) {
    (void)state;
    /* 128..255 map to the signed byte, as Apache Kafka's jsonNodeToByte. */
    static const int_case_t cases[] = {
        OK("0", 0),    OK("-128", -128), OK("127", 127), OK("128", -128),
        OK("255", -1), OK("200", -56),   BAD("256"),     BAD("-129"),
        BAD("1.0"),    BAD("\"1\""),     BAD("true"),    BAD("null"),
    };
    run_int_cases(cases, sizeof cases / sizeof cases[0], 8);
}

static void test_int16_uint16(void **state) {
    (void)state;
    static const int_case_t s[] = {
        OK("-32768", INT16_MIN),
        OK("32767", INT16_MAX),
        BAD("32768"),
        BAD("-32769"),
        BAD("2.5"),
        BAD("[]"),
    };
    run_int_cases(s, sizeof s / sizeof s[0], 16);
    static const int_case_t u[] = {
        OK("0", 0), OK("65535", 65535), BAD("65536"), BAD("-1"), BAD("\"7\""),
    };
    run_int_cases(u, sizeof u / sizeof u[0], -16);
}

static void test_int32_uint32(void **state) {
    (void)state;
    static const int_case_t s[] = {
        OK("-2147483648", INT32_MIN),
        OK("2147483647", INT32_MAX),
        BAD("2147483648"),
        BAD("-2147483649"),
        BAD("1e3"),
        BAD("{}"),
    };
    run_int_cases(s, sizeof s / sizeof s[0], 32);
    static const int_case_t u[] = {
        OK("0", 0),
        OK("4294967295", UINT32_MAX),
        BAD("4294967296"),
        BAD("-1"),
    };
    run_int_cases(u, sizeof u / sizeof u[0], -32);
}

static void test_int64(void **state) {
    (void)state;
    static const int_case_t s[] = {
        OK("-9223372036854775808", INT64_MIN),
        OK("9223372036854775807", INT64_MAX),
        OK("0", 0),
        BAD("0.0"),
        BAD("\"0\""),
        BAD("null"),
    };
    run_int_cases(s, sizeof s / sizeof s[0], 64);
}

static void test_int_generic_and_reason(void **state) {
    (void)state;
    kafka_err_t err;
    kafka_err_clear(&err);
    int64_t v;
    json_t *j = parse("10");
    assert_int_equal(kafka_json_to_int(j, 0, 10, &v, &err), 0);
    assert_int_equal(v, 10);
    assert_int_equal(kafka_json_to_int(j, 11, 20, &v, &err), KAFKA_EJSON);
    assert_string_equal(err.reason, "integer out of range");
    json_decref(j);
    kafka_err_clear(&err);
    j = parse("\"10\"");
    assert_int_equal(kafka_json_to_int(j, 0, 10, &v, &err), KAFKA_EJSON);
    assert_string_equal(err.reason, "expected an integer");
    json_decref(j);
    /* A NULL json_t (a missing key) is a type error, not a crash. */
    kafka_err_clear(&err);
    assert_int_equal(kafka_json_to_int(NULL, 0, 10, &v, &err), KAFKA_EJSON);
    assert_int_equal(kafka_json_to_int64(NULL, &v, NULL), KAFKA_EJSON);
}

static void test_bool(void **state) {
    (void)state;
    kafka_err_t err;
    kafka_err_clear(&err);
    bool b = false;
    json_t *j = parse("true");
    assert_int_equal(kafka_json_to_bool(j, &b, &err), 0);
    assert_true(b);
    json_decref(j);
    j = parse("false");
    assert_int_equal(kafka_json_to_bool(j, &b, &err), 0);
    assert_false(b);
    json_decref(j);
    j = parse("1");
    assert_int_equal(kafka_json_to_bool(j, &b, &err), KAFKA_EJSON);
    assert_string_equal(err.reason, "expected a boolean");
    json_decref(j);
}

/* ---- from JSON: strings, bytes, arrays ---- */

static void test_to_str(void **state) {
    (void)state;
    kafka_arena_t a;
    kafka_arena_init(&a, 0);
    kafka_err_t err;
    kafka_err_clear(&err);
    kafka_str_t s;
    json_t *j = parse("\"h\\u00e9llo\"");
    assert_int_equal(kafka_json_to_str(j, &a, &s, &err), 0);
    assert_ptr_not_equal(s.ptr, json_string_value(j));
    json_decref(j); /* the copy outlives the JSON value */
    assert_true(kafka_str_equal(s, KAFKA_STR_LIT("h\xc3\xa9llo")));

    j = parse("\"a\\u0000b\"");
    assert_int_equal(kafka_json_to_str(j, &a, &s, &err), 0);
    assert_int_equal(s.len, 3);
    json_decref(j);

    j = parse("\"\"");
    assert_int_equal(kafka_json_to_str(j, &a, &s, &err), 0);
    assert_int_equal(s.len, 0);
    assert_non_null(s.ptr);
    json_decref(j);

    j = parse("null");
    assert_int_equal(kafka_json_to_str(j, &a, &s, &err), 0);
    assert_int_equal(s.len, -1);
    json_decref(j);

    j = parse("5");
    assert_int_equal(kafka_json_to_str(j, &a, &s, &err), KAFKA_EJSON);
    assert_string_equal(err.reason, "expected a string");
    json_decref(j);
    kafka_arena_destroy(&a);

    /* The arena's cap applies. */
    kafka_arena_init(&a, 4);
    kafka_err_clear(&err);
    j = parse("\"longer than four\"");
    assert_int_equal(kafka_json_to_str(j, &a, &s, &err), KAFKA_ENOMEM);
    assert_int_equal(err.code, KAFKA_ENOMEM);
    json_decref(j);
    kafka_arena_destroy(&a);
}

static void test_to_bytes(void **state) {
    (void)state;
    kafka_arena_t a;
    kafka_arena_init(&a, 0);
    kafka_err_t err;
    kafka_err_clear(&err);
    kafka_bytes_t b;
    static const char *const forms[] = {"\"Zm9vYmFy\"", "\"Zm9vYmE=\"", "\"Zm9vYmE\""};
    static const char *const want[] = {"foobar", "fooba", "fooba"};
    for (size_t i = 0; i < 3; i++) {
        json_t *j = parse(forms[i]);
        assert_int_equal(kafka_json_to_bytes(j, &a, &b, &err), 0);
        json_decref(j);
        assert_true(kafka_bytes_equal(
            b, (kafka_bytes_t){(const uint8_t *)want[i], (int32_t)strlen(want[i])}));
    }
    json_t *j = parse("\"-_8\"");
    assert_int_equal(kafka_json_to_bytes(j, &a, &b, &err), 0);
    assert_int_equal(b.len, 2);
    assert_memory_equal(b.ptr, "\xfb\xff", 2);
    json_decref(j);
    j = parse("null");
    assert_int_equal(kafka_json_to_bytes(j, &a, &b, &err), 0);
    assert_int_equal(b.len, -1);
    json_decref(j);
    j = parse("\"\"");
    assert_int_equal(kafka_json_to_bytes(j, &a, &b, &err), 0);
    assert_int_equal(b.len, 0);
    json_decref(j);

    static const char *const bad[] = {"\"Zm9v!\"", "\"Z\"", "3", "[]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kafka_err_clear(&err);
        j = parse(bad[i]);
        assert_int_equal(kafka_json_to_bytes(j, &a, &b, &err), KAFKA_EJSON);
        assert_int_equal(err.code, KAFKA_EJSON);
        json_decref(j);
    }

    /* Round trip through from_bytes, including every byte value. */
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    kafka_bytes_t orig = {all, 256};
    j = kafka_json_from_bytes(orig);
    assert_int_equal(kafka_json_to_bytes(j, &a, &b, &err), 0);
    json_decref(j);
    assert_true(kafka_bytes_equal(b, orig));
    kafka_arena_destroy(&a);

    /* The arena is charged the decoded size, not the text's. */
    static const char *const sized[] = {"\"Zm9vYmFy\"", "\"Zm9vYg==\"", "\"Zm9vYg\"",
                                        "\"Zm9vYmE=\""};
    static const size_t sized_len[] = {6, 4, 4, 5};
    for (size_t i = 0; i < 4; i++) {
        kafka_arena_init(&a, sized_len[i]);
        kafka_err_clear(&err);
        j = parse(sized[i]);
        assert_int_equal(kafka_json_to_bytes(j, &a, &b, &err), 0);
        assert_int_equal(b.len, (int32_t)sized_len[i]);
        assert_int_equal(a.used, sized_len[i]);
        json_decref(j);
        kafka_arena_destroy(&a);
        kafka_arena_init(&a, sized_len[i] - 1);
        j = parse(sized[i]);
        assert_int_equal(kafka_json_to_bytes(j, &a, &b, &err), KAFKA_ENOMEM);
        json_decref(j);
        kafka_arena_destroy(&a);
    }
}

static void test_to_array(void **state) {
    (void)state;
    kafka_arena_t a;
    kafka_arena_init(&a, 0);
    kafka_err_t err;
    kafka_err_clear(&err);
    void *items = (void *)&a;
    int32_t count = 99;

    json_t *j = parse("null");
    assert_int_equal(kafka_json_to_array(j, &a, 8, &items, &count, &err), 0);
    assert_int_equal(count, -1);
    assert_null(items);
    json_decref(j);

    j = parse("[]");
    assert_int_equal(kafka_json_to_array(j, &a, 8, &items, &count, &err), 0);
    assert_int_equal(count, 0);
    json_decref(j);

    j = parse("[1, 2, 3]");
    assert_int_equal(kafka_json_to_array(j, &a, sizeof(int64_t), &items, &count, &err), 0);
    assert_int_equal(count, 3);
    assert_non_null(items);
    for (int i = 0; i < 3; i++)
        assert_int_equal(((int64_t *)items)[i], 0);
    json_decref(j);

    j = parse("{\"a\": 1}");
    assert_int_equal(kafka_json_to_array(j, &a, 8, &items, &count, &err), KAFKA_EJSON);
    assert_string_equal(err.reason, "expected an array");
    json_decref(j);
    kafka_arena_destroy(&a);

    kafka_arena_init(&a, 16);
    kafka_err_clear(&err);
    j = parse("[1, 2, 3]");
    assert_int_equal(kafka_json_to_array(j, &a, 8, &items, &count, &err), KAFKA_ENOMEM);
    json_decref(j);
    kafka_arena_destroy(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_str),
        cmocka_unit_test(test_from_bytes),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_float64),
        cmocka_unit_test(test_raw_tags_round_trip),
        cmocka_unit_test(test_int8),
        cmocka_unit_test(test_int16_uint16),
        cmocka_unit_test(test_int32_uint32),
        cmocka_unit_test(test_int64),
        cmocka_unit_test(test_int_generic_and_reason),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_to_str),
        cmocka_unit_test(test_to_bytes),
        cmocka_unit_test(test_to_array),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
