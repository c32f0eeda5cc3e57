/* Produce (v0-11): validate each partition's records as Kafka's log
 * validator does, convert magic 0/1 message sets to v2 batches, append
 * through the backend and answer once every append has completed. acks=0
 * gets no response frame; if any partition failed, the connection is closed
 * instead, which is how Kafka tells an acks=0 producer something went wrong. */
#include <stdlib.h>
#include <string.h>

#include "data_handlers.h"
#include "data_util.h"
#include "kafka/error_codes.h"
#include "kafka/legacy_records.h"
#include "kafka/msg/produce_request.h"
#include "kafka/msg/produce_response.h"
#include "kafka/records.h"

/* Compressed batches are small on the wire but may hold far more; this caps
 * what one batch may decompress to while it is validated or converted. */
#define PRODUCE_DECOMPRESS_FLOOR (64u << 20)

typedef kafka_produce_response_partition_produce_response_t part_resp_t;

typedef struct produce_op produce_op_t;

typedef struct produce_slot {
    produce_op_t *op;
    part_resp_t *resp;
} produce_slot_t;

/* Heap-allocated: an acks=0 request completes before its appends do, so the
 * append callbacks must not depend on the request's arena. */
struct produce_op {
    kgw_request_t *req; /* NULL once the request has completed */
    size_t pending;     /* outstanding appends, +1 while dispatching */
    size_t nslots;
    produce_slot_t slots[];
};

static void op_release(produce_op_t *op) {
    if (--op->pending > 0)
        return;
    if (op->req)
        kgw_request_respond(op->req);
    free(op);
}

static void set_error(kgw_request_t *req, part_resp_t *r, int16_t code, const char *msg,
                      int32_t record_index) {
    r->error_code = code;
    r->base_offset = -1;
    r->log_append_time_ms = -1;
    r->log_start_offset = -1;
    if (req->api_version < 8 || code == KAFKA_ERROR_NONE)
        return;
    if (msg)
        r->error_message = kafka_str_from_cstr(msg);
    if (record_index >= 0) {
        kafka_produce_response_batch_index_and_error_message_t *e =
            kgw_request_alloc(req, sizeof *e);
        if (!e)
            return;
        kafka_produce_response_batch_index_and_error_message_init(e);
        e->batch_index = record_index;
        if (msg)
            e->batch_index_error_message = kafka_str_from_cstr(msg);
        r->record_errors.items = e;
        r->record_errors.count = 1;
    }
}

static void on_append(void *arg, const kgw_append_result_t *res) {
    produce_slot_t *slot = arg;
    produce_op_t *op = slot->op;
    if (op->req) {
        part_resp_t *r = slot->resp;
        if (res->error != KAFKA_ERROR_NONE) {
            set_error(op->req, r, res->error, res->error_message, -1);
        } else {
            r->error_code = KAFKA_ERROR_NONE;
            r->base_offset = res->base_offset;
            r->log_append_time_ms = res->log_append_time;
            r->log_start_offset = res->log_start_offset;
        }
    }
    op_release(op);
}

static size_t decompress_limit(int64_t max_message_bytes) {
    uint64_t limit = (uint64_t)max_message_bytes * 16;
    if (limit < PRODUCE_DECOMPRESS_FLOOR)
        limit = PRODUCE_DECOMPRESS_FLOOR;
    return limit > SIZE_MAX ? SIZE_MAX : (size_t)limit;
}

/* Validates (and for magic 0/1 converts) one partition's records and queues
 * the append. Returns true when the append was queued. */
