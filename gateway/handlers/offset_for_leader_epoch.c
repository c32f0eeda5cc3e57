/* OffsetForLeaderEpoch (v0-4). Every partition has had one leader epoch,
 * 0, since it was created: asking for it gives the log end offset; a later
 * epoch is unknown (-1/-1, as Kafka answers for an epoch it never had). */
#include "data_handlers.h"
#include "data_util.h"
#include "kafka/error_codes.h"
#include "kafka/msg/offset_for_leader_epoch_request.h"
#include "kafka/msg/offset_for_leader_epoch_response.h"

typedef kafka_offset_for_leader_epoch_response_epoch_end_offset_t part_resp_t;

void kgw_handle_offset_for_leader_epoch(kgw_request_t *req) {
    kgw_server_t *s = req->server;
    kgw_backend_t *be = s->backend;
    const kafka_offset_for_leader_epoch_request_t *rq = req->body;
    kafka_offset_for_leader_epoch_response_t *rs = kgw_request_response(req);

    int32_t ntopics = rq->topics.count > 0 ? rq->topics.count : 0;
    kafka_offset_for_leader_epoch_response_offset_for_leader_topic_result_t *trs =
        kgw_request_alloc(req, sizeof *trs * (size_t)(ntopics ? ntopics : 1));
    if (!trs) {
        kgw_request_fail_connection(req, "out of memory for an OffsetForLeaderEpoch response");
        return;
    }
    rs->topics.items = trs;
    rs->topics.count = ntopics;
    for (int32_t t = 0; t < ntopics; t++) {
        const kafka_offset_for_leader_epoch_request_offset_for_leader_topic_t *rt =
            &rq->topics.items[t];
        kafka_offset_for_leader_epoch_response_offset_for_leader_topic_result_t *tr = &trs[t];
        kafka_offset_for_leader_epoch_response_offset_for_leader_topic_result_init(tr);
        tr->topic = rt->topic;
        int32_t np = rt->partitions.count > 0 ? rt->partitions.count : 0;
        part_resp_t *prs = kgw_request_alloc(req, sizeof *prs * (size_t)(np ? np : 1));
        if (!prs) {
            kgw_request_fail_connection(req, "out of memory for an OffsetForLeaderEpoch response");
            return;
        }
        tr->partitions.items = prs;
        tr->partitions.count = np;
        kgw_topic_info_t info;
        int16_t topic_err = kgw_data_find_topic(s, rt->topic, &info);
        for (int32_t i = 0; i < np; i++) {
            const kafka_offset_for_leader_epoch_request_offset_for_leader_partition_t *rp =
                &rt->partitions.items[i];
            part_resp_t *r = &prs[i];
            kafka_offset_for_leader_epoch_response_epoch_end_offset_init(r);
            r->partition = rp->partition;
            r->leader_epoch = -1;
            r->end_offset = -1;
            int16_t e = topic_err;
            if (e == KAFKA_ERROR_NONE)
                e = kgw_data_check_partition(&info, rp->partition);
            if (e == KAFKA_ERROR_NONE && req->api_version >= 2)
                e = kgw_data_check_leader_epoch(rp->current_leader_epoch);
            int64_t log_start, hw;
            if (e == KAFKA_ERROR_NONE &&
                be->ops->offsets(be, info.name, rp->partition, &log_start, &hw) != 0)
                e = KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
            r->error_code = e;
            if (e == KAFKA_ERROR_NONE && rp->leader_epoch == KGW_DATA_LEADER_EPOCH) {
                r->leader_epoch = KGW_DATA_LEADER_EPOCH;
                r->end_offset = hw;
            }
        }
    }
    kgw_request_respond(req);
}
