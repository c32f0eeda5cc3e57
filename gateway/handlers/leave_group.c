/* LeaveGroup (v0-5): one member up to v2, a batch of members (by member id
 * or, for static members, by instance id) from v3. */
#include "groups/glue.h"
#include "kafka/error_codes.h"
#include "kafka/msg/leave_group_request.h"
#include "kafka/msg/leave_group_response.h"

void kgw_handle_leave_group(kgw_request_t *req) {
    const kafka_leave_group_request_t *rq = req->body;
    kafka_leave_group_response_t *rs = kgw_request_response(req);
    kgw_coord_t *c = kgw_groups_coord(req);
    if (rs == NULL) {
        kgw_request_respond(req);
        return;
    }
    bool batch = req->api_version >= 3;
    int32_t n = batch ? (rq->members.count > 0 ? rq->members.count : 0) : 1;
    kgw_leave_member_t *ms = kgw_groups_array(req, (size_t)n, sizeof *ms);
    if (n > 0 && ms == NULL) {
        kgw_request_fail_connection(req, "request arena exhausted");
        return;
    }
    for (int32_t i = 0; i < n; i++) {
        kafka_str_t mid = batch ? rq->members.items[i].member_id : rq->member_id;
        const char *m = kgw_groups_cstr(req, mid);
        ms[i].member_id = m != NULL ? m : "";
        ms[i].instance_id =
            batch ? kgw_groups_cstr(req, rq->members.items[i].group_instance_id) : NULL;
    }
    int16_t gerr = KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
    if (c != NULL) {
        const char *group_id = kgw_groups_cstr(req, rq->group_id);
        gerr = kgw_coord_leave(c, group_id != NULL ? group_id : "", ms, n);
    }
    if (!batch) {
        rs->error_code = gerr != KAFKA_ERROR_NONE ? gerr : ms[0].error;
        kgw_request_respond(req);
        return;
    }
    rs->error_code = gerr;
    if (gerr == KAFKA_ERROR_NONE && n > 0) {
        kafka_leave_group_response_member_response_t *out =
            kgw_groups_array(req, (size_t)n, sizeof *out);
        if (out == NULL) {
            kgw_request_fail_connection(req, "request arena exhausted");
            return;
        }
        for (int32_t i = 0; i < n; i++) {
            kafka_leave_group_response_member_response_init(&out[i]);
            out[i].member_id = rq->members.items[i].member_id;
            out[i].group_instance_id = rq->members.items[i].group_instance_id;
            out[i].error_code = ms[i].error;
        }
        rs->members.items = out;
        rs->members.count = n;
    }
    kgw_request_respond(req);
}
