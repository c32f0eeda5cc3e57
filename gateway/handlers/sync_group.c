/* SyncGroup (v0-5): the leader's assignments reach every member byte for
 * byte; followers wait for the leader. */
#include "groups/glue.h"
#include "kafka/error_codes.h"
#include "kafka/msg/sync_group_request.h"
#include "kafka/msg/sync_group_response.h"

static void on_synced(void *ctx, const kgw_sync_result_t *r) {
    kgw_request_t *req = ctx;
    kafka_sync_group_response_t *rs = kgw_request_response(req);
    if (rs == NULL) {
        kgw_request_respond(req);
        return;
    }
    rs->error_code = r->error;
    rs->protocol_type = kgw_groups_str(req, r->protocol_type);
    rs->protocol_name = kgw_groups_str(req, r->protocol_name);
    rs->assignment = kgw_groups_bytes(req, r->assignment, r->assignment_len);
    kgw_request_respond(req);
}

void kgw_handle_sync_group(kgw_request_t *req) {
    const kafka_sync_group_request_t *rq = req->body;
    kgw_coord_t *c = kgw_groups_coord(req);
    if (c == NULL) {
        on_synced(req, &(kgw_sync_result_t){.error = KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE});
        return;
    }
    int32_t n = rq->assignments.count > 0 ? rq->assignments.count : 0;
    kgw_assignment_in_t *as = kgw_groups_array(req, (size_t)n, sizeof *as);
    if (n > 0 && as == NULL) {
        kgw_request_fail_connection(req, "request arena exhausted");
        return;
    }
    for (int32_t i = 0; i < n; i++) {
        const kafka_sync_group_request_sync_group_request_assignment_t *a =
            &rq->assignments.items[i];
        const char *mid = kgw_groups_cstr(req, a->member_id);
        as[i] = (kgw_assignment_in_t){mid != NULL ? mid : "", a->assignment.ptr, a->assignment.len};
    }
    const char *group_id = kgw_groups_cstr(req, rq->group_id);
    const char *member_id = kgw_groups_cstr(req, rq->member_id);
    bool v5 = req->api_version >= 5;
    kgw_sync_params_t p = {
        .group_id = group_id != NULL ? group_id : "",
        .generation = rq->generation_id,
        .member_id = member_id != NULL ? member_id : "",
        .instance_id = req->api_version >= 3 ? kgw_groups_cstr(req, rq->group_instance_id) : NULL,
        .protocol_type = v5 ? kgw_groups_cstr(req, rq->protocol_type) : NULL,
        .protocol_name = v5 ? kgw_groups_cstr(req, rq->protocol_name) : NULL,
        .assignments = as,
        .nassignments = n,
    };
    kgw_coord_sync(c, &p, on_synced, req);
}