static bool produce_partition(kgw_request_t *req, produce_op_t *op, produce_slot_t *slot,
                              const kgw_topic_info_t *topic, const kgw_data_topic_limits_t *lim,
                              const kafka_produce_request_partition_produce_data_t *pd,
                              int16_t acks) {
    kgw_backend_t *be = req->server->backend;
    part_resp_t *r = slot->resp;
    const uint8_t *data = pd->records.ptr;
    size_t len = pd->records.len > 0 ? (size_t)pd->records.len : 0;

    kafka_validate_opts_t vo;
    kafka_validate_opts_init(&vo);
    vo.produce_version = req->api_version;
    vo.max_message_bytes = (size_t)lim->max_message_bytes;
    vo.decompress_limit = decompress_limit(lim->max_message_bytes);
    vo.compacted = lim->compacted;
    vo.now_ms = kgw_data_now_ms();
    vo.topic_log_append_time = lim->log_append_time;
    kafka_validate_info_t info;
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    if (kafka_records_validate(data, len, &vo, &info, &err) != 0) {
        int16_t code = kafka_rec_err_wire(&err);
        set_error(req, r, code ? code : KAFKA_ERROR_CORRUPT_MESSAGE, err.reason, err.record_index);
        return false;
    }
    if (info.transactional) {
        /* No transaction coordinator, so no transaction can be ongoing: a
         * Kafka leader refuses such a batch the same way. */
        set_error(req, r, KAFKA_ERROR_INVALID_TXN_STATE,
                  "transactions are not supported by this broker", -1);
        return false;
    }

    kafka_buf_t converted = KAFKA_BUF_INIT;
    if (info.magic != KAFKA_MAGIC_V2) {
        kafka_convert_opts_t co;
        kafka_convert_opts_init(&co);
        co.decompress_limit = vo.decompress_limit;
        kafka_rec_err_clear(&err);
        if (kafka_legacy_to_v2(data, len, &co, &converted, &err) != 0) {
            kafka_buf_free(&converted);
            int16_t code = kafka_rec_err_wire(&err);
            set_error(req, r, code ? code : KAFKA_ERROR_CORRUPT_MESSAGE, err.reason, -1);
            return false;
        }
        data = converted.ptr;
        len = converted.len;
    }
    op->pending++;
    /* The backend copies the bytes before append returns. */
    be->ops->append(be, topic->name, pd->index, data, len, acks, on_append, slot);
    kafka_buf_free(&converted);
    return true;
}

void kgw_handle_produce(kgw_request_t *req) {
    kgw_server_t *s = req->server;
    const kafka_produce_request_t *rq = req->body;
    kafka_produce_response_t *rs = kgw_request_response(req);
    int16_t acks = rq->acks;
    bool acks_ok = acks == 0 || acks == 1 || acks == -1;

    int32_t ntopics = rq->topic_data.count > 0 ? rq->topic_data.count : 0;
    size_t nparts = 0;
    for (int32_t t = 0; t < ntopics; t++)
        if (rq->topic_data.items[t].partition_data.count > 0)
            nparts += (size_t)rq->topic_data.items[t].partition_data.count;

    kafka_produce_response_topic_produce_response_t *topics =
        kgw_request_alloc(req, sizeof *topics * (size_t)(ntopics ? ntopics : 1));
    part_resp_t *parts = kgw_request_alloc(req, sizeof *parts * (nparts ? nparts : 1));
    produce_op_t *op = malloc(sizeof *op + sizeof op->slots[0] * nparts);
    if (!topics || !parts || !op) {
        free(op);
        kgw_request_fail_connection(req, "out of memory for a produce response");
        return;
    }
    op->req = req;
    op->pending = 1;
    op->nslots = nparts;
    rs->responses.items = topics;
    rs->responses.count = ntopics;

    bool any_error = false;
    size_t k = 0;
    for (int32_t t = 0; t < ntopics; t++) {
        const kafka_produce_request_topic_produce_data_t *td = &rq->topic_data.items[t];
        kafka_produce_response_topic_produce_response_t *tr = &topics[t];
        kafka_produce_response_topic_produce_response_init(tr);
        tr->name = td->name;
        int32_t np = td->partition_data.count > 0 ? td->partition_data.count : 0;
        tr->partition_responses.items = &parts[k];
        tr->partition_responses.count = np;

        kgw_topic_info_t info;
        int16_t topic_err =
            acks_ok ? kgw_data_find_topic(s, td->name, &info) : KAFKA_ERROR_INVALID_REQUIRED_ACKS;
        /* Internal topics (committed offsets, ...) are written by the
         * broker itself, never by clients, as in Kafka. */
        if (topic_err == KAFKA_ERROR_NONE && info.internal)
            topic_err = KAFKA_ERROR_INVALID_TOPIC_EXCEPTION;
        kgw_data_topic_limits_t lim;
        if (topic_err == KAFKA_ERROR_NONE)
            kgw_data_topic_limits(s, info.name, &lim);
        for (int32_t p = 0; p < np; p++, k++) {
            const kafka_produce_request_partition_produce_data_t *pd = &td->partition_data.items[p];
            produce_slot_t *slot = &op->slots[k];
            slot->op = op;
            slot->resp = &parts[k];
            kafka_produce_response_partition_produce_response_init(slot->resp);
            slot->resp->index = pd->index;
            int16_t e = topic_err;
            if (e == KAFKA_ERROR_NONE)
                e = kgw_data_check_partition(&info, pd->index);
            if (e != KAFKA_ERROR_NONE) {
                set_error(req, slot->resp, e, NULL, -1);
                any_error = true;
                continue;
            }
            if (!produce_partition(req, op, slot, &info, &lim, pd, acks))
                any_error = true;
        }
    }

    if (acks == 0) {
        op->req = NULL;
        if (any_error)
            kgw_request_fail_connection(req, "acks=0 produce failed");
        else
            kgw_request_finish_silently(req);
    }
    op_release(op);
}
