/* Helpers shared by the admin handlers (metadata, topics, configs, cluster,
 * log dirs): arena strings, topic-name rules, this node as a broker, the
 * authorized-operations bitfields and topic config listing. */
#ifndef KGW_HANDLERS_ADMIN_UTIL_H
#define KGW_HANDLERS_ADMIN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handlers.h"
#include "topic_config.h"

/* What Kafka reports when no authorizer is configured: every operation the
 * resource type supports (AclEntry.supportedOperations), as 1 << AclOperation
 * code. Topic: READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS,
 * ALTER_CONFIGS. Cluster: CREATE, ALTER, DESCRIBE, CLUSTER_ACTION,
 * DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE. */
#define ADMIN_TOPIC_AUTHORIZED_OPERATIONS 3576
#define ADMIN_CLUSTER_AUTHORIZED_OPERATIONS 8096
#define ADMIN_AUTHORIZED_OPERATIONS_OMITTED INT32_MIN

/* Kafka's limit on partitions kgw accepts per topic: a guard against one
 * request creating millions of directories. */
#define ADMIN_MAX_PARTITIONS 100000

/* ConfigResource types. */
#define ADMIN_RESOURCE_TOPIC 2
#define ADMIN_RESOURCE_BROKER 4
#define ADMIN_RESOURCE_BROKER_LOGGER 8

/* A NUL-terminated arena copy of s (NULL for a null string or when the
 * arena is exhausted). */
char *admin_cstr(kgw_request_t *req, kafka_str_t s);
/* A view of an arena copy of a C string (empty view on exhaustion). */
kafka_str_t admin_str(kgw_request_t *req, const char *s);
/* A view of an arena-formatted string. */
kafka_str_t admin_strf(kgw_request_t *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Kafka's topic-name rules (Topic.validate): 1..249 characters of
 * [a-zA-Z0-9._-], not "." or "..". On failure writes Kafka's message. */
bool admin_topic_name_valid(kafka_str_t name, char *err, size_t errlen);
/* An existing topic whose name equals name once '.' and '_' are treated
 * alike (Kafka refuses such a collision); writes its name into other. */
bool admin_topic_collides(kgw_server_t *s, const char *name, char *other, size_t otherlen);

/* Creates a topic with num.partitions (Metadata's auto-creation). Returns a
 * wire error code and fills info on success. */
int16_t admin_auto_create_topic(kgw_server_t *s, const char *name, kgw_topic_info_t *info);

/* The broker-lookup callback for kgw_topic_config_default_for; arg is the
 * request (values are copied into its arena). */
bool admin_broker_lookup(void *req, const char *name, kgw_broker_setting_t *out);

/* The explicit (DYNAMIC_TOPIC_CONFIG) configs of a topic, copied into the
 * arena. Returns 0, or a negative KGW_E* code. */
typedef struct admin_topic_configs {
    kgw_config_entry_t *items;
    size_t count;
} admin_topic_configs_t;
int admin_topic_configs_load(kgw_request_t *req, const char *topic, admin_topic_configs_t *out);
/* The explicit value of key, or NULL. */
const char *admin_topic_configs_get(const admin_topic_configs_t *c, const char *key);

/* One topic config as DescribeConfigs / CreateTopics v5+ report it. */
typedef struct admin_config_value {
    const kgw_topic_config_def_t *def;
    const char *value;
    int source;                      /* enum kgw_config_source */
    kgw_topic_config_default_t dflt; /* what the topic would inherit */
} admin_config_value_t;
void admin_topic_config_value(kgw_request_t *req, const admin_topic_configs_t *explicit_configs,
                              const kgw_topic_config_def_t *def, admin_config_value_t *out);

/* Wire error code for a backend failure. */
int16_t admin_backend_error(int rc);

/* Completes the request by closing the connection when an arena allocation
 * failed (the response could not be built). */
void admin_fail_nomem(kgw_request_t *req);

#endif
