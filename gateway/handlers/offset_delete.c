/* OffsetDelete (v0): not for topics the group is still consuming. */
#include "groups/glue.h"
#include "kafka/error_codes.h"
#include "kafka/msg/offset_delete_request.h"
#include "kafka/msg/offset_delete_response.h"

typedef kafka_offset_delete_response_offset_delete_response_topic_t topic_out_t;
typedef kafka_offset_delete_response_offset_delete_response_partition_t part_out_t;

void kgw_handle_offset_delete(kgw_request_t *req) {
    const kafka_offset_delete_request_t *rq = req->body;
    kafka_offset_delete_response_t *rs = kgw_request_response(req);
    if (rs == NULL) {
        kgw_request_respond(req);
        return;
    }
    int32_t nt = rq->topics.count > 0 ? rq->topics.count : 0, n = 0;
    for (int32_t i = 0; i < nt; i++)
        n += rq->topics.items[i].partitions.count > 0 ? rq->topics.items[i].partitions.count : 0;
    kgw_commit_part_t *parts = kgw_groups_array(req, (size_t)n, sizeof *parts);
    topic_out_t *ts = kgw_groups_array(req, (size_t)nt, sizeof *ts);
    if ((n > 0 && parts == NULL) || (nt > 0 && ts == NULL)) {
        kgw_request_fail_connection(req, "request arena exhausted");
        return;
    }
    int32_t k = 0;
    for (int32_t i = 0; i < nt; i++) {
        const char *topic = kgw_groups_cstr(req, rq->topics.items[i].name);
        for (int32_t j = 0; j < rq->topics.items[i].partitions.count; j++, k++)
            parts[k] = (kgw_commit_part_t){
                .topic = topic != NULL ? topic : "",
                .partition = rq->topics.items[i].partitions.items[j].partition_index,
            };
    }
    kgw_coord_t *c = kgw_groups_coord(req);
    const char *group_id = kgw_groups_cstr(req, rq->group_id);
    rs->error_code = c == NULL ? KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE
                               : kgw_coord_delete_offsets(c, group_id, parts, n);
    if (rs->error_code != KAFKA_ERROR_NONE) {
        kgw_request_respond(req);
        return;
    }
    k = 0;
    for (int32_t i = 0; i < nt; i++) {
        kafka_offset_delete_response_offset_delete_response_topic_init(&ts[i]);
        ts[i].name = rq->topics.items[i].name;
        int32_t np =
            rq->topics.items[i].partitions.count > 0 ? rq->topics.items[i].partitions.count : 0;
        part_out_t *ps = kgw_groups_array(req, (size_t)np, sizeof *ps);
        if (np > 0 && ps == NULL) {
            kgw_request_fail_connection(req, "request arena exhausted");
            return;
        }
        for (int32_t j = 0; j < np; j++, k++) {
            kafka_offset_delete_response_offset_delete_response_partition_init(&ps[j]);
            ps[j].partition_index = parts[k].partition;
            ps[j].error_code = parts[k].error;
        }
        ts[i].partitions.items = ps;
        ts[i].partitions.count = np;
    }
    rs->topics.items = ts;
    rs->topics.count = nt;
    kgw_request_respond(req);
}
