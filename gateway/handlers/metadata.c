/* Metadata (v0-12): this node as the only broker and controller; all topics
 * or the requested ones (by name, or by id from v10), auto-creating unknown
 * names when the broker and the request allow it. */
#include <string.h>

#include "admin_handlers.h"
#include "admin_util.h"
#include "kafka/error_codes.h"
#include "kafka/msg/metadata_request.h"
#include "kafka/msg/metadata_response.h"

typedef kafka_metadata_response_metadata_response_topic_t topic_t;
typedef kafka_metadata_response_metadata_response_partition_t partition_t;

typedef struct md_ctx {
    kgw_request_t *req;
    int32_t *node_list; /* [node.id], shared by every partition's replica lists */
    bool with_topic_ops;
} md_ctx_t;

/* Fills a topic entry for an existing topic; false when out of memory. */
static bool fill_topic(md_ctx_t *c, topic_t *t, const kgw_topic_info_t *info) {
    int32_t node = c->req->server->config->node_id;
    t->error_code = KAFKA_ERROR_NONE;
    t->name = admin_str(c->req, info->name);
    t->topic_id = info->id;
    t->is_internal = info->internal;
    if (c->with_topic_ops)
        t->topic_authorized_operations = ADMIN_TOPIC_AUTHORIZED_OPERATIONS;
    int32_t n = info->partitions > 0 ? info->partitions : 0;
    partition_t *parts = kgw_request_alloc(c->req, (size_t)n * sizeof(*parts) + 1);
    if (!parts)
        return false;
    for (int32_t i = 0; i < n; i++) {
        kafka_metadata_response_metadata_response_partition_init(&parts[i]);
        parts[i].error_code = KAFKA_ERROR_NONE;
        parts[i].partition_index = i;
        parts[i].leader_id = node;
        /* One leader that never changes: epoch 0 (clients fence on it). */
        parts[i].leader_epoch = 0;
        parts[i].replica_nodes = (kafka_int32_array_t){c->node_list, 1};
        parts[i].isr_nodes = (kafka_int32_array_t){c->node_list, 1};
        parts[i].offline_replicas = (kafka_int32_array_t){NULL, 0};
    }
    t->partitions.items = parts;
    t->partitions.count = n;
    return true;
}

static void fill_error(topic_t *t, kafka_str_t name, int16_t error) {
    t->error_code = error;
    t->name = name;
    t->partitions.items = NULL;
    t->partitions.count = 0;
}

typedef struct all_topics {
    md_ctx_t *c;
    topic_t *items;
    int32_t count, cap;
    bool nomem;
} all_topics_t;

static int collect_topic(void *arg, const kgw_topic_info_t *info) {
    all_topics_t *a = arg;
    if (a->count == a->cap) {
        int32_t cap = a->cap ? a->cap * 2 : 16;
        topic_t *items = kgw_request_alloc(a->c->req, (size_t)cap * sizeof(*items));
        if (!items) {
            a->nomem = true;
            return 1;
        }
        if (a->count)
            memcpy(items, a->items, (size_t)a->count * sizeof(*items));
        a->items = items;
        a->cap = cap;
    }
    topic_t *t = &a->items[a->count++];
    kafka_metadata_response_metadata_response_topic_init(t);
    if (!fill_topic(a->c, t, info)) {
        a->nomem = true;
        return 1;
    }
    return 0;
}

