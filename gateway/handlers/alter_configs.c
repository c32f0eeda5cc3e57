/* AlterConfigs (v0-2): replaces a topic's explicit configs with the given
 * set (whatever is not listed returns to its default); validate_only. */
#include <string.h>

#include "admin_alter.h"
#include "admin_handlers.h"
#include "kafka/error_codes.h"
#include "kafka/msg/alter_configs_request.h"
#include "kafka/msg/alter_configs_response.h"

typedef kafka_alter_configs_request_alter_configs_resource_t resource_t;

static void alter_topic(kgw_request_t *req, const resource_t *res, bool validate_only,
                        admin_alter_outcome_t *out) {
    char *topic;
    admin_topic_configs_t current, next;
    if (!admin_alter_topic_open(req, res->resource_name, &topic, &current, out))
        return;
    int32_t n = res->configs.count > 0 ? res->configs.count : 0;
    next.items = kgw_request_alloc(req, (size_t)n * sizeof(*next.items) + 1);
    next.count = 0;
    if (!next.items) {
        out->error = KAFKA_ERROR_INVALID_REQUEST;
        out->message = KAFKA_STR_LIT("Request too large.");
        return;
    }
    for (int32_t i = 0; i < n; i++) {
        const kafka_alter_configs_request_alterable_config_t *c = &res->configs.items[i];
        char *name = admin_cstr(req, c->name);
        char canon[1024], err[400];
        if (!name) {
            out->error = KAFKA_ERROR_INVALID_REQUEST;
            out->message = KAFKA_STR_LIT("Config names cannot be null.");
            return;
        }
        if (admin_topic_configs_get(&next, name)) {
            out->error = KAFKA_ERROR_INVALID_REQUEST;
            out->message = admin_strf(req, "Duplicate config name: %s", name);
            return;
        }
        if (c->value.len < 0 && kgw_topic_config_find(name)) {
            out->error = KAFKA_ERROR_INVALID_REQUEST;
            out->message = admin_strf(req, "Null value not supported for topic configs: %s", name);
            return;
        }
        char *value = admin_cstr(req, c->value);
        if (kgw_topic_config_validate(name, value, canon, sizeof(canon), err, sizeof(err)) < 0) {
            out->error = KAFKA_ERROR_INVALID_CONFIG;
            out->message = admin_str(req, err);
            return;
        }
        next.items[next.count].key = name;
        next.items[next.count].value = admin_str(req, canon).ptr;
        next.count++;
    }
    if (!validate_only)
        admin_alter_topic_apply(req, topic, &current, &next, out);
}

void kgw_handle_alter_configs(kgw_request_t *req) {
    const kafka_alter_configs_request_t *rq = req->body;
    kafka_alter_configs_response_t *rs = kgw_request_response(req);
    int32_t n = rq->resources.count > 0 ? rq->resources.count : 0;
    kafka_alter_configs_response_alter_configs_resource_response_t *results =
        kgw_request_alloc(req, (size_t)n * sizeof(*results) + 1);
    if (!results) {
        admin_fail_nomem(req);
        return;
    }
    for (int32_t i = 0; i < n; i++) {
        const resource_t *res = &rq->resources.items[i];
        admin_alter_outcome_t out = {KAFKA_ERROR_NONE, KAFKA_STR_NULL};
        if (res->resource_type == ADMIN_RESOURCE_TOPIC) {
            alter_topic(req, res, rq->validate_only, &out);
        } else if (res->resource_type == ADMIN_RESOURCE_BROKER) {
            int32_t nc = res->configs.count > 0 ? res->configs.count : 0;
            kafka_str_t *names = kgw_request_alloc(req, (size_t)nc * sizeof(*names) + 1);
            if (!names) {
                admin_fail_nomem(req);
                return;
            }
            for (int32_t j = 0; j < nc; j++)
                names[j] = res->configs.items[j].name;
            admin_alter_broker(req, res->resource_name, names, nc, &out);
        } else {
            admin_alter_unsupported(req, res->resource_type, &out);
        }
        kafka_alter_configs_response_alter_configs_resource_response_init(&results[i]);
        results[i].error_code = out.error;
        results[i].error_message = out.message;
        results[i].resource_type = res->resource_type;
        results[i].resource_name = res->resource_name;
    }
    rs->responses.items = results;
    rs->responses.count = n;
    kgw_request_respond(req);
}
