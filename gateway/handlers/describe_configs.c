/* DescribeConfigs (v0-4): a topic's configs (explicit ones as
 * DYNAMIC_TOPIC_CONFIG, the rest inherited from the broker as
 * STATIC_BROKER_CONFIG or DEFAULT_CONFIG), and this broker's settings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_handlers.h"
#include "admin_util.h"
#include "kafka/error_codes.h"
#include "kafka/msg/describe_configs_request.h"
#include "kafka/msg/describe_configs_response.h"

typedef kafka_describe_configs_request_describe_configs_resource_t resource_t;
typedef kafka_describe_configs_response_describe_configs_result_t result_t;
typedef kafka_describe_configs_response_describe_configs_resource_result_t entry_t;
typedef kafka_describe_configs_response_describe_configs_synonym_t synonym_t;

typedef struct entries {
    kgw_request_t *req;
    const resource_t *res;
    bool synonyms;
    entry_t *items;
    int32_t count, cap;
    bool nomem;
} entries_t;

static bool requested(const resource_t *res, const char *name) {
    if (res->configuration_keys.count < 0)
        return true;
    kafka_str_t n = kafka_str_from_cstr(name);
    for (int32_t i = 0; i < res->configuration_keys.count; i++)
        if (kafka_str_equal(res->configuration_keys.items[i], n))
            return true;
    return false;
}

static entry_t *add_entry(entries_t *e, const char *name, const char *value, int source, int type) {
    if (e->count == e->cap) {
        int32_t cap = e->cap ? e->cap * 2 : 32;
        entry_t *items = kgw_request_alloc(e->req, (size_t)cap * sizeof(*items));
        if (!items) {
            e->nomem = true;
            return NULL;
        }
        if (e->count)
            memcpy(items, e->items, (size_t)e->count * sizeof(*items));
        e->items = items;
        e->cap = cap;
    }
    entry_t *x = &e->items[e->count++];
    kafka_describe_configs_response_describe_configs_resource_result_init(x);
    x->name = kafka_str_from_cstr(name);
    x->value = value ? kafka_str_from_cstr(value) : KAFKA_STR_NULL;
    x->read_only = false;
    x->config_source = (int8_t)source;
    x->is_sensitive = false;
    x->config_type = (int8_t)type;
    x->documentation = KAFKA_STR_NULL;
    x->synonyms.items = NULL;
    x->synonyms.count = 0;
    /* v0 has no source, only this flag; Kafka sets it for DEFAULT_CONFIG. */
    if (e->req->api_version == 0)
        x->is_default = source == KGW_CONFIG_SOURCE_DEFAULT;
    return x;
}

/* Synonyms in Kafka's order: the topic's own value, then the broker setting
 * it inherits from (or the built-in default). */
static bool topic_synonyms(entries_t *e, entry_t *x, const admin_config_value_t *cv) {
    synonym_t *s = kgw_request_alloc(e->req, 2 * sizeof(*s));
    if (!s)
        return false;
    int32_t n = 0;
    if (cv->source == KGW_CONFIG_SOURCE_DYNAMIC_TOPIC) {
        kafka_describe_configs_response_describe_configs_synonym_init(&s[n]);
        s[n].name = kafka_str_from_cstr(cv->def->name);
        s[n].value = kafka_str_from_cstr(cv->value);
        s[n].source = KGW_CONFIG_SOURCE_DYNAMIC_TOPIC;
        n++;
    }
    kafka_describe_configs_response_describe_configs_synonym_init(&s[n]);
    s[n].name = kafka_str_from_cstr(cv->dflt.synonym_name);
    s[n].value = kafka_str_from_cstr(cv->dflt.value);
    s[n].source = (int8_t)cv->dflt.source;
    n++;
    x->synonyms.items = s;
    x->synonyms.count = n;
    return true;
}

static void describe_topic(entries_t *e, result_t *r) {
    kgw_request_t *req = e->req;
    kgw_backend_t *be = req->server->backend;
    char err[320];
    kgw_topic_info_t info;
    if (!admin_topic_name_valid(e->res->resource_name, err, sizeof(err))) {
        r->error_code = KAFKA_ERROR_INVALID_TOPIC_EXCEPTION;
        r->error_message = admin_str(req, err);
        return;
    }
    char *name = admin_cstr(req, e->res->resource_name);
    if (!name) {
        e->nomem = true;
        return;
    }
    if (be->ops->get_topic(be, name, &info) != 0) {
        r->error_code = KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
        r->error_message = admin_strf(req, "Topic '%s' does not exist.", name);
        return;
    }
    admin_topic_configs_t explicit_configs;
    int rc = admin_topic_configs_load(req, name, &explicit_configs);
    if (rc == KGW_ENOMEM) {
        e->nomem = true;
        return;
    }
    if (rc < 0) {
        r->error_code = admin_backend_error(rc);
        return;
    }
    for (size_t i = 0; i < kgw_topic_config_count(); i++) {
        const kgw_topic_config_def_t *def = kgw_topic_config_at(i);
        if (!requested(e->res, def->name))
            continue;
        admin_config_value_t cv;
        admin_topic_config_value(req, &explicit_configs, def, &cv);
        entry_t *x = add_entry(e, def->name, cv.value, cv.source, def->type);
        if (!x)
            return;
        if (e->synonyms && !topic_synonyms(e, x, &cv)) {
            e->nomem = true;
            return;
        }
    }
}

