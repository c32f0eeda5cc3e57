/* CreateTopics (v0-7): partitions (or manual assignments naming this node),
 * replication factor 1, configs validated against the topic-config
 * catalogue, validate_only, an error per topic; from v5 the created topic's
 * partitions, replication factor, configs (and v7 its id). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "admin_handlers.h"
#include "admin_util.h"
#include "kafka/error_codes.h"
#include "kafka/msg/create_topics_request.h"
#include "kafka/msg/create_topics_response.h"

typedef kafka_create_topics_request_creatable_topic_t want_t;
typedef kafka_create_topics_response_creatable_topic_result_t result_t;
typedef kafka_create_topics_response_creatable_topic_configs_t result_config_t;

typedef struct outcome {
    int16_t error;
    char message[512];
    int32_t partitions;
    admin_topic_configs_t configs; /* canonical explicit configs */
} outcome_t;

static int16_t fail(outcome_t *o, int16_t error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int16_t fail(outcome_t *o, int16_t error, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    o->error = error;
    vsnprintf(o->message, sizeof(o->message), fmt, ap);
    va_end(ap);
    return error;
}

static int16_t check_assignments(kgw_request_t *req, const want_t *w, outcome_t *o) {
    int32_t node = req->server->config->node_id;
    int32_t n = w->assignments.count;
    if (w->num_partitions != -1 || w->replication_factor != -1)
        return fail(o, KAFKA_ERROR_INVALID_REQUEST,
                    "Both numPartitions or replicationFactor and replicasAssignments were set. "
                    "Both cannot be used at the same time.");
    if (n > ADMIN_MAX_PARTITIONS)
        return fail(o, KAFKA_ERROR_INVALID_PARTITIONS, "At most %d partitions per topic.",
                    ADMIN_MAX_PARTITIONS);
    bool *seen = kgw_request_alloc(req, (size_t)n);
    if (!seen)
        return fail(o, KAFKA_ERROR_INVALID_REQUEST, "Request too large.");
    memset(seen, 0, (size_t)n);
    for (int32_t i = 0; i < n; i++) {
        const kafka_create_topics_request_creatable_replica_assignment_t *a =
            &w->assignments.items[i];
        if (a->partition_index < 0 || a->partition_index >= n || seen[a->partition_index])
            return fail(o, KAFKA_ERROR_INVALID_REPLICA_ASSIGNMENT,
                        "Partitions should be a consecutive 0-based integer sequence, "
                        "got partition %d.",
                        (int)a->partition_index);
        seen[a->partition_index] = true;
        if (a->broker_ids.count <= 0)
            return fail(o, KAFKA_ERROR_INVALID_REPLICA_ASSIGNMENT,
                        "The manual partition assignment includes an empty replica list.");
        for (int32_t j = 0; j < a->broker_ids.count; j++)
            if (a->broker_ids.items[j] != node || j > 0)
                return fail(o, KAFKA_ERROR_INVALID_REPLICA_ASSIGNMENT,
                            "The manual partition assignment includes broker %d, but only "
                            "broker %d can hold a replica.",
                            (int)a->broker_ids.items[j], (int)node);
    }
    o->partitions = n;
    return KAFKA_ERROR_NONE;
}

static int16_t check_counts(kgw_request_t *req, const want_t *w, outcome_t *o) {
    const kgw_config_t *cfg = req->server->config;
    int32_t p = w->num_partitions == -1 ? cfg->num_partitions : w->num_partitions;
    if (p <= 0)
        return fail(o, KAFKA_ERROR_INVALID_PARTITIONS,
                    "Number of partitions was set to an invalid non-positive value (%d).", (int)p);
    if (p > ADMIN_MAX_PARTITIONS)
        return fail(o, KAFKA_ERROR_INVALID_PARTITIONS, "At most %d partitions per topic.",
                    ADMIN_MAX_PARTITIONS);
    int16_t rf = w->replication_factor == -1 ? 1 : w->replication_factor;
    if (rf <= 0)
        return fail(o, KAFKA_ERROR_INVALID_REPLICATION_FACTOR,
                    "Replication factor must be larger than 0, or -1 to use the default value "
                    "(got %d).",
                    (int)rf);
    if (rf > 1)
        return fail(o, KAFKA_ERROR_INVALID_REPLICATION_FACTOR,
                    "Unable to replicate the partition %d time(s): only 1 broker is "
                    "registered.",
                    (int)rf);
    o->partitions = p;
    return KAFKA_ERROR_NONE;
}

static int16_t check_configs(kgw_request_t *req, const want_t *w, outcome_t *o) {
    int32_t n = w->configs.count > 0 ? w->configs.count : 0;
    kgw_config_entry_t *items = kgw_request_alloc(req, (size_t)n * sizeof(*items) + 1);
    if (!items)
        return fail(o, KAFKA_ERROR_INVALID_REQUEST, "Request too large.");
    o->configs.items = items;
    o->configs.count = 0;
    for (int32_t i = 0; i < n; i++) {
        const kafka_create_topics_request_creatable_topic_config_t *c = &w->configs.items[i];
        char *name = admin_cstr(req, c->name);
        char *value = admin_cstr(req, c->value);
        char canon[1024], err[400];
        if (!name)
            return fail(o, KAFKA_ERROR_INVALID_CONFIG, "Invalid config name.");
        if (admin_topic_configs_get(&o->configs, name))
            return fail(o, KAFKA_ERROR_INVALID_REQUEST, "Duplicate config name: %s", name);
        if (kgw_topic_config_validate(name, value, canon, sizeof(canon), err, sizeof(err)) < 0)
            return fail(o, KAFKA_ERROR_INVALID_CONFIG, "%s", err);
        items[o->configs.count].key = name;
        items[o->configs.count].value = admin_str(req, canon).ptr;
        o->configs.count++;
    }
    return KAFKA_ERROR_NONE;
}

/* Every catalogue config with its value and source, as CreateTopics v5+
 * returns them. */
static bool fill_configs(kgw_request_t *req, const admin_topic_configs_t *explicit_configs,
                         result_t *r) {
    size_t n = kgw_topic_config_count();
    result_config_t *items = kgw_request_alloc(req, n * sizeof(*items));
    if (!items)
        return false;
    for (size_t i = 0; i < n; i++) {
        admin_config_value_t cv;
        admin_topic_config_value(req, explicit_configs, kgw_topic_config_at(i), &cv);
        kafka_create_topics_response_creatable_topic_configs_init(&items[i]);
        items[i].name = kafka_str_from_cstr(cv.def->name);
        items[i].value = kafka_str_from_cstr(cv.value);
        items[i].read_only = false;
        items[i].config_source = (int8_t)cv.source;
        items[i].is_sensitive = false;
    }
    r->configs.items = items;
    r->configs.count = (int32_t)n;
    return true;
}

static bool create_one(kgw_request_t *req, const want_t *w, bool validate_only, result_t *r) {
    kgw_server_t *s = req->server;
    kgw_backend_t *be = s->backend;
    outcome_t o = {KAFKA_ERROR_NONE, "", 0, {NULL, 0}};
    kgw_topic_info_t info;
    memset(&info, 0, sizeof(info));
    char *name = NULL;
    char err[320];

    if (!admin_topic_name_valid(w->name, err, sizeof(err))) {
        fail(&o, KAFKA_ERROR_INVALID_TOPIC_EXCEPTION, "%s", err);
    } else if (!(name = admin_cstr(req, w->name))) {
        return false;
    } else if (be->ops->get_topic(be, name, &info) == 0) {
        fail(&o, KAFKA_ERROR_TOPIC_ALREADY_EXISTS, "Topic '%s' already exists.", name);
    } else {
        char other[256];
        if (admin_topic_collides(s, name, other, sizeof(other))) {
            fail(&o, KAFKA_ERROR_INVALID_TOPIC_EXCEPTION,
                 "Topic '%s' collides with existing topic: %s", name, other);
        } else if (w->assignments.count > 0 ? check_assignments(req, w, &o) == 0
                                            : check_counts(req, w, &o) == 0) {
            check_configs(req, w, &o);
        }
    }

    if (o.error == KAFKA_ERROR_NONE && !validate_only) {
        int rc =
            be->ops->create_topic(be, name, o.partitions, o.configs.items, o.configs.count, &info);
        if (rc != 0) {
            o.error = admin_backend_error(rc);
            snprintf(o.message, sizeof(o.message), "%s",
                     rc == KGW_EEXISTS ? "Topic already exists."
                                       : "The topic could not be created.");
        }
    }

    r->error_code = o.error;
    r->error_message = o.error ? admin_str(req, o.message) : KAFKA_STR_NULL;
    if (o.error != KAFKA_ERROR_NONE) {
        r->configs.items = NULL;
        r->configs.count = -1;
        return true;
    }
    r->topic_id = info.id; /* all zero for validate_only, as Kafka answers */
    r->num_partitions = o.partitions;
    r->replication_factor = 1;
    if (req->api_version >= 5)
        return fill_configs(req, &o.configs, r);
    return true;
}

void kgw_handle_create_topics(kgw_request_t *req) {
    const kafka_create_topics_request_t *rq = req->body;
    kafka_create_topics_response_t *rs = kgw_request_response(req);
    int32_t n = rq->topics.count > 0 ? rq->topics.count : 0;
    result_t *results = kgw_request_alloc(req, (size_t)n * sizeof(*results) + 1);
    if (!results) {
        admin_fail_nomem(req);
        return;
    }
    int32_t out = 0;
    for (int32_t i = 0; i < n; i++) {
        const want_t *w = &rq->topics.items[i];
        /* Kafka answers a name listed twice once, with INVALID_REQUEST. */
        int32_t first = i, count = 0;
        for (int32_t j = 0; j < n; j++) {
            if (kafka_str_equal(rq->topics.items[j].name, w->name)) {
                if (count == 0)
                    first = j;
                count++;
            }
        }
        if (first != i)
            continue;
        result_t *r = &results[out++];
        kafka_create_topics_response_creatable_topic_result_init(r);
        r->name = w->name;
        if (count > 1) {
            r->error_code = KAFKA_ERROR_INVALID_REQUEST;
            r->error_message = KAFKA_STR_LIT("Duplicate topic name in the request.");
            r->configs.count = -1;
            continue;
        }
        if (!create_one(req, w, rq->validate_only, r)) {
            admin_fail_nomem(req);
            return;
        }
    }
    rs->topics.items = results;
    rs->topics.count = out;
    kgw_request_respond(req);
}
