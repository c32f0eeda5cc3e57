/* The topic-config catalogue: the topic-level settings kgw accepts, with
 * Kafka's names, types, validation and the broker setting each one's
 * default derives from (retention.ms <- log.retention.ms, ...). Shared by
 * CreateTopics, DescribeConfigs, AlterConfigs and IncrementalAlterConfigs. */
#ifndef KGW_HANDLERS_TOPIC_CONFIG_H
#define KGW_HANDLERS_TOPIC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* DescribeConfigs' ConfigType values. */
enum kgw_config_type {
    KGW_CONFIG_TYPE_UNKNOWN = 0,
    KGW_CONFIG_TYPE_BOOLEAN = 1,
    KGW_CONFIG_TYPE_STRING = 2,
    KGW_CONFIG_TYPE_INT = 3,
    KGW_CONFIG_TYPE_SHORT = 4,
    KGW_CONFIG_TYPE_LONG = 5,
    KGW_CONFIG_TYPE_DOUBLE = 6,
    KGW_CONFIG_TYPE_LIST = 7,
};

/* DescribeConfigs' ConfigSource values. */
enum kgw_config_source {
    KGW_CONFIG_SOURCE_UNKNOWN = 0,
    KGW_CONFIG_SOURCE_DYNAMIC_TOPIC = 1,
    KGW_CONFIG_SOURCE_STATIC_BROKER = 4,
    KGW_CONFIG_SOURCE_DEFAULT = 5,
};

typedef struct kgw_topic_config_def {
    const char *name;
    int type;                   /* enum kgw_config_type */
    const char *broker_synonym; /* the broker setting supplying the default */
    const char *default_value;  /* Kafka's default when the broker has none */
    int64_t min, max;           /* numeric range (inclusive); DOUBLE compares too */
    const char *const *allowed; /* NULL-terminated; strings and list items */
} kgw_topic_config_def_t;

/* A broker setting as the broker reports it (see kgw_config_describe). */
typedef struct kgw_broker_setting {
    const char *value;
    bool is_default; /* not set in server.properties / --override */
} kgw_broker_setting_t;

/* Looks a broker setting up by name; false when the broker has no such
 * setting. */
typedef bool (*kgw_broker_lookup_fn)(void *arg, const char *name, kgw_broker_setting_t *out);

/* The effective value of one topic config that the topic does not set. */
typedef struct kgw_topic_config_default {
    const char *value;        /* the broker's value or the static default */
    int source;               /* STATIC_BROKER or DEFAULT */
    const char *synonym_name; /* the broker setting's name */
} kgw_topic_config_default_t;

size_t kgw_topic_config_count(void);
const kgw_topic_config_def_t *kgw_topic_config_at(size_t i);
/* NULL for a name kgw does not know. */
const kgw_topic_config_def_t *kgw_topic_config_find(const char *name);
/* The topic config whose default derives from this broker setting, or NULL. */
const kgw_topic_config_def_t *kgw_topic_config_by_synonym(const char *broker_name);

/* 0 when value is valid for name, with the form to store in canon (blanks
 * trimmed as Kafka's parser trims them, booleans in lower case, list items
 * joined by ","); otherwise -1 with a Kafka-style message ("Unknown topic
 * config name: x", "Invalid value y for configuration x: ...") in err. */
int kgw_topic_config_validate(const char *name, const char *value, char *canon, size_t canonlen,
                              char *err, size_t errlen);

/* The default a topic inherits for def. lookup may be NULL (no broker
 * settings known). */
void kgw_topic_config_default_for(const kgw_topic_config_def_t *def, kgw_broker_lookup_fn lookup,
                                  void *arg, kgw_topic_config_default_t *out);

/* List values (cleanup.policy): items separated by commas, blanks trimmed.
 * Writes the result of adding (append) or removing (subtract) the items of
 * `items` to/from `current` into out; -1 when it does not fit. */
int kgw_topic_config_list_edit(const char *current, const char *items, bool append, char *out,
                               size_t outlen);

#endif