static int broker_visit(void *arg, const kgw_config_view_t *v) {
    entries_t *e = arg;
    if (!requested(e->res, v->name))
        return 0;
    int source = v->is_default ? KGW_CONFIG_SOURCE_DEFAULT : KGW_CONFIG_SOURCE_STATIC_BROKER;
    const kgw_topic_config_def_t *def = kgw_topic_config_by_synonym(v->name);
    const char *name = admin_str(e->req, v->name).ptr;
    /* Kafka never reveals a sensitive value. */
    const char *value = v->sensitive || v->null_value ? NULL : admin_str(e->req, v->value).ptr;
    entry_t *x = add_entry(e, name, value, source, def ? def->type : KGW_CONFIG_TYPE_UNKNOWN);
    if (!x)
        return 1;
    /* Nothing can be changed at runtime: every broker setting is static. */
    x->read_only = true;
    x->is_sensitive = v->sensitive;
    if (e->synonyms) {
        int n = v->nsynonyms > 0 ? v->nsynonyms : 1;
        synonym_t *s = kgw_request_alloc(e->req, (size_t)n * sizeof(*s));
        if (!s) {
            e->nomem = true;
            return 1;
        }
        for (int i = 0; i < n; i++) {
            kafka_describe_configs_response_describe_configs_synonym_init(&s[i]);
            if (v->nsynonyms == 0) {
                s[i].name = x->name;
                s[i].value = x->value;
                s[i].source = (int8_t)source;
                continue;
            }
            const kgw_config_synonym_t *y = &v->synonyms[i];
            s[i].name = admin_str(e->req, y->name);
            s[i].value = admin_str(e->req, y->value);
            s[i].source = (int8_t)(y->is_default ? KGW_CONFIG_SOURCE_DEFAULT
                                                 : KGW_CONFIG_SOURCE_STATIC_BROKER);
        }
        x->synonyms.items = s;
        x->synonyms.count = n;
    }
    return 0;
}

/* A broker resource names this node's id; the empty name stands for the
 * cluster-wide dynamic defaults, of which kgw has none. */
static void describe_broker(entries_t *e, result_t *r) {
    kgw_request_t *req = e->req;
    int32_t node = req->server->config->node_id;
    kafka_str_t name = e->res->resource_name;
    if (name.len == 0)
        return;
    char buf[16];
    char *end = NULL;
    long id = -1;
    if (name.len < (int32_t)sizeof(buf)) {
        memcpy(buf, name.ptr, (size_t)name.len);
        buf[name.len] = '\0';
        id = strtol(buf, &end, 10);
    }
    if (!end || *end != '\0' || name.len >= (int32_t)sizeof(buf)) {
        r->error_code = KAFKA_ERROR_INVALID_REQUEST;
        r->error_message = admin_strf(req, "Broker id must be an integer, but it is: %.*s",
                                      (int)(name.len > 64 ? 64 : name.len), name.ptr);
        return;
    }
    if (id != node) {
        r->error_code = KAFKA_ERROR_INVALID_REQUEST;
        r->error_message =
            admin_strf(req, "Unexpected broker id, expected %d or empty string, but received %s",
                       (int)node, buf);
        return;
    }
    kgw_config_describe(req->server->config, broker_visit, e);
}

void kgw_handle_describe_configs(kgw_request_t *req) {
    const kafka_describe_configs_request_t *rq = req->body;
    kafka_describe_configs_response_t *rs = kgw_request_response(req);
    int32_t n = rq->resources.count > 0 ? rq->resources.count : 0;
    result_t *results = kgw_request_alloc(req, (size_t)n * sizeof(*results) + 1);
    if (!results) {
        admin_fail_nomem(req);
        return;
    }
    for (int32_t i = 0; i < n; i++) {
        const resource_t *res = &rq->resources.items[i];
        result_t *r = &results[i];
        kafka_describe_configs_response_describe_configs_result_init(r);
        r->error_code = KAFKA_ERROR_NONE;
        r->error_message = KAFKA_STR_NULL;
        r->resource_type = res->resource_type;
        r->resource_name = res->resource_name;
        entries_t e = {req, res, req->api_version >= 1 && rq->include_synonyms, NULL, 0, 0, false};
        if (res->resource_type == ADMIN_RESOURCE_TOPIC) {
            describe_topic(&e, r);
        } else if (res->resource_type == ADMIN_RESOURCE_BROKER) {
            describe_broker(&e, r);
        } else {
            r->error_code = KAFKA_ERROR_INVALID_REQUEST;
            r->error_message =
                admin_strf(req, "Unsupported resource type: %d", (int)res->resource_type);
        }
        if (e.nomem) {
            admin_fail_nomem(req);
            return;
        }
        r->configs.items = e.items;
        r->configs.count = r->error_code ? 0 : e.count;
    }
    rs->results.items = results;
    rs->results.count = n;
    kgw_request_respond(req);
}
