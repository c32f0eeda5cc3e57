/* JoinGroup (v0-9): hands the request to the coordinator, which answers at
 * once (errors, MEMBER_ID_REQUIRED, a known member of a stable group) or
 * when the rebalance's join phase completes. */
#include "groups/glue.h"
#include "kafka/error_codes.h"
#include "kafka/msg/join_group_request.h"
#include "kafka/msg/join_group_response.h"

static void on_joined(void *ctx, const kgw_join_result_t *r) {
    kgw_request_t *req = ctx;
    kafka_join_group_response_t *rs = kgw_request_response(req);
    if (rs == NULL) {
        kgw_request_respond(req);
        return;
    }
    bool v7 = req->api_version >= 7;
    rs->error_code = r->error;
    rs->generation_id = r->generation;
    rs->protocol_type = kgw_groups_str(req, r->protocol_type);
    rs->protocol_name = kgw_groups_str(req, r->protocol_name != NULL ? r->protocol_name
                                            : v7                     ? NULL
                                                                     : "");
    rs->leader = kgw_groups_str(req, r->leader != NULL ? r->leader : "");
    rs->member_id = kgw_groups_str(req, r->member_id != NULL ? r->member_id : "");
    kafka_join_group_response_join_group_response_member_t *ms =
        kgw_groups_array(req, (size_t)r->nmembers, sizeof *ms);
    if (r->nmembers > 0 && ms == NULL) {
        kgw_request_fail_connection(req, "request arena exhausted");
        return;
    }
    for (int32_t i = 0; i < r->nmembers; i++) {
        kafka_join_group_response_join_group_response_member_init(&ms[i]);
        ms[i].member_id = kgw_groups_str(req, r->members[i].member_id);
        ms[i].group_instance_id = kgw_groups_str(req, r->members[i].instance_id);
        ms[i].metadata = kgw_groups_bytes(req, r->members[i].metadata, r->members[i].metadata_len);
    }
    rs->members.items = ms;
    rs->members.count = r->nmembers;
    kgw_request_respond(req);
}

void kgw_handle_join_group(kgw_request_t *req) {
    const kafka_join_group_request_t *rq = req->body;
    kgw_coord_t *c = kgw_groups_coord(req);
    kgw_join_result_t err = {.error = KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE, .generation = -1};
    if (c == NULL) {
        on_joined(req, &err);
        return;
    }
    int32_t n = rq->protocols.count > 0 ? rq->protocols.count : 0;
    kgw_protocol_in_t *ps = kgw_groups_array(req, (size_t)n, sizeof *ps);
    if (n > 0 && ps == NULL) {
        kgw_request_fail_connection(req, "request arena exhausted");
        return;
    }
    for (int32_t i = 0; i < n; i++) {
        const kafka_join_group_request_join_group_request_protocol_t *p = &rq->protocols.items[i];
        const char *name = kgw_groups_cstr(req, p->name);
        ps[i] = (kgw_protocol_in_t){name != NULL ? name : "", p->metadata.ptr, p->metadata.len};
    }
    const char *group_id = kgw_groups_cstr(req, rq->group_id);
    const char *member_id = kgw_groups_cstr(req, rq->member_id);
    const char *protocol_type = kgw_groups_cstr(req, rq->protocol_type);
    kgw_join_params_t p = {
        .group_id = group_id != NULL ? group_id : "",
        .member_id = member_id != NULL ? member_id : "",
        .instance_id = req->api_version >= 5 ? kgw_groups_cstr(req, rq->group_instance_id) : NULL,
        .client_id = kgw_groups_client_id(req),
        .client_host = kgw_groups_client_host(req),
        .protocol_type = protocol_type != NULL ? protocol_type : "",
        .session_timeout_ms = rq->session_timeout_ms,
        /* v0 has no rebalance timeout; Kafka uses the session timeout. */
        .rebalance_timeout_ms =
            req->api_version >= 1 ? rq->rebalance_timeout_ms : rq->session_timeout_ms,
        .protocols = ps,
        .nprotocols = n,
        .require_known_member_id = req->api_version >= 4,
    };
    kgw_coord_join(c, &p, on_joined, req);
}
