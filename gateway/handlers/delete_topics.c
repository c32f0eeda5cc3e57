/* DeleteTopics (v0-6): by name, and from v6 by topic id; the backend
 * removes the topic's data. */
#include <string.h>

#include "admin_handlers.h"
#include "admin_util.h"
#include "kafka/error_codes.h"
#include "kafka/msg/delete_topics_request.h"
#include "kafka/msg/delete_topics_response.h"

typedef kafka_delete_topics_response_deletable_topic_result_t result_t;

static void delete_by_name(kgw_request_t *req, kafka_str_t name, result_t *r) {
    kgw_backend_t *be = req->server->backend;
    char err[320];
    kgw_topic_info_t info;
    r->name = name;
    if (!admin_topic_name_valid(name, err, sizeof(err))) {
        /* A name that cannot exist is reported as unknown, as Kafka does. */
        r->error_code = KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    char *cname = admin_cstr(req, name);
    int rc = cname ? be->ops->get_topic(be, cname, &info) : KGW_ENOMEM;
    if (rc == 0) {
        r->topic_id = info.id;
        if (info.internal) {
            r->error_code = KAFKA_ERROR_INVALID_REQUEST;
            r->error_message = KAFKA_STR_LIT("Internal topics cannot be deleted.");
            return;
        }
        rc = be->ops->delete_topic(be, cname);
    }
    r->error_code = admin_backend_error(rc);
}

static void delete_by_id(kgw_request_t *req, kafka_uuid_t id, result_t *r) {
    kgw_backend_t *be = req->server->backend;
    kgw_topic_info_t info;
    r->topic_id = id;
    r->name = KAFKA_STR_NULL;
    if (be->ops->get_topic_by_id(be, id, &info) != 0) {
        r->error_code = KAFKA_ERROR_UNKNOWN_TOPIC_ID;
        return;
    }
    kafka_str_t name = admin_str(req, info.name);
    delete_by_name(req, name, r);
    if (r->error_code == KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION)
        r->error_code = KAFKA_ERROR_UNKNOWN_TOPIC_ID;
}

void kgw_handle_delete_topics(kgw_request_t *req) {
    const kafka_delete_topics_request_t *rq = req->body;
    kafka_delete_topics_response_t *rs = kgw_request_response(req);
    bool v6 = req->api_version >= 6;
    int32_t n = v6 ? rq->topics.count : rq->topic_names.count;
    if (n < 0)
        n = 0;
    result_t *results = kgw_request_alloc(req, (size_t)n * sizeof(*results) + 1);
    if (!results) {
        admin_fail_nomem(req);
        return;
    }
    for (int32_t i = 0; i < n; i++) {
        result_t *r = &results[i];
        kafka_delete_topics_response_deletable_topic_result_init(r);
        if (!v6) {
            delete_by_name(req, rq->topic_names.items[i], r);
            continue;
        }
        const kafka_delete_topics_request_delete_topic_state_t *t = &rq->topics.items[i];
        bool has_id = !kafka_uuid_is_zero(t->topic_id);
        if (t->name.len >= 0 && has_id) {
            r->name = t->name;
            r->topic_id = t->topic_id;
            r->error_code = KAFKA_ERROR_INVALID_REQUEST;
            r->error_message = KAFKA_STR_LIT("You may not specify both topic name and topic id.");
        } else if (t->name.len >= 0) {
            delete_by_name(req, t->name, r);
        } else if (has_id) {
            delete_by_id(req, t->topic_id, r);
        } else {
            r->name = KAFKA_STR_NULL;
            r->error_code = KAFKA_ERROR_INVALID_REQUEST;
            r->error_message = KAFKA_STR_LIT("Neither topic name nor topic id was given.");
        }
    }
    rs->responses.items = results;
    rs->responses.count = n;
    kgw_request_respond(req);
}
