/* IncrementalAlterConfigs (v0-1): SET, DELETE, APPEND and SUBTRACT (list
 * configs such as cleanup.policy) on a topic's explicit configs, applied in
 * order; validate_only. */
#include <string.h>

#include "admin_alter.h"
#include "admin_handlers.h"
#include "kafka/error_codes.h"
#include "kafka/msg/incremental_alter_configs_request.h"
#include "kafka/msg/incremental_alter_configs_response.h"

typedef kafka_incremental_alter_configs_request_alter_configs_resource_t resource_t;
typedef kafka_incremental_alter_configs_request_alterable_config_t op_t;

enum { OP_SET = 0, OP_DELETE = 1, OP_APPEND = 2, OP_SUBTRACT = 3 };

/* Sets (value) or removes (NULL) key in an arena-backed config list with
 * room for one more entry per operation. */
static void put(admin_topic_configs_t *c, const char *key, const char *value) {
    for (size_t i = 0; i < c->count; i++) {
        if (strcmp(c->items[i].key, key) != 0)
            continue;
        if (value) {
            c->items[i].value = value;
        } else {
            c->items[i] = c->items[c->count - 1];
            c->count--;
        }
        return;
    }
    if (value) {
        c->items[c->count].key = key;
        c->items[c->count].value = value;
        c->count++;
    }
}

static bool fail(kgw_request_t *req, admin_alter_outcome_t *out, int16_t error, const char *msg,
                 const char *name) {
    out->error = error;
    out->message = admin_strf(req, "%s%s", msg, name);
    return false;
}

static bool apply_op(kgw_request_t *req, const op_t *op, const char *name,
                     admin_topic_configs_t *next, admin_alter_outcome_t *out) {
    const kgw_topic_config_def_t *def = kgw_topic_config_find(name);
    char canon[1024], err[400];
    if (!def)
        return fail(req, out, KAFKA_ERROR_INVALID_CONFIG, "Unknown topic config name: ", name);
    if (op->config_operation == OP_DELETE) {
        put(next, def->name, NULL);
        return true;
    }
    if (op->config_operation < OP_SET || op->config_operation > OP_SUBTRACT)
        return fail(req, out, KAFKA_ERROR_INVALID_REQUEST, "Unknown config operation for: ", name);
    if (op->value.len < 0)
        return fail(req, out, KAFKA_ERROR_INVALID_REQUEST, "Null value not supported for : ", name);
    const char *value = admin_cstr(req, op->value);
    if (!value)
        return fail(req, out, KAFKA_ERROR_INVALID_REQUEST, "Request too large: ", name);
    if (op->config_operation != OP_SET) {
        if (def->type != KGW_CONFIG_TYPE_LIST)
            return fail(req, out, KAFKA_ERROR_INVALID_CONFIG,
                        op->config_operation == OP_APPEND
                            ? "Config value append is not allowed for config key: "
                            : "Config value subtract is not allowed for config key: ",
                        name);
        /* Kafka edits the topic's value, or the default when unset. */
        const char *cur = admin_topic_configs_get(next, def->name);
        admin_config_value_t cv;
        if (!cur) {
            admin_topic_config_value(req, NULL, def, &cv);
            cur = cv.value;
        }
        char edited[1024];
        if (kgw_topic_config_list_edit(cur, value, op->config_operation == OP_APPEND, edited,
                                       sizeof(edited)) < 0)
            return fail(req, out, KAFKA_ERROR_INVALID_CONFIG, "Value too long for ", name);
        if (edited[0] == '\0') {
            /* Nothing left: Kafka's list configs need at least one item. */
            put(next, def->name, NULL);
            return true;
        }
        value = admin_str(req, edited).ptr;
    }
    if (kgw_topic_config_validate(def->name, value, canon, sizeof(canon), err, sizeof(err)) < 0) {
        out->error = KAFKA_ERROR_INVALID_CONFIG;
        out->message = admin_str(req, err);
        return false;
    }
    put(next, def->name, admin_str(req, canon).ptr);
    return true;
}

static void alter_topic(kgw_request_t *req, const resource_t *res, bool validate_only,
                        admin_alter_outcome_t *out) {
    char *topic;
    admin_topic_configs_t current, next;
    if (!admin_alter_topic_open(req, res->resource_name, &topic, &current, out))
        return;
    int32_t n = res->configs.count > 0 ? res->configs.count : 0;
    next.items = kgw_request_alloc(req, (current.count + (size_t)n) * sizeof(*next.items) + 1);
    if (!next.items) {
        out->error = KAFKA_ERROR_INVALID_REQUEST;
        out->message = KAFKA_STR_LIT("Request too large.");
        return;
    }
    if (current.count)
        memcpy(next.items, current.items, current.count * sizeof(*next.items));
    next.count = current.count;
    for (int32_t i = 0; i < n; i++) {
        for (int32_t j = 0; j < i; j++) {
            if (kafka_str_equal(res->configs.items[j].name, res->configs.items[i].name)) {
                out->error = KAFKA_ERROR_INVALID_REQUEST;
                out->message = KAFKA_STR_LIT("Error due to duplicate config keys");
                return;
            }
        }
    }
    for (int32_t i = 0; i < n; i++) {
        char *name = admin_cstr(req, res->configs.items[i].name);
        if (!name) {
            out->error = KAFKA_ERROR_INVALID_REQUEST;
            out->message = KAFKA_STR_LIT("Config names cannot be null.");
            return;
        }
        if (!apply_op(req, &res->configs.items[i], name, &next, out))
            return;
    }
    if (!validate_only)
        admin_alter_topic_apply(req, topic, &current, &next, out);
}

void kgw_handle_incremental_alter_configs(kgw_request_t *req) {
    const kafka_incremental_alter_configs_request_t *rq = req->body;
    kafka_incremental_alter_configs_response_t *rs = kgw_request_response(req);
    int32_t n = rq->resources.count > 0 ? rq->resources.count : 0;
    kafka_incremental_alter_configs_response_alter_configs_resource_response_t *results =
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
        kafka_incremental_alter_configs_response_alter_configs_resource_response_init(&results[i]);
        results[i].error_code = out.error;
        results[i].error_message = out.message;
        results[i].resource_type = res->resource_type;
        results[i].resource_name = res->resource_name;
    }
    rs->responses.items = results;
    rs->responses.count = n;
    kgw_request_respond(req);
}
