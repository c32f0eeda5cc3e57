/* Fetch (v0-17). Full fetches only: a request asking for an incremental
 * session (KIP-227) is answered with session id 0, as Kafka does when it
 * will not create one, so clients keep sending full fetches; a request that
 * names an existing session gets FETCH_SESSION_ID_NOT_FOUND. Batches are
 * returned as stored, down-converted to magic 0/1 for v0-3. A read that finds
 * fewer than MinBytes parks in fetch_wait.c. */
#include <stdlib.h>
#include <string.h>

#include "data_handlers.h"
#include "data_util.h"
#include "fetch_op.h"
#include "fetch_wait.h"
#include "kafka/error_codes.h"
#include "kafka/legacy_records.h"
#include "kafka/msg/fetch_request.h"
#include "kafka/records.h"

#define FETCH_ISOLATION_READ_COMMITTED 1
#define FETCH_FINAL_EPOCH (-1)
#define FETCH_INITIAL_EPOCH 0

static const uint8_t empty_records[1];

static void release_part(kgw_backend_t *be, kgw_fetch_part_t *p) {
    if (p->have_read) {
        be->ops->read_release(be, &p->read);
        p->have_read = false;
    }
    kafka_buf_free(&p->converted);
    p->converted = (kafka_buf_t)KAFKA_BUF_INIT;
}

static void op_free(void *arg) {
    kgw_fetch_op_t *op = arg;
    kgw_backend_t *be = op->backend;
    for (size_t i = 0; i < op->nparts; i++)
        release_part(be, &op->parts[i]);
    free(op->parts);
    free(op->topics);
    free(op);
}

bool kgw_fetch_wants(const kgw_fetch_op_t *op, const char *topic, int32_t partition) {
    for (size_t i = 0; i < op->nparts; i++) {
        const kgw_fetch_part_t *p = &op->parts[i];
        if (p->topic && p->error == KAFKA_ERROR_NONE && p->partition == partition &&
            strcmp(p->topic->name, topic) == 0)
            return true;
    }
    return false;
}

/* Length of the whole batches at the start of data that fit in limit; the
 * first one counts even when it does not fit if min_one (Kafka's rule that
 * a fetch always makes progress). */
static size_t whole_batches(const uint8_t *data, size_t len, size_t limit, bool min_one) {
    size_t pos = 0;
    while (len - pos >= KAFKA_LOG_OVERHEAD) {
        const uint8_t *h = data + pos + 8;
        uint32_t blen = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
        size_t size = KAFKA_LOG_OVERHEAD + (size_t)blen;
        if (size > len - pos)
            break;
        if (pos + size > limit && !(min_one && pos == 0))
            break;
        pos += size;
    }
    return pos;
}

static bool has_zstd(const uint8_t *data, size_t len) {
    kafka_batch_iter_t it;
    kafka_batch_t b;
    kafka_batch_iter_init(&it, data, len, KAFKA_RECORDS_SKIP_CRC | KAFKA_RECORDS_ALLOW_PARTIAL);
    while (kafka_batch_iter_next(&it, &b, NULL) == 1)
        if (kafka_batch_codec(&b) == KAFKA_CODEC_ZSTD)
            return true;
    return false;
}

static void part_error(kafka_fetch_response_partition_data_t *r, int16_t code) {
    r->error_code = code;
    r->high_watermark = -1;
    r->last_stable_offset = -1;
    r->log_start_offset = -1;
    r->records = (kafka_records_t){empty_records, 0};
}

/* Reads one partition into its response; returns the bytes it contributes,
 * or -1 when the partition is in error. */
