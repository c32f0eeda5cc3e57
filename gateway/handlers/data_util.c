#include "data_util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka/error_codes.h"

bool kgw_data_topic_name(kafka_str_t s, char out[256]) {
    if (s.len <= 0 || s.len > 255 || memchr(s.ptr, '\0', (size_t)s.len))
        return false;
    memcpy(out, s.ptr, (size_t)s.len);
    out[s.len] = '\0';
    return true;
}

int16_t kgw_data_find_topic(kgw_server_t *s, kafka_str_t name, kgw_topic_info_t *out) {
    char buf[256];
    if (!kgw_data_topic_name(name, buf))
        return KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
    if (s->backend->ops->get_topic(s->backend, buf, out) != 0)
        return KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
    return KAFKA_ERROR_NONE;
}

int16_t kgw_data_check_partition(const kgw_topic_info_t *t, int32_t partition) {
    if (partition < 0 || partition >= t->partitions)
        return KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
    return KAFKA_ERROR_NONE;
}

int16_t kgw_data_check_leader_epoch(int32_t current_leader_epoch) {
    if (current_leader_epoch < 0 || current_leader_epoch == KGW_DATA_LEADER_EPOCH)
        return KAFKA_ERROR_NONE;
    return current_leader_epoch < KGW_DATA_LEADER_EPOCH ? KAFKA_ERROR_FENCED_LEADER_EPOCH
                                                        : KAFKA_ERROR_UNKNOWN_LEADER_EPOCH;
}

static int limits_entry(void *arg, const kgw_config_entry_t *e) {
    kgw_data_topic_limits_t *l = arg;
    if (strcmp(e->key, "max.message.bytes") == 0) {
        char *end;
        long long v = strtoll(e->value, &end, 10);
        if (*e->value && !*end && v > 0)
            l->max_message_bytes = v;
    } else if (strcmp(e->key, "cleanup.policy") == 0) {
        l->compacted = strstr(e->value, "compact") != NULL;
    } else if (strcmp(e->key, "message.timestamp.type") == 0) {
        l->log_append_time = strcmp(e->value, "LogAppendTime") == 0;
    }
    return 0;
}

void kgw_data_topic_limits(kgw_server_t *s, const char *topic, kgw_data_topic_limits_t *out) {
    out->max_message_bytes = s->config->message_max_bytes;
    out->compacted = false;
    out->log_append_time = false;
    if (s->backend->ops->list_topic_configs)
        s->backend->ops->list_topic_configs(s->backend, topic, limits_entry, out);
}

int64_t kgw_data_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