/* Resolves one requested topic (by name, or by id when the name is null). */
static bool one_topic(md_ctx_t *c, bool allow_auto,
                      const kafka_metadata_request_metadata_request_topic_t *want, topic_t *t) {
    kgw_server_t *s = c->req->server;
    kgw_backend_t *be = s->backend;
    kgw_topic_info_t info;
    kafka_metadata_response_metadata_response_topic_init(t);

    if (want->name.len < 0) {
        /* By id. Only v12 may answer with a null name; Kafka refuses a
         * lookup by id before v12. */
        if (c->req->api_version < 12 || kafka_uuid_is_zero(want->topic_id)) {
            fill_error(t, c->req->api_version < 12 ? KAFKA_STR_LIT("") : KAFKA_STR_NULL,
                       KAFKA_ERROR_INVALID_REQUEST);
            t->topic_id = want->topic_id;
            return true;
        }
        if (be->ops->get_topic_by_id(be, want->topic_id, &info) != 0) {
            fill_error(t, KAFKA_STR_NULL, KAFKA_ERROR_UNKNOWN_TOPIC_ID);
            t->topic_id = want->topic_id;
            return true;
        }
        return fill_topic(c, t, &info);
    }

    char err[320];
    if (!admin_topic_name_valid(want->name, err, sizeof(err))) {
        fill_error(t, want->name, KAFKA_ERROR_INVALID_TOPIC_EXCEPTION);
        return true;
    }
    char *name = admin_cstr(c->req, want->name);
    if (!name)
        return false;
    int rc = be->ops->get_topic(be, name, &info);
    if (rc == 0)
        return fill_topic(c, t, &info);
    if (rc != KGW_ENOTFOUND) {
        fill_error(t, want->name, admin_backend_error(rc));
        return true;
    }
    if (!allow_auto || !s->config->auto_create_topics_enable) {
        fill_error(t, want->name, KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION);
        return true;
    }
    /* Kafka answers LEADER_NOT_AVAILABLE until its asynchronous leader
     * election finishes. Creation here is synchronous and the partitions
     * are led at once, so the topic is returned ready: librdkafka and
     * kafka-python then produce without another metadata round trip. */
    int16_t ec = admin_auto_create_topic(s, name, &info);
    if (ec != KAFKA_ERROR_NONE) {
        fill_error(t, want->name, ec);
        return true;
    }
    return fill_topic(c, t, &info);
}

void kgw_handle_metadata(kgw_request_t *req) {
    const kafka_metadata_request_t *rq = req->body;
    kafka_metadata_response_t *rs = kgw_request_response(req);
    kgw_server_t *s = req->server;
    const kgw_config_t *cfg = s->config;
    int16_t v = req->api_version;

    int32_t *node_list = kgw_request_alloc(req, sizeof(int32_t));
    kafka_metadata_response_metadata_response_broker_t *broker =
        kgw_request_alloc(req, sizeof(*broker));
    if (!node_list || !broker) {
        admin_fail_nomem(req);
        return;
    }
    node_list[0] = cfg->node_id;
    kafka_metadata_response_metadata_response_broker_init(broker);
    broker->node_id = cfg->node_id;
    broker->host = kafka_str_from_cstr(cfg->advertised_host);
    broker->port = cfg->advertised_port;
    broker->rack = KAFKA_STR_NULL;
    rs->brokers.items = broker;
    rs->brokers.count = 1;
    rs->cluster_id = kafka_str_from_cstr(s->cluster_id);
    rs->controller_id = cfg->node_id;
    if (v >= 8 && v <= 10 && rq->include_cluster_authorized_operations)
        rs->cluster_authorized_operations = ADMIN_CLUSTER_AUTHORIZED_OPERATIONS;

    md_ctx_t c = {req, node_list, v >= 8 && rq->include_topic_authorized_operations};
    /* v0 has no null list: an empty one means every topic. From v1 an empty
     * list means none. */
    bool all = rq->topics.count < 0 || (v == 0 && rq->topics.count == 0);
    /* Before v4 there is no flag and Kafka always auto-creates. */
    bool allow_auto = v < 4 || rq->allow_auto_topic_creation;

    if (all) {
        all_topics_t a = {&c, NULL, 0, 0, false};
        s->backend->ops->list_topics(s->backend, collect_topic, &a);
        if (a.nomem) {
            admin_fail_nomem(req);
            return;
        }
        rs->topics.items = a.items;
        rs->topics.count = a.count;
    } else {
        int32_t n = rq->topics.count;
        topic_t *items = kgw_request_alloc(req, (size_t)n * sizeof(*items) + 1);
        if (!items) {
            admin_fail_nomem(req);
            return;
        }
        for (int32_t i = 0; i < n; i++) {
            if (!one_topic(&c, allow_auto, &rq->topics.items[i], &items[i])) {
                admin_fail_nomem(req);
                return;
            }
        }
        rs->topics.items = items;
        rs->topics.count = n;
    }
    kgw_request_respond(req);
}
