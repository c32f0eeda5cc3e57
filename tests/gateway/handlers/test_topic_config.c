/* The topic-config catalogue: validation, canonical values, broker-derived
 * defaults and list editing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "topic_config.h"

/* Validates and checks the outcome, printing expected vs got on mismatch. */
static void expect_valid(const char *name, const char *value, const char *want_canon) {
    char canon[256] = "", err[400] = "";
    int rc = kgw_topic_config_validate(name, value, canon, sizeof(canon), err, sizeof(err));
    if (rc != 0 || strcmp(canon, want_canon) != 0) {
        print_error("%s=%s: expected valid \"%s\", got rc %d canon \"%s\" err \"%s\"\n", name,
                    value, want_canon, rc, canon, err);
        fail();
    }
}

static void expect_invalid(const char *name, const char *value, const char *want_in_err) {
    char canon[256] = "", err[400] = "";
    int rc = kgw_topic_config_validate(name, value, canon, sizeof(canon), err, sizeof(err));
    if (rc != -1 || !strstr(err, want_in_err)) {
        print_error("%s=%s: expected invalid with \"%s\", got rc %d err \"%s\"\n", name,
                    value ? value : "(null)", want_in_err, rc, err);
        fail();
    }
}

static void test_catalogue_has_required_names(void **state) {
    (void)state;
    const char *required[] = {"cleanup.policy",         "retention.ms",        "retention.bytes",
                              "segment.bytes",          "segment.ms",          "max.message.bytes",
                              "message.timestamp.type", "min.insync.replicas", "compression.type"};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        if (!kgw_topic_config_find(required[i])) {
            print_error("expected %s in the catalogue, got none\n", required[i]);
            fail();
        }
    }
    /* Sorted by name, without duplicates, as Kafka lists them. */
    for (size_t i = 1; i < kgw_topic_config_count(); i++)
        assert_true(strcmp(kgw_topic_config_at(i - 1)->name, kgw_topic_config_at(i)->name) < 0);
    assert_null(kgw_topic_config_at(kgw_topic_config_count()));
    assert_null(kgw_topic_config_find("no.such.config"));
}

static void test_validate_numbers(void **state) {
    (void)state;
    expect_valid("retention.ms", "86400000", "86400000");
    expect_valid("retention.ms", "-1", "-1");
    expect_valid("retention.ms", "  42 ", "42");
    expect_valid("retention.ms", "+7", "+7");
    expect_invalid("retention.ms", "-2", "at least -1");
    expect_invalid("retention.ms", "abc", "Not a number of type LONG");
    expect_invalid("retention.ms", "", "Not a number");
    expect_invalid("retention.ms", "1e3", "Not a number");
    expect_invalid("retention.ms", "99999999999999999999", "Not a number");
    expect_valid("retention.bytes", "-5", "-5");
    expect_valid("segment.bytes", "1048576", "1048576");
    expect_invalid("segment.bytes", "13", "at least 14");
    expect_invalid("segment.bytes", "2147483648", "type INT");
    expect_invalid("segment.ms", "0", "at least 1");
    expect_valid("max.message.bytes", "0", "0");
    expect_invalid("min.insync.replicas", "0", "at least 1");
    expect_valid("min.cleanable.dirty.ratio", "0.25", "0.25");
    expect_invalid("min.cleanable.dirty.ratio", "1.5", "between 0 and 1");
    expect_invalid("min.cleanable.dirty.ratio", "x", "type DOUBLE");
}

static void test_validate_strings_lists_booleans(void **state) {
    (void)state;
    expect_valid("cleanup.policy", "delete", "delete");
    expect_valid("cleanup.policy", " compact , delete ", "compact,delete");
    expect_invalid("cleanup.policy", "shred", "String must be one of: compact, delete");
    expect_invalid("cleanup.policy", "", "empty list item");
    expect_invalid("cleanup.policy", "compact,", "empty list item");
    expect_valid("message.timestamp.type", "LogAppendTime", "LogAppendTime");
    expect_invalid("message.timestamp.type", "logappendtime", "CreateTime, LogAppendTime");
    expect_valid("compression.type", "zstd", "zstd");
    expect_invalid("compression.type", "brotli", "String must be one of");
    expect_valid("preallocate", "TRUE", "true");
    expect_invalid("preallocate", "yes", "either true or false");
    expect_invalid("no.such.config", "1", "Unknown topic config name: no.such.config");
    expect_invalid("retention.ms", NULL, "Null value");
}

