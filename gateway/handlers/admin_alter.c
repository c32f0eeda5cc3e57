#include "admin_alter.h"

#include <stdio.h>
#include <string.h>

#include "kafka/error_codes.h"

bool admin_alter_topic_open(kgw_request_t *req, kafka_str_t name, char **topic,
                            admin_topic_configs_t *current, admin_alter_outcome_t *out) {
    kgw_backend_t *be = req->server->backend;
    char err[320];
    kgw_topic_info_t info;
    out->error = KAFKA_ERROR_NONE;
    out->message = KAFKA_STR_NULL;
    if (!admin_topic_name_valid(name, err, sizeof(err))) {
        out->error = KAFKA_ERROR_INVALID_TOPIC_EXCEPTION;
        out->message = admin_str(req, err);
        return false;
    }
    *topic = admin_cstr(req, name);
    if (!*topic || be->ops->get_topic(be, *topic, &info) != 0) {
        out->error = KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
        out->message = admin_strf(req, "Topic '%.*s' does not exist.", (int)name.len, name.ptr);
        return false;
    }
    int rc = admin_topic_configs_load(req, *topic, current);
    if (rc < 0) {
        out->error = admin_backend_error(rc);
        out->message = KAFKA_STR_LIT("The topic's configs could not be read.");
        return false;
    }
    return true;
}

void admin_alter_broker(kgw_request_t *req, kafka_str_t resource_name, const kafka_str_t *names,
                        int32_t count, admin_alter_outcome_t *out) {
    char id[16];
    snprintf(id, sizeof(id), "%d", (int)req->server->config->node_id);
    out->error = KAFKA_ERROR_NONE;
    out->message = KAFKA_STR_NULL;
    if (resource_name.len != 0 && !kafka_str_equal(resource_name, kafka_str_from_cstr(id))) {
        out->error = KAFKA_ERROR_INVALID_REQUEST;
        out->message = admin_strf(req,
                                  "Unexpected broker id, expected %s or empty string, but "
                                  "received %.*s",
                                  id, (int)(resource_name.len > 64 ? 64 : resource_name.len),
                                  resource_name.ptr);
        return;
    }
    if (count <= 0)
        return;
    /* Kafka's answer to a setting that cannot be updated dynamically. */
    char list[512];
    size_t used = 0;
    list[0] = '\0';
    for (int32_t i = 0; i < count && used < sizeof(list); i++) {
        int n = snprintf(list + used, sizeof(list) - used, "%s%.*s", i ? "," : "",
                         (int)(names[i].len > 0 ? names[i].len : 0), names[i].ptr);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    out->error = KAFKA_ERROR_INVALID_REQUEST;
    out->message = admin_strf(req, "Cannot update these configs dynamically: Set(%s)", list);
}

void admin_alter_unsupported(kgw_request_t *req, int8_t type, admin_alter_outcome_t *out) {
    out->error = KAFKA_ERROR_INVALID_REQUEST;
    out->message = admin_strf(req, "Unsupported resource type: %d", (int)type);
}

void admin_alter_topic_apply(kgw_request_t *req, const char *topic,
                             const admin_topic_configs_t *current,
                             const admin_topic_configs_t *next, admin_alter_outcome_t *out) {
    kgw_backend_t *be = req->server->backend;
    int rc = 0;
    for (size_t i = 0; i < current->count && rc == 0; i++)
        if (!admin_topic_configs_get(next, current->items[i].key))
            rc = be->ops->set_topic_config(be, topic, current->items[i].key, NULL);
    for (size_t i = 0; i < next->count && rc == 0; i++) {
        const char *old = admin_topic_configs_get(current, next->items[i].key);
        if (!old || strcmp(old, next->items[i].value) != 0)
            rc = be->ops->set_topic_config(be, topic, next->items[i].key, next->items[i].value);
    }
    out->error = admin_backend_error(rc);
    out->message = rc ? KAFKA_STR_LIT("The topic's configs could not be stored.") : KAFKA_STR_NULL;
}
