/* Heartbeat (v0-4). */
#include "groups/glue.h"
#include "kafka/error_codes.h"
#include "kafka/msg/heartbeat_request.h"
#include "kafka/msg/heartbeat_response.h"

void kgw_handle_heartbeat(kgw_request_t *req) {
    const kafka_heartbeat_request_t *rq = req->body;
    kafka_heartbeat_response_t *rs = kgw_request_response(req);
    kgw_coord_t *c = kgw_groups_coord(req);
    if (rs == NULL) {
        kgw_request_respond(req);
        return;
    }
    if (c == NULL) {
        rs->error_code = KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
    } else {
        const char *group_id = kgw_groups_cstr(req, rq->group_id);
        const char *member_id = kgw_groups_cstr(req, rq->member_id);
        const char *instance_id =
            req->api_version >= 3 ? kgw_groups_cstr(req, rq->group_instance_id) : NULL;
        rs->error_code = kgw_coord_heartbeat(c, group_id != NULL ? group_id : "", rq->generation_id,
                                             member_id != NULL ? member_id : "", instance_id);
    }
    kgw_request_respond(req);
}
