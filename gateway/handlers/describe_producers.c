/* DescribeProducers (v0): the idempotent producers the backend tracks for
 * each partition. */
#include <stdlib.h>
#include <string.h>

#include "data_handlers.h"
#include "data_util.h"
#include "kafka/error_codes.h"
#include "kafka/msg/describe_producers_request.h"
#include "kafka/msg/describe_producers_response.h"

typedef kafka_describe_producers_response_producer_state_t producer_t;

typedef struct collect {
    kgw_request_t *req;
    producer_t *items;
    int32_t count;
    int32_t cap;
    bool oom;
} collect_t;

static int collect_one(void *arg, const kgw_producer_state_t *p) {
    collect_t *c = arg;
    if (c->count == c->cap) {
        int32_t cap = c->cap ? c->cap * 2 : 8;
        producer_t *items = kgw_request_alloc(c->req, sizeof *items * (size_t)cap);
        if (!items) {
            c->oom = true;
            return 1;
        }
        if (c->count)
            memcpy(items, c->items, sizeof *items * (size_t)c->count);
        c->items = items;
        c->cap = cap;
    }
    producer_t *o = &c->items[c->count++];
    kafka_describe_producers_response_producer_state_init(o);
    o->producer_id = p->producer_id;
    o->producer_epoch = p->producer_epoch;
    o->last_sequence = p->last_sequence;
    o->last_timestamp = p->last_timestamp;
    o->coordinator_epoch = p->coordinator_epoch;
    o->current_txn_start_offset = p->current_txn_start_offset;
    return 0;
}

void kgw_handle_describe_producers(kgw_request_t *req) {
    kgw_server_t *s = req->server;
    kgw_backend_t *be = s->backend;
    const kafka_describe_producers_request_t *rq = req->body;
    kafka_describe_producers_response_t *rs = kgw_request_response(req);

    int32_t ntopics = rq->topics.count > 0 ? rq->topics.count : 0;
    kafka_describe_producers_response_topic_response_t *trs =
        kgw_request_alloc(req, sizeof *trs * (size_t)(ntopics ? ntopics : 1));
    if (!trs)
        goto oom;
    rs->topics.items = trs;
    rs->topics.count = ntopics;
    for (int32_t t = 0; t < ntopics; t++) {
        const kafka_describe_producers_request_topic_request_t *rt = &rq->topics.items[t];
        kafka_describe_producers_response_topic_response_t *tr = &trs[t];
        kafka_describe_producers_response_topic_response_init(tr);
        tr->name = rt->name;
        int32_t np = rt->partition_indexes.count > 0 ? rt->partition_indexes.count : 0;
        kafka_describe_producers_response_partition_response_t *prs =
            kgw_request_alloc(req, sizeof *prs * (size_t)(np ? np : 1));
        if (!prs)
            goto oom;
        tr->partitions.items = prs;
        tr->partitions.count = np;
        kgw_topic_info_t info;
        int16_t topic_err = kgw_data_find_topic(s, rt->name, &info);
        for (int32_t i = 0; i < np; i++) {
            int32_t index = rt->partition_indexes.items[i];
            kafka_describe_producers_response_partition_response_t *r = &prs[i];
            kafka_describe_producers_response_partition_response_init(r);
            r->partition_index = index;
            int16_t e = topic_err;
            if (e == KAFKA_ERROR_NONE)
                e = kgw_data_check_partition(&info, index);
            collect_t c = {.req = req};
            if (e == KAFKA_ERROR_NONE &&
                be->ops->list_producers(be, info.name, index, collect_one, &c) != 0 && !c.oom)
                e = KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
            if (c.oom)
                goto oom;
            r->error_code = e;
            if (e == KAFKA_ERROR_NONE) {
                r->active_producers.items = c.items;
                r->active_producers.count = c.count;
            }
        }
    }
    kgw_request_respond(req);
    return;
oom:
    kgw_request_fail_connection(req, "out of memory for a DescribeProducers response");
}
