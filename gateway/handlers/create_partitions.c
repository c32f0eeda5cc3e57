/* CreatePartitions (v0-3): grows a topic to a larger partition count;
 * assignments, when given, must place each new partition on this node. */
#include <stdio.h>
#include <string.h>

#include "admin_handlers.h"
#include "admin_util.h"
#include "kafka/error_codes.h"
#include "kafka/msg/create_partitions_request.h"
#include "kafka/msg/create_partitions_response.h"

typedef kafka_create_partitions_request_create_partitions_topic_t want_t;
typedef kafka_create_partitions_response_create_partitions_topic_result_t result_t;

static int16_t check_assignments(kgw_request_t *req, const want_t *w, int32_t current, char *msg,
                                 size_t msglen) {
    int32_t node = req->server->config->node_id;
    if (w->assignments.count < 0)
        return KAFKA_ERROR_NONE;
    if (w->assignments.count != w->count - current) {
        snprintf(msg, msglen,
                 "Increasing the number of partitions by %d but %d assignments "
                 "provided.",
                 (int)(w->count - current), (int)w->assignments.count);
        return KAFKA_ERROR_INVALID_REPLICA_ASSIGNMENT;
    }
    for (int32_t i = 0; i < w->assignments.count; i++) {
        const kafka_int32_array_t *ids = &w->assignments.items[i].broker_ids;
        if (ids->count != 1 || ids->items[0] != node) {
            snprintf(msg, msglen, "The manual partition assignment must name only broker %d.",
                     (int)node);
            return KAFKA_ERROR_INVALID_REPLICA_ASSIGNMENT;
        }
    }
    return KAFKA_ERROR_NONE;
}

static void grow(kgw_request_t *req, const want_t *w, bool validate_only, result_t *r) {
    kgw_backend_t *be = req->server->backend;
    char msg[400] = "";
    char err[320];
    kgw_topic_info_t info;
    int16_t ec = KAFKA_ERROR_NONE;
    char *name = NULL;

    if (!admin_topic_name_valid(w->name, err, sizeof(err)) || !(name = admin_cstr(req, w->name)) ||
        be->ops->get_topic(be, name, &info) != 0) {
        ec = KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
        snprintf(msg, sizeof(msg), "The topic '%.*s' does not exist.", (int)w->name.len,
                 w->name.ptr);
    } else if (w->count < info.partitions) {
        ec = KAFKA_ERROR_INVALID_PARTITIONS;
        snprintf(msg, sizeof(msg),
                 "Topic currently has %d partitions, which is higher than the requested %d.",
                 (int)info.partitions, (int)w->count);
    } else if (w->count == info.partitions) {
        ec = KAFKA_ERROR_INVALID_PARTITIONS;
        snprintf(msg, sizeof(msg), "Topic already has %d partitions.", (int)info.partitions);
    } else if (w->count > ADMIN_MAX_PARTITIONS) {
        ec = KAFKA_ERROR_INVALID_PARTITIONS;
        snprintf(msg, sizeof(msg), "At most %d partitions per topic.", ADMIN_MAX_PARTITIONS);
    } else {
        ec = check_assignments(req, w, info.partitions, msg, sizeof(msg));
    }
    if (ec == KAFKA_ERROR_NONE && !validate_only) {
        int rc = be->ops->create_partitions(be, name, w->count);
        if (rc != 0) {
            ec = admin_backend_error(rc);
            snprintf(msg, sizeof(msg), "The partitions could not be created.");
        }
    }
    r->error_code = ec;
    r->error_message = ec ? admin_str(req, msg) : KAFKA_STR_NULL;
}

void kgw_handle_create_partitions(kgw_request_t *req) {
    const kafka_create_partitions_request_t *rq = req->body;
    kafka_create_partitions_response_t *rs = kgw_request_response(req);
    int32_t n = rq->topics.count > 0 ? rq->topics.count : 0;
    result_t *results = kgw_request_alloc(req, (size_t)n * sizeof(*results) + 1);
    if (!results) {
        admin_fail_nomem(req);
        return;
    }
    for (int32_t i = 0; i < n; i++) {
        const want_t *w = &rq->topics.items[i];
        result_t *r = &results[i];
        kafka_create_partitions_response_create_partitions_topic_result_init(r);
        r->name = w->name;
        bool duplicate = false;
        for (int32_t j = 0; j < n; j++)
            if (j != i && kafka_str_equal(rq->topics.items[j].name, w->name))
                duplicate = true;
        if (duplicate) {
            r->error_code = KAFKA_ERROR_INVALID_REQUEST;
            r->error_message = KAFKA_STR_LIT("Duplicate topic in the request.");
            continue;
        }
        grow(req, w, rq->validate_only, r);
    }
    rs->results.items = results;
    rs->results.count = n;
    kgw_request_respond(req);
}