/* A broker with log.retention.ms set in server.properties and
 * message.max.bytes left at its default. */
static bool fake_broker(void *arg, const char *name, kgw_broker_setting_t *out) {
    (void)arg;
    if (strcmp(name, "log.retention.ms") == 0) {
        out->value = "3600000";
        out->is_default = false;
        return true;
    }
    if (strcmp(name, "message.max.bytes") == 0) {
        out->value = "1048588";
        out->is_default = true;
        return true;
    }
    if (strcmp(name, "log.roll.ms") == 0) {
        /* Not valid for segment.ms: the catalogue's own default applies. */
        out->value = "";
        out->is_default = true;
        return true;
    }
    return false;
}

static void test_defaults_follow_the_broker(void **state) {
    (void)state;
    kgw_topic_config_default_t d;
    kgw_topic_config_default_for(kgw_topic_config_find("retention.ms"), fake_broker, NULL, &d);
    assert_string_equal(d.value, "3600000");
    assert_int_equal(d.source, KGW_CONFIG_SOURCE_STATIC_BROKER);
    assert_string_equal(d.synonym_name, "log.retention.ms");

    kgw_topic_config_default_for(kgw_topic_config_find("max.message.bytes"), fake_broker, NULL, &d);
    assert_string_equal(d.value, "1048588");
    assert_int_equal(d.source, KGW_CONFIG_SOURCE_DEFAULT);
    assert_string_equal(d.synonym_name, "message.max.bytes");

    kgw_topic_config_default_for(kgw_topic_config_find("segment.ms"), fake_broker, NULL, &d);
    assert_string_equal(d.value, "604800000");
    assert_int_equal(d.source, KGW_CONFIG_SOURCE_DEFAULT);

    kgw_topic_config_default_for(kgw_topic_config_find("cleanup.policy"), NULL, NULL, &d);
    assert_string_equal(d.value, "delete");
    assert_int_equal(d.source, KGW_CONFIG_SOURCE_DEFAULT);
    assert_string_equal(d.synonym_name, "log.cleanup.policy");

    assert_ptr_equal(kgw_topic_config_by_synonym("log.segment.bytes"),
                     kgw_topic_config_find("segment.bytes"));
    assert_null(kgw_topic_config_by_synonym("listeners"));
}

static void expect_edit(const char *cur, const char *items, bool append, const char *want) {
    char out[128];
    int rc = kgw_topic_config_list_edit(cur, items, append, out, sizeof(out));
    if (rc != 0 || strcmp(out, want) != 0) {
        print_error("%s %s %s: expected \"%s\", got rc %d \"%s\"\n", cur, append ? "+" : "-", items,
                    want, rc, out);
        fail();
    }
}

static void test_list_edit(void **state) {
    (void)state;
    expect_edit("delete", "compact", true, "delete,compact");
    expect_edit("delete,compact", "compact", true, "delete,compact");
    expect_edit("delete", " compact , delete", true, "delete,compact");
    expect_edit("delete,compact", "delete", false, "compact");
    expect_edit("delete", "delete", false, "");
    expect_edit("compact", "delete", false, "compact");
    char small[4];
    assert_int_equal(kgw_topic_config_list_edit("delete", "compact", true, small, sizeof(small)),
                     -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogue_has_required_names),
        cmocka_unit_test(test_validate_numbers),
        cmocka_unit_test(test_validate_strings_lists_booleans),
        cmocka_unit_test(test_defaults_follow_the_broker),
        cmocka_unit_test(test_list_edit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
