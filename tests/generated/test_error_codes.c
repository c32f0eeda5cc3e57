/* The generated wire error-code table against values Kafka clients rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kafka/error_codes.h"

static void test_known_codes(void **state) {
    (void)state;
    assert_int_equal(KAFKA_ERROR_NONE, 0);
    assert_int_equal(KAFKA_ERROR_UNKNOWN_SERVER_ERROR, -1);
    assert_int_equal(KAFKA_ERROR_OFFSET_OUT_OF_RANGE, 1);
    assert_int_equal(KAFKA_ERROR_CORRUPT_MESSAGE, 2);
    assert_int_equal(KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION, 3);
    assert_int_equal(KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER, 6);
    assert_int_equal(KAFKA_ERROR_MESSAGE_TOO_LARGE, 10);
    assert_int_equal(KAFKA_ERROR_UNSUPPORTED_VERSION, 35);
    assert_int_equal(KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER, 45);
    assert_int_equal(KAFKA_ERROR_MEMBER_ID_REQUIRED, 79);
    assert_int_equal(KAFKA_ERROR_FENCED_INSTANCE_ID, 82);
    assert_int_equal(KAFKA_ERROR_INVALID_RECORD, 87);
    assert_int_equal(KAFKA_ERROR_UNKNOWN_TOPIC_ID, 100);
}

static void test_names(void **state) {
    (void)state;
    assert_string_equal(kafka_error_code_name(0), "NONE");
    assert_string_equal(kafka_error_code_name(6), "NOT_LEADER_OR_FOLLOWER");
    assert_string_equal(kafka_error_code_name(27), "REBALANCE_IN_PROGRESS");
    assert_null(kafka_error_code_name(-2));
    assert_null(kafka_error_code_name(32000));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_codes),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
