/* DeleteRecords (v0-2): moves each partition's log start offset up to the
 * requested offset (-1: the high watermark) and reports the new low
 * watermark. */
#include "admin_handlers.h"
#include "admin_util.h"
#include "kafka/error_codes.h"
#include "kafka/msg/delete_records_request.h"
#include "kafka/msg/delete_records_response.h"

typedef kafka_delete_records_response_delete_records_topic_result_t topic_result_t;
typedef kafka_delete_records_response_delete_records_partition_result_t part_result_t;

static void delete_one(kgw_backend_t *be, const char *topic, int32_t partitions,
                       const kafka_delete_records_request_delete_records_partition_t *p,
                       part_result_t *r) {
    int64_t log_start, hw;
    r->partition_index = p->partition_index;
    r->low_watermark = -1;
    if (!topic || p->partition_index < 0 || p->partition_index >= partitions ||
        be->ops->offsets(be, topic, p->partition_index, &log_start, &hw) != 0) {
        r->error_code = KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    int64_t offset = p->offset == -1 ? hw : p->offset;
    if (offset < 0 || offset > hw) {
        r->error_code = KAFKA_ERROR_OFFSET_OUT_OF_RANGE;
        return;
    }
    int64_t low = -1;
    int rc = be->ops->delete_records(be, topic, p->partition_index, offset, &low);
    r->error_code = admin_backend_error(rc);
    if (rc == 0)
        r->low_watermark = low;
}

void kgw_handle_delete_records(kgw_request_t *req) {
    const kafka_delete_records_request_t *rq = req->body;
    kafka_delete_records_response_t *rs = kgw_request_response(req);
    kgw_backend_t *be = req->server->backend;
    int32_t n = rq->topics.count > 0 ? rq->topics.count : 0;
    topic_result_t *results = kgw_request_alloc(req, (size_t)n * sizeof(*results) + 1);
    if (!results) {
        admin_fail_nomem(req);
        return;
    }
    for (int32_t i = 0; i < n; i++) {
        const kafka_delete_records_request_delete_records_topic_t *t = &rq->topics.items[i];
        topic_result_t *tr = &results[i];
        kafka_delete_records_response_delete_records_topic_result_init(tr);
        tr->name = t->name;
        char err[320];
        kgw_topic_info_t info;
        char *name =
            admin_topic_name_valid(t->name, err, sizeof(err)) ? admin_cstr(req, t->name) : NULL;
        if (name && be->ops->get_topic(be, name, &info) != 0)
            name = NULL;
        int32_t np = t->partitions.count > 0 ? t->partitions.count : 0;
        part_result_t *parts = kgw_request_alloc(req, (size_t)np * sizeof(*parts) + 1);
        if (!parts) {
            admin_fail_nomem(req);
            return;
        }
        for (int32_t j = 0; j < np; j++) {
            kafka_delete_records_response_delete_records_partition_result_init(&parts[j]);
            delete_one(be, name, name ? info.partitions : 0, &t->partitions.items[j], &parts[j]);
        }
        tr->partitions.items = parts;
        tr->partitions.count = np;
    }
    rs->topics.items = results;
    rs->topics.count = n;
    kgw_request_respond(req);
}
