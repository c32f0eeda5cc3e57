/* Unit tests of the data handlers' helpers: topic names from the wire, the
 * single-node leader-epoch rules, partition checks and the topic settings
 * that shape produce validation (read through a fake backend). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "data_util.h"
#include "kafka/error_codes.h"

static const kgw_config_entry_t *fake_cfgs;
static size_t fake_ncfgs;

static int fake_get_topic(kgw_backend_t *be, const char *name, kgw_topic_info_t *out) {
    (void)be;
    if (strcmp(name, "orders") != 0)
        return KGW_ENOTFOUND;
    memset(out, 0, sizeof *out);
    strcpy(out->name, name);
    out->partitions = 3;
    return 0;
}

static int fake_list_configs(kgw_backend_t *be, const char *topic,
                             int (*fn)(void *arg, const kgw_config_entry_t *e), void *arg) {
    (void)be, (void)topic;
    for (size_t i = 0; i < fake_ncfgs; i++)
        if (fn(arg, &fake_cfgs[i]) != 0)
            break;
    return 0;
}

static const kgw_backend_ops_t fake_ops = {
    .name = "fake",
    .get_topic = fake_get_topic,
    .list_topic_configs = fake_list_configs,
};

static void server_init(kgw_server_t *s, kgw_backend_t *be, kgw_config_t *cfg) {
    memset(s, 0, sizeof *s);
    memset(be, 0, sizeof *be);
    memset(cfg, 0, sizeof *cfg);
    be->ops = &fake_ops;
    cfg->message_max_bytes = 1048588;
    s->backend = be;
    s->config = cfg;
}

static void test_topic_name(void **state) {
    (void)state;
    char out[256];
    assert_true(kgw_data_topic_name(KAFKA_STR_LIT("orders"), out));
    assert_string_equal(out, "orders");
    assert_false(kgw_data_topic_name(KAFKA_STR_NULL, out));
    assert_false(kgw_data_topic_name(KAFKA_STR_LIT(""), out));
    assert_false(kgw_data_topic_name((kafka_str_t){"a\0b", 3}, out));
    char long_name[300];
    memset(long_name, 'x', sizeof long_name);
    assert_false(kgw_data_topic_name((kafka_str_t){long_name, 256}, out));
    assert_true(kgw_data_topic_name((kafka_str_t){long_name, 255}, out));
    assert_int_equal(strlen(out), 255);
}

static void test_find_topic_and_partition(void **state) {
    (void)state;
    kgw_server_t s;
    kgw_backend_t be;
    kgw_config_t cfg;
    server_init(&s, &be, &cfg);
    kgw_topic_info_t t;
    assert_int_equal(kgw_data_find_topic(&s, KAFKA_STR_LIT("orders"), &t), KAFKA_ERROR_NONE);
    assert_int_equal(t.partitions, 3);
    assert_int_equal(kgw_data_find_topic(&s, KAFKA_STR_LIT("nope"), &t),
                     KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION);
    assert_int_equal(kgw_data_find_topic(&s, KAFKA_STR_NULL, &t),
                     KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION);
    fake_get_topic(NULL, "orders", &t);
    assert_int_equal(kgw_data_check_partition(&t, 0), KAFKA_ERROR_NONE);
    assert_int_equal(kgw_data_check_partition(&t, 2), KAFKA_ERROR_NONE);
    assert_int_equal(kgw_data_check_partition(&t, 3), KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION);
    assert_int_equal(kgw_data_check_partition(&t, -1), KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION);
}

static void test_leader_epoch(void **state) {
    (void)state;
    assert_int_equal(kgw_data_check_leader_epoch(-1), KAFKA_ERROR_NONE);
    assert_int_equal(kgw_data_check_leader_epoch(KGW_DATA_LEADER_EPOCH), KAFKA_ERROR_NONE);
    assert_int_equal(kgw_data_check_leader_epoch(KGW_DATA_LEADER_EPOCH + 1),
                     KAFKA_ERROR_UNKNOWN_LEADER_EPOCH);
}

static void test_topic_limits(void **state) {
    (void)state;
    kgw_server_t s;
    kgw_backend_t be;
    kgw_config_t cfg;
    server_init(&s, &be, &cfg);
    kgw_data_topic_limits_t l;

    fake_ncfgs = 0;
    kgw_data_topic_limits(&s, "orders", &l);
    assert_int_equal(l.max_message_bytes, 1048588);
    assert_false(l.compacted);
    assert_false(l.log_append_time);

    static const kgw_config_entry_t set[] = {
        {"max.message.bytes", "2000"},
        {"cleanup.policy", "compact,delete"},
        {"message.timestamp.type", "LogAppendTime"},
        {"retention.ms", "1000"},
    };
    fake_cfgs = set;
    fake_ncfgs = 4;
    kgw_data_topic_limits(&s, "orders", &l);
    assert_int_equal(l.max_message_bytes, 2000);
    assert_true(l.compacted);
    assert_true(l.log_append_time);

    static const kgw_config_entry_t odd[] = {
        {"max.message.bytes", "lots"},
        {"cleanup.policy", "delete"},
        {"message.timestamp.type", "CreateTime"},
    };
    fake_cfgs = odd;
    fake_ncfgs = 3;
    kgw_data_topic_limits(&s, "orders", &l);
    assert_int_equal(l.max_message_bytes, 1048588);
    assert_false(l.compacted);
    assert_false(l.log_append_time);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topic_name),
        cmocka_unit_test(test_find_topic_and_partition),
        cmocka_unit_test(test_leader_epoch),
        cmocka_unit_test(test_topic_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
