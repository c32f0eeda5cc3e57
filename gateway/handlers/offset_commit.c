/* OffsetCommit (v0-9): generation and member checks (generation -1 for
 * commits from outside group management), durable before the answer. */
#include "groups/glue.h"
#include "kafka/error_codes.h"
#include "kafka/msg/offset_commit_request.h"
#include "kafka/msg/offset_commit_response.h"

typedef kafka_offset_commit_request_offset_commit_request_topic_t topic_in_t;
typedef kafka_offset_commit_response_offset_commit_response_topic_t topic_out_t;
typedef kafka_offset_commit_response_offset_commit_response_partition_t part_out_t;

static void on_committed(void *ctx, kgw_commit_part_t *parts, int32_t n) {
    kgw_request_t *req = ctx;
    const kafka_offset_commit_request_t *rq = req->body;
    kafka_offset_commit_response_t *rs = kgw_request_response(req);
    if (rs == NULL) {
        kgw_request_respond(req);
        return;
    }
    int32_t nt = rq->topics.count > 0 ? rq->topics.count : 0;
    topic_out_t *ts = kgw_groups_array(req, (size_t)nt, sizeof *ts);
    if (nt > 0 && ts == NULL) {
        kgw_request_fail_connection(req, "request arena exhausted");
        return;
    }
    int32_t k = 0;
    for (int32_t i = 0; i < nt; i++) {
        const topic_in_t *t = &rq->topics.items[i];
        kafka_offset_commit_response_offset_commit_response_topic_init(&ts[i]);
        ts[i].name = t->name;
        int32_t np = t->partitions.count > 0 ? t->partitions.count : 0;
        part_out_t *ps = kgw_groups_array(req, (size_t)np, sizeof *ps);
        if (np > 0 && ps == NULL) {
            kgw_request_fail_connection(req, "request arena exhausted");
            return;
        }
        for (int32_t j = 0; j < np && k < n; j++, k++) {
            kafka_offset_commit_response_offset_commit_response_partition_init(&ps[j]);
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

void kgw_handle_offset_commit(kgw_request_t *req) {
    const kafka_offset_commit_request_t *rq = req->body;
    int32_t nt = rq->topics.count > 0 ? rq->topics.count : 0;
    int32_t n = 0;
    for (int32_t i = 0; i < nt; i++)
        n += rq->topics.items[i].partitions.count > 0 ? rq->topics.items[i].partitions.count : 0;
    kgw_commit_part_t *parts = kgw_groups_array(req, (size_t)n, sizeof *parts);
    if (n > 0 && parts == NULL) {
        kgw_request_fail_connection(req, "request arena exhausted");
        return;
    }
    int32_t k = 0;
    for (int32_t i = 0; i < nt; i++) {
        const topic_in_t *t = &rq->topics.items[i];
        const char *topic = kgw_groups_cstr(req, t->name);
        for (int32_t j = 0; j < t->partitions.count; j++, k++) {
            const kafka_offset_commit_request_offset_commit_request_partition_t *p =
                &t->partitions.items[j];
            parts[k] = (kgw_commit_part_t){
                .topic = topic != NULL ? topic : "",
                .partition = p->partition_index,
                .offset = p->committed_offset,
                .leader_epoch = req->api_version >= 6 ? p->committed_leader_epoch : -1,
                .metadata = kgw_groups_cstr(req, p->committed_metadata),
            };
        }
    }
    kgw_coord_t *c = kgw_groups_coord(req);
    if (c == NULL) {
        for (int32_t i = 0; i < n; i++)
            parts[i].error = KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
        on_committed(req, parts, n);
        return;
    }
    const char *group_id = kgw_groups_cstr(req, rq->group_id);
    const char *member_id = kgw_groups_cstr(req, rq->member_id);
    kgw_commit_params_t p = {
        .group_id = group_id,
        .generation = req->api_version >= 1 ? rq->generation_id_or_member_epoch : -1,
        .member_id = member_id != NULL ? member_id : "",
        .instance_id = req->api_version >= 7 ? kgw_groups_cstr(req, rq->group_instance_id) : NULL,
        .retention_ms = req->api_version >= 2 && req->api_version <= 4 ? rq->retention_time_ms : -1,
        .parts = parts,
        .nparts = n,
    };
    kgw_coord_commit(c, &p, on_committed, req);
}
