/* Base64 (RFC 4648): standard padded for bytes, url-safe unpadded for
 * uuids; the decoder takes either. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kafka/json.h"

typedef struct {
    const char *plain;
    const char *std;
    const char *url;
} vector_t;

/* RFC 4648 section 10. */
static const vector_t rfc4648[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

static void check_encode(const uint8_t *in, size_t n, bool url, const char *want) {
    char out[64];
    memset(out, '#', sizeof out);
    assert_int_equal(kafka_base64_encoded_len(n, url), strlen(want));
    size_t got = kafka_base64_encode(in, n, url, out);
    assert_int_equal(got, strlen(want));
    out[got] = '\0';
    assert_string_equal(out, want);
}

static void check_decode(const char *in, const uint8_t *want, size_t want_len) {
    uint8_t out[64];
    size_t n = strlen(in);
    assert_true((n / 4 + 1) * 3 <= sizeof out);
    int64_t got = kafka_base64_decode(in, n, out);
    assert_int_equal(got, (int64_t)want_len);
    assert_memory_equal(out, want, want_len);
}

static void test_rfc4648_vectors(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        const vector_t *v = &rfc4648[i];
        size_t n = strlen(v->plain);
        check_encode((const uint8_t *)v->plain, n, false, v->std);
        check_encode((const uint8_t *)v->plain, n, true, v->url);
        check_decode(v->std, (const uint8_t *)v->plain, n);
        check_decode(v->url, (const uint8_t *)v->plain, n);
    }
}

static void test_alphabets(void **state) {
    (void)state;
    static const uint8_t hi[] = {0xfb, 0xff, 0xbf};
    check_encode(hi, 3, false, "+/+/");
    check_encode(hi, 3, true, "-_-_");
    check_decode("+/+/", hi, 3);
    check_decode("-_-_", hi, 3);
    check_decode("+_-/", hi, 3);
    static const uint8_t two[] = {0xfb, 0xff};
    check_encode(two, 2, false, "+/8=");
    check_encode(two, 2, true, "-_8");
    check_decode("-_8=", two, 2);
    check_decode("+/8", two, 2);
}

static void expect_reject(const char *in) {
    uint8_t out[64];
    assert_int_equal(kafka_base64_decode(in, strlen(in), out), -1);
}

static void test_rejects(void **state) {
    (void)state;
    expect_reject("Z");     /* one leftover character */
    expect_reject("Zm9vY"); /* likewise after a full group */
    expect_reject("Zg=");   /* padding not completing a group */
    expect_reject("Zm8=="); /* too much padding for the group */
    expect_reject("Z===");  /* three padding characters */
    expect_reject("====");
    expect_reject("==");
    expect_reject("Zg==Zg=="); /* padding in the middle */
    expect_reject("Z=g=");
    expect_reject("Zm9v!");
    expect_reject("Zm9v YmFy");
    expect_reject("Zm9v\nYmFy");
    expect_reject("Zm.v");
    uint8_t out[8];
    /* An embedded NUL is a bad character, not the end. */
    assert_int_equal(kafka_base64_decode("Zm\0v", 4, out), -1);
}

/* Round trip every length 0..99 of varied bytes, both encodings. */
static void test_round_trip_lengths(void **state) {
    (void)state;
    uint8_t in[100], back[100 / 4 * 3 + 200];
    char text[200];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(i * 167 + 13);
    for (size_t n = 0; n < sizeof in; n++) {
        for (int url = 0; url <= 1; url++) {
            size_t len = kafka_base64_encode(in, n, url, text);
            assert_int_equal(len, kafka_base64_encoded_len(n, url));
            if (!url)
                assert_int_equal(len % 4, 0);
            assert_int_equal(kafka_base64_decode(text, len, back), (int64_t)n);
            assert_memory_equal(back, in, n);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors),
        cmocka_unit_test(test_alphabets),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_round_trip_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
