/* What AlterConfigs and IncrementalAlterConfigs share: resolving the
 * resource, refusing broker changes, and replacing a topic's explicit
 * configs with a validated set. */
#ifndef KGW_HANDLERS_ADMIN_ALTER_H
#define KGW_HANDLERS_ADMIN_ALTER_H

#include "admin_util.h"

typedef struct admin_alter_outcome {
    int16_t error;
    kafka_str_t message; /* null when error is NONE */
} admin_alter_outcome_t;

/* Checks a topic resource and loads its explicit configs; *topic is the
 * NUL-terminated name. False with out filled when the topic is not there. */
bool admin_alter_topic_open(kgw_request_t *req, kafka_str_t name, char **topic,
                            admin_topic_configs_t *current, admin_alter_outcome_t *out);

/* Broker resources: no setting can change at runtime. names/count are the
 * requested config names (for the message). */
void admin_alter_broker(kgw_request_t *req, kafka_str_t resource_name, const kafka_str_t *names,
                        int32_t count, admin_alter_outcome_t *out);

/* A resource type neither API can alter. */
void admin_alter_unsupported(kgw_request_t *req, int8_t type, admin_alter_outcome_t *out);

/* Makes next the topic's explicit configs: sets what changed, removes what
 * is gone. Values must already be validated (canonical). */
void admin_alter_topic_apply(kgw_request_t *req, const char *topic,
                             const admin_topic_configs_t *current,
                             const admin_topic_configs_t *next, admin_alter_outcome_t *out);

#endif
