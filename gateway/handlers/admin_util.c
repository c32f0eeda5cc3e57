#include "admin_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kafka/error_codes.h"

char *admin_cstr(kgw_request_t *req, kafka_str_t s) {
    if (s.len < 0)
        return NULL;
    char *p = kgw_request_alloc(req, (size_t)s.len + 1);
    if (!p)
        return NULL;
    if (s.len)
        memcpy(p, s.ptr, (size_t)s.len);
    p[s.len] = '\0';
    return p;
}

kafka_str_t admin_str(kgw_request_t *req, const char *s) {
    size_t n = strlen(s);
    char *p = kgw_request_alloc(req, n + 1);
    if (!p)
        return KAFKA_STR_LIT("");
    memcpy(p, s, n + 1);
    return (kafka_str_t){p, (int32_t)n};
}

kafka_str_t admin_strf(kgw_request_t *req, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return admin_str(req, buf);
}

bool admin_topic_name_valid(kafka_str_t name, char *err, size_t errlen) {
    if (name.len <= 0) {
        snprintf(err, errlen, "Topic name is illegal, it can't be empty");
        return false;
    }
    if ((name.len == 1 && name.ptr[0] == '.') ||
        (name.len == 2 && name.ptr[0] == '.' && name.ptr[1] == '.')) {
        snprintf(err, errlen, "Topic name cannot be \".\" or \"..\"");
        return false;
    }
    if (name.len > 249) {
        snprintf(err, errlen,
                 "Topic name is illegal, it can't be longer than 249 characters, topic name: "
                 "%.*s",
                 64, name.ptr);
        return false;
    }
    for (int32_t i = 0; i < name.len; i++) {
        char c = name.ptr[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            snprintf(err, errlen,
                     "Topic name \"%.*s\" is illegal, it contains a character other than ASCII "
                     "alphanumerics, '.', '_' and '-'",
                     (int)name.len, name.ptr);
            return false;
        }
    }
    return true;
}

typedef struct collision_search {
    const char *name;
    char *other;
    size_t otherlen;
    bool found;
} collision_search_t;

static bool same_modulo_dot(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        char x = *a == '.' ? '_' : *a;
        char y = *b == '.' ? '_' : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

static int collision_visit(void *arg, const kgw_topic_info_t *t) {
    collision_search_t *c = arg;
    if (strcmp(t->name, c->name) != 0 && same_modulo_dot(t->name, c->name)) {
        snprintf(c->other, c->otherlen, "%s", t->name);
        c->found = true;
        return 1;
    }
    return 0;
}

bool admin_topic_collides(kgw_server_t *s, const char *name, char *other, size_t otherlen) {
    if (!strchr(name, '.') && !strchr(name, '_'))
        return false;
    collision_search_t c = {name, other, otherlen, false};
    s->backend->ops->list_topics(s->backend, collision_visit, &c);
    return c.found;
}

int16_t admin_auto_create_topic(kgw_server_t *s, const char *name, kgw_topic_info_t *info) {
    char other[256];
    if (admin_topic_collides(s, name, other, sizeof(other)))
        return KAFKA_ERROR_INVALID_TOPIC_EXCEPTION;
    int32_t partitions = s->config->num_partitions > 0 ? s->config->num_partitions : 1;
    int rc = s->backend->ops->create_topic(s->backend, name, partitions, NULL, 0, info);
    if (rc == KGW_EEXISTS) /* created meanwhile by someone else: fine */
        rc = s->backend->ops->get_topic(s->backend, name, info);
    return rc == 0 ? KAFKA_ERROR_NONE : admin_backend_error(rc);
}

typedef struct broker_search {
    kgw_request_t *req;
    const char *name;
    kgw_broker_setting_t *out;
    bool found;
} broker_search_t;

static int broker_visit(void *arg, const kgw_config_view_t *v) {
    broker_search_t *b = arg;
    if (strcmp(v->name, b->name) != 0)
        return 0;
    kafka_str_t copy = admin_str(b->req, v->value);
    b->out->value = copy.ptr;
    b->out->is_default = v->is_default;
    b->found = true;
    return 1;
}

bool admin_broker_lookup(void *req, const char *name, kgw_broker_setting_t *out) {
    kgw_request_t *r = req;
    broker_search_t b = {r, name, out, false};
    kgw_config_describe(r->server->config, broker_visit, &b);
    return b.found;
}

typedef struct config_loader {
    kgw_request_t *req;
    kgw_config_entry_t *items;
    size_t count, cap;
    bool nomem;
} config_loader_t;

static int config_visit(void *arg, const kgw_config_entry_t *e) {
    config_loader_t *l = arg;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        kgw_config_entry_t *items = kgw_request_alloc(l->req, cap * sizeof(*items));
        if (!items) {
            l->nomem = true;
            return 1;
        }
        if (l->count)
            memcpy(items, l->items, l->count * sizeof(*items));
        l->items = items;
        l->cap = cap;
    }
    kafka_str_t k = admin_str(l->req, e->key);
    kafka_str_t v = admin_str(l->req, e->value ? e->value : "");
    l->items[l->count].key = k.ptr;
    l->items[l->count].value = v.ptr;
    l->count++;
    return 0;
}

int admin_topic_configs_load(kgw_request_t *req, const char *topic, admin_topic_configs_t *out) {
    config_loader_t l = {req, NULL, 0, 0, false};
    kgw_backend_t *be = req->server->backend;
    int rc = be->ops->list_topic_configs(be, topic, config_visit, &l);
    if (rc < 0)
        return rc;
    if (l.nomem)
        return KGW_ENOMEM;
    out->items = l.items;
    out->count = l.count;
    return 0;
}

const char *admin_topic_configs_get(const admin_topic_configs_t *c, const char *key) {
    for (size_t i = 0; i < c->count; i++)
        if (strcmp(c->items[i].key, key) == 0)
            return c->items[i].value;
    return NULL;
}

void admin_topic_config_value(kgw_request_t *req, const admin_topic_configs_t *explicit_configs,
                              const kgw_topic_config_def_t *def, admin_config_value_t *out) {
    out->def = def;
    kgw_topic_config_default_for(def, admin_broker_lookup, req, &out->dflt);
    const char *set =
        explicit_configs ? admin_topic_configs_get(explicit_configs, def->name) : NULL;
    if (set) {
        out->value = set;
        out->source = KGW_CONFIG_SOURCE_DYNAMIC_TOPIC;
    } else {
        out->value = out->dflt.value;
        out->source = out->dflt.source;
    }
}

int16_t admin_backend_error(int rc) {
    switch (rc) {
    case 0:
        return KAFKA_ERROR_NONE;
    case KGW_ENOTFOUND:
        return KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
    case KGW_EEXISTS:
        return KAFKA_ERROR_TOPIC_ALREADY_EXISTS;
    case KGW_EINVAL:
        return KAFKA_ERROR_INVALID_REQUEST;
    case KGW_EIO:
        return KAFKA_ERROR_KAFKA_STORAGE_ERROR;
    default:
        return KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
    }
}

void admin_fail_nomem(kgw_request_t *req) {
    kgw_request_fail_connection(req, "response does not fit the request arena");
}
