/* Small helpers shared by the data handlers (produce, fetch, offsets,
 * producers): topic lookup from wire strings, topic configs that change how
 * data is validated, and the single-node leader-epoch rules. */
#ifndef KGW_DATA_UTIL_H
#define KGW_DATA_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "../server.h"
#include "kafka/types.h"

/* kgw is a single node whose partitions never change leader: every
 * partition's leader epoch is this one. */
#define KGW_DATA_LEADER_EPOCH 0

/* Copies a wire topic name into a NUL-terminated buffer; false if it is null,
 * empty, too long or holds a NUL (no such topic can exist). */
bool kgw_data_topic_name(kafka_str_t s, char out[256]);

/* Looks a topic up by its wire name. Returns a wire error code:
 * NONE or UNKNOWN_TOPIC_OR_PARTITION. */
int16_t kgw_data_find_topic(kgw_server_t *s, kafka_str_t name, kgw_topic_info_t *out);

/* Wire error for a partition index of a known topic (NONE or
 * UNKNOWN_TOPIC_OR_PARTITION). */
int16_t kgw_data_check_partition(const kgw_topic_info_t *t, int32_t partition);

/* A client's current_leader_epoch against ours: NONE when it is unknown
 * (-1) or ours, FENCED_LEADER_EPOCH when older, UNKNOWN_LEADER_EPOCH when
 * newer, as a Kafka leader answers. */
int16_t kgw_data_check_leader_epoch(int32_t current_leader_epoch);

/* The topic settings that decide how a produce is validated. */
typedef struct kgw_data_topic_limits {
    int64_t max_message_bytes; /* max.message.bytes, else message.max.bytes */
    bool compacted;            /* cleanup.policy contains compact */
    bool log_append_time;      /* message.timestamp.type=LogAppendTime */
} kgw_data_topic_limits_t;

void kgw_data_topic_limits(kgw_server_t *s, const char *topic, kgw_data_topic_limits_t *out);

/* Wall-clock milliseconds. */
int64_t kgw_data_now_ms(void);

#endif
