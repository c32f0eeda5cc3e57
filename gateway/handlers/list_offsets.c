/* ListOffsets (v0-9): earliest (-2), latest (-1), max timestamp (-3),
 * earliest local (-4, the log start here), latest tiered (-5, none: -1), or
 * the first offset whose timestamp is at least the one asked for. v0 answers
 * in the old array form. There are no transactions, so the last stable
 * offset is the high watermark whatever the isolation level. */
#include "data_handlers.h"
#include "data_util.h"
#include "kafka/error_codes.h"
#include "kafka/msg/list_offsets_request.h"
#include "kafka/msg/list_offsets_response.h"

#define TS_LATEST (-1)
#define TS_EARLIEST (-2)
#define TS_MAX (-3)
#define TS_EARLIEST_LOCAL (-4)
#define TS_LATEST_TIERED (-5)

typedef kafka_list_offsets_response_list_offsets_partition_response_t part_resp_t;

/* Offset and timestamp for one partition; returns a wire error code. */
static int16_t lookup(kgw_backend_t *be, const char *topic, int32_t partition, int64_t ts,
                      int64_t *offset, int64_t *timestamp) {
    int64_t log_start, hw;
    *offset = -1;
    *timestamp = -1;
    if (be->ops->offsets(be, topic, partition, &log_start, &hw) != 0)
        return KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
    switch (ts) {
    case TS_LATEST:
        *offset = hw;
        return KAFKA_ERROR_NONE;
    case TS_EARLIEST:
    case TS_EARLIEST_LOCAL:
        *offset = log_start;
        return KAFKA_ERROR_NONE;
    case TS_LATEST_TIERED:
        return KAFKA_ERROR_NONE;
    default:
        break;
    }
    int rc = be->ops->offset_for_timestamp(be, topic, partition, ts, offset, timestamp);
    if (rc != 0) {
        *offset = -1;
        *timestamp = -1;
        return rc == KGW_ENOTFOUND ? KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION
                                   : KAFKA_ERROR_KAFKA_STORAGE_ERROR;
    }
    if (*offset < 0)
        *timestamp = -1;
    return KAFKA_ERROR_NONE;
}

/* v0: up to max_num_offsets offsets, newest first, as Kafka's segment-based
 * answer; ours has at most the found offset and the log start. */
static void answer_v0(kgw_request_t *req, part_resp_t *r, int64_t ts, int64_t offset,
                      int64_t log_start, int64_t hw, int32_t max_num) {
    int64_t *v = kgw_request_alloc(req, sizeof *v * 2);
    if (!v || max_num <= 0) {
        r->old_style_offsets.count = 0;
        return;
    }
    int32_t n = 0;
    if (ts >= 0 && offset < 0)
        offset = hw; /* every record is older: only the end qualifies */
    v[n++] = offset;
    if (ts == TS_LATEST && max_num > 1 && log_start != offset)
        v[n++] = log_start;
    r->old_style_offsets.items = v;
    r->old_style_offsets.count = n;
}

void kgw_handle_list_offsets(kgw_request_t *req) {
    kgw_server_t *s = req->server;
    kgw_backend_t *be = s->backend;
    const kafka_list_offsets_request_t *rq = req->body;
    kafka_list_offsets_response_t *rs = kgw_request_response(req);
    int16_t v = req->api_version;

    int32_t ntopics = rq->topics.count > 0 ? rq->topics.count : 0;
    kafka_list_offsets_response_list_offsets_topic_response_t *trs =
        kgw_request_alloc(req, sizeof *trs * (size_t)(ntopics ? ntopics : 1));
    if (!trs) {
        kgw_request_fail_connection(req, "out of memory for a ListOffsets response");
        return;
    }
    rs->topics.items = trs;
    rs->topics.count = ntopics;
    for (int32_t t = 0; t < ntopics; t++) {
        const kafka_list_offsets_request_list_offsets_topic_t *rt = &rq->topics.items[t];
        kafka_list_offsets_response_list_offsets_topic_response_t *tr = &trs[t];
        kafka_list_offsets_response_list_offsets_topic_response_init(tr);
        tr->name = rt->name;
        int32_t np = rt->partitions.count > 0 ? rt->partitions.count : 0;
        part_resp_t *prs = kgw_request_alloc(req, sizeof *prs * (size_t)(np ? np : 1));
        if (!prs) {
            kgw_request_fail_connection(req, "out of memory for a ListOffsets response");
            return;
        }
        tr->partitions.items = prs;
        tr->partitions.count = np;
        kgw_topic_info_t info;
        int16_t topic_err = kgw_data_find_topic(s, rt->name, &info);
        for (int32_t i = 0; i < np; i++) {
            const kafka_list_offsets_request_list_offsets_partition_t *rp =
                &rt->partitions.items[i];
            part_resp_t *r = &prs[i];
            kafka_list_offsets_response_list_offsets_partition_response_init(r);
            r->partition_index = rp->partition_index;
            int16_t e = topic_err;
            if (e == KAFKA_ERROR_NONE)
                e = kgw_data_check_partition(&info, rp->partition_index);
            if (e == KAFKA_ERROR_NONE && v >= 4)
                e = kgw_data_check_leader_epoch(rp->current_leader_epoch);
            int64_t offset = -1, timestamp = -1, log_start = -1, hw = -1;
            if (e == KAFKA_ERROR_NONE && v == 0 &&
                be->ops->offsets(be, info.name, rp->partition_index, &log_start, &hw) != 0)
                e = KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
            if (e == KAFKA_ERROR_NONE)
                e = lookup(be, info.name, rp->partition_index, rp->timestamp, &offset, &timestamp);
            r->error_code = e;
            if (v == 0) {
                if (e == KAFKA_ERROR_NONE)
                    answer_v0(req, r, rp->timestamp, offset, log_start, hw, rp->max_num_offsets);
                continue;
            }
            r->offset = offset;
            r->timestamp = timestamp;
            if (v >= 4)
                r->leader_epoch = e == KAFKA_ERROR_NONE && offset >= 0 ? KGW_DATA_LEADER_EPOCH : -1;
        }
    }
    kgw_request_respond(req);
}
