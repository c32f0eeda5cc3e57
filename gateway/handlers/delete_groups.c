/* DeleteGroups (v0-2): only groups without members; their offsets go too. */
#include "groups/glue.h"
#include "kafka/error_codes.h"
#include "kafka/msg/delete_groups_request.h"
#include "kafka/msg/delete_groups_response.h"

void kgw_handle_delete_groups(kgw_request_t *req) {
    const kafka_delete_groups_request_t *rq = req->body;
    kafka_delete_groups_response_t *rs = kgw_request_response(req);
    if (rs == NULL) {
        kgw_request_respond(req);
        return;
    }
    kgw_coord_t *c = kgw_groups_coord(req);
    int32_t n = rq->groups_names.count > 0 ? rq->groups_names.count : 0;
    kafka_delete_groups_response_deletable_group_result_t *out =
        kgw_groups_array(req, (size_t)n, sizeof *out);
    if (n > 0 && out == NULL) {
        kgw_request_fail_connection(req, "request arena exhausted");
        return;
    }
    for (int32_t i = 0; i < n; i++) {
        kafka_delete_groups_response_deletable_group_result_init(&out[i]);
        out[i].group_id = rq->groups_names.items[i];
        const char *g = kgw_groups_cstr(req, rq->groups_names.items[i]);
        out[i].error_code =
            c == NULL ? KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE : kgw_coord_delete_group(c, g);
    }
    rs->results.items = out;
    rs->results.count = n;
    kgw_request_respond(req);
}