static long read_part(kgw_fetch_op_t *op, kgw_fetch_part_t *p, size_t remaining, bool min_one) {
    kgw_request_t *req = op->req;
    kgw_backend_t *be = req->server->backend;
    kafka_fetch_response_partition_data_t *r = p->resp;
    int16_t version = req->api_version;

    release_part(be, p);
    r->records = (kafka_records_t){empty_records, 0};
    if (p->error != KAFKA_ERROR_NONE) {
        part_error(r, p->error);
        return -1;
    }
    int64_t log_start, hw;
    if (be->ops->offsets(be, p->topic->name, p->partition, &log_start, &hw) != 0) {
        part_error(r, KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION);
        return -1;
    }
    if (p->fetch_offset < log_start || p->fetch_offset > hw) {
        part_error(r, KAFKA_ERROR_OFFSET_OUT_OF_RANGE);
        return -1;
    }
    r->error_code = KAFKA_ERROR_NONE;
    r->high_watermark = hw;
    /* Without transactions everything below the high watermark is stable. */
    r->last_stable_offset = hw;
    r->log_start_offset = log_start;

    size_t limit = p->max_bytes > 0 ? (size_t)p->max_bytes : 0;
    if (limit > remaining)
        limit = remaining;
    if (p->fetch_offset == hw || (limit == 0 && !min_one))
        return 0;

    int rc = be->ops->read(be, p->topic->name, p->partition, p->fetch_offset, limit ? limit : 1,
                           &p->read);
    if (rc != 0) {
        part_error(r, rc == KGW_ENOTFOUND ? KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION
                                          : KAFKA_ERROR_KAFKA_STORAGE_ERROR);
        return -1;
    }
    p->have_read = true;
    if (p->read.error != KAFKA_ERROR_NONE) {
        int16_t e = p->read.error;
        release_part(be, p);
        part_error(r, e);
        return -1;
    }
    r->high_watermark = p->read.high_watermark;
    r->last_stable_offset = p->read.high_watermark;
    r->log_start_offset = p->read.log_start_offset;

    size_t len = whole_batches(p->read.data, p->read.len, limit, min_one);
    if (len == 0)
        return 0;
    if (version < 10 && has_zstd(p->read.data, len)) {
        /* A client too old to ask for zstd cannot read it either. */
        release_part(be, p);
        part_error(r, KAFKA_ERROR_UNSUPPORTED_COMPRESSION_TYPE);
        return -1;
    }
    if (version <= 3) {
        kafka_convert_opts_t co;
        kafka_convert_opts_init(&co);
        kafka_rec_err_t err;
        kafka_rec_err_clear(&err);
        int8_t magic = version <= 1 ? KAFKA_MAGIC_V0 : KAFKA_MAGIC_V1;
        if (kafka_v2_to_legacy(p->read.data, len, magic, &co, &p->converted, &err) != 0) {
            int16_t e = kafka_rec_err_wire(&err);
            release_part(be, p);
            part_error(r, e ? e : KAFKA_ERROR_UNKNOWN_SERVER_ERROR);
            return -1;
        }
        /* The legacy copy is all the response needs. */
        be->ops->read_release(be, &p->read);
        p->have_read = false;
        r->records = (kafka_records_t){p->converted.ptr ? p->converted.ptr : empty_records,
                                       (int32_t)p->converted.len};
        return (long)len;
    }
    r->records = (kafka_records_t){p->read.data, (int32_t)len};
    return (long)len;
}

size_t kgw_fetch_read_all(kgw_fetch_op_t *op, bool *errors) {
    size_t remaining = op->max_bytes > 0 ? (size_t)op->max_bytes : 0;
    size_t total = 0;
    bool min_one = true;
    *errors = false;
    for (size_t i = 0; i < op->nparts; i++) {
        long n = read_part(op, &op->parts[i], remaining, min_one);
        if (n < 0) {
            *errors = true;
            continue;
        }
        if (n > 0) {
            min_one = false;
            total += (size_t)n;
            remaining = (size_t)n >= remaining ? 0 : remaining - (size_t)n;
        }
    }
    return total;
}

/* Resolves a request topic to a backend topic (kept in op->topics) or an
 * error code. */
static int16_t resolve_topic(kgw_request_t *req, const kafka_fetch_request_fetch_topic_t *ft,
                             kgw_topic_info_t *out) {
    kgw_backend_t *be = req->server->backend;
    if (req->api_version >= 13) {
        if (kafka_uuid_is_zero(ft->topic_id) ||
            be->ops->get_topic_by_id(be, ft->topic_id, out) != 0)
            return KAFKA_ERROR_UNKNOWN_TOPIC_ID;
        return KAFKA_ERROR_NONE;
    }
    return kgw_data_find_topic(req->server, ft->topic, out);
}

static bool build_op(kgw_request_t *req, const kafka_fetch_request_t *rq,
                     kafka_fetch_response_t *rs, kgw_fetch_op_t *op) {
    int32_t ntopics = rq->topics.count > 0 ? rq->topics.count : 0;
    size_t nparts = 0;
    for (int32_t t = 0; t < ntopics; t++)
        if (rq->topics.items[t].partitions.count > 0)
            nparts += (size_t)rq->topics.items[t].partitions.count;

    op->topics = calloc(ntopics ? (size_t)ntopics : 1, sizeof *op->topics);
    op->parts = calloc(nparts ? nparts : 1, sizeof *op->parts);
    kafka_fetch_response_fetchable_topic_response_t *trs =
        kgw_request_alloc(req, sizeof *trs * (size_t)(ntopics ? ntopics : 1));
    kafka_fetch_response_partition_data_t *prs =
        kgw_request_alloc(req, sizeof *prs * (nparts ? nparts : 1));
    if (!op->topics || !op->parts || !trs || !prs)
        return false;
    op->ntopics = (size_t)ntopics;
    rs->responses.items = trs;
    rs->responses.count = ntopics;

    size_t k = 0;
    for (int32_t t = 0; t < ntopics; t++) {
        const kafka_fetch_request_fetch_topic_t *ft = &rq->topics.items[t];
        kafka_fetch_response_fetchable_topic_response_t *tr = &trs[t];
        kafka_fetch_response_fetchable_topic_response_init(tr);
        if (req->api_version >= 13)
            tr->topic_id = ft->topic_id;
        else
            tr->topic = ft->topic;
        int16_t topic_err = resolve_topic(req, ft, &op->topics[t]);
        int32_t np = ft->partitions.count > 0 ? ft->partitions.count : 0;
        tr->partitions.items = &prs[k];
        tr->partitions.count = np;
        for (int32_t i = 0; i < np; i++, k++) {
            const kafka_fetch_request_fetch_partition_t *fp = &ft->partitions.items[i];
            kgw_fetch_part_t *p = &op->parts[k];
            p->resp = &prs[k];
            kafka_fetch_response_partition_data_init(p->resp);
            p->resp->partition_index = fp->partition;
            if (rq->isolation_level == FETCH_ISOLATION_READ_COMMITTED)
                p->resp->aborted_transactions.count = 0;
            else
                p->resp->aborted_transactions.count = -1;
            p->partition = fp->partition;
            p->fetch_offset = fp->fetch_offset;
            p->max_bytes = fp->partition_max_bytes;
            p->error = topic_err;
            if (topic_err == KAFKA_ERROR_NONE) {
                p->topic = &op->topics[t];
                p->error = kgw_data_check_partition(p->topic, fp->partition);
            }
            if (p->error == KAFKA_ERROR_NONE)
                p->error = kgw_data_check_leader_epoch(fp->current_leader_epoch);
        }
    }
    op->nparts = k;
    return true;
}

void kgw_handle_fetch(kgw_request_t *req) {
    const kafka_fetch_request_t *rq = req->body;
    kafka_fetch_response_t *rs = kgw_request_response(req);
    rs->session_id = 0;

    if (req->api_version >= 7 && rq->session_epoch != FETCH_FINAL_EPOCH &&
        rq->session_epoch != FETCH_INITIAL_EPOCH) {
        /* An incremental fetch: we never handed out a session. */
        rs->error_code = KAFKA_ERROR_FETCH_SESSION_ID_NOT_FOUND;
        kgw_request_respond(req);
        return;
    }

    kgw_fetch_op_t *op = calloc(1, sizeof *op);
    if (!op) {
        kgw_request_fail_connection(req, "out of memory for a fetch");
        return;
    }
    op->req = req;
    op->backend = req->server->backend;
    kgw_request_on_free(req, op_free, op);
    op->max_bytes = req->api_version >= 3 ? rq->max_bytes : INT32_MAX;
    op->min_bytes = rq->min_bytes;
    op->max_wait_ms = rq->max_wait_ms;
    op->read_committed = rq->isolation_level == FETCH_ISOLATION_READ_COMMITTED;
    if (!build_op(req, rq, rs, op)) {
        kgw_request_fail_connection(req, "out of memory for a fetch");
        return;
    }

    /* The response may take this much until the client reads it. */
    size_t limit = 0;
    for (size_t i = 0; i < op->nparts; i++)
        limit += op->parts[i].max_bytes > 0 ? (size_t)op->parts[i].max_bytes : 0;
    if (op->max_bytes >= 0 && limit > (size_t)op->max_bytes)
        limit = (size_t)op->max_bytes;
    kgw_request_reserve(req, limit);

    bool errors = false;
    size_t bytes = kgw_fetch_read_all(op, &errors);
    if (op->max_wait_ms > 0 && op->nparts > 0 && !errors &&
        bytes < (size_t)(op->min_bytes > 0 ? op->min_bytes : 0) &&
        kgw_fetch_park(req->server->fetch_state, op))
        return;
    kgw_request_respond(req);
}
