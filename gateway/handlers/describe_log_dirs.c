/* DescribeLogDirs (v0-4): the backend's one log directory with the size of
 * each partition (all topics, or the requested partitions), and from v4 the
 * file system's total and usable bytes. */
#include <string.h>
#include <sys/statvfs.h>

#include "admin_handlers.h"
#include "admin_util.h"
#include "kafka/error_codes.h"
#include "kafka/msg/describe_log_dirs_request.h"
#include "kafka/msg/describe_log_dirs_response.h"

typedef kafka_describe_log_dirs_response_describe_log_dirs_topic_t topic_t;
typedef kafka_describe_log_dirs_response_describe_log_dirs_partition_t part_t;

/* Partitions grouped by topic, as the response nests them. */
typedef struct collector {
    kgw_request_t *req;
    const kafka_describe_log_dirs_request_t *rq;
    topic_t *topics;
    int32_t count, cap;
    bool nomem;
} collector_t;

static bool wanted(const kafka_describe_log_dirs_request_t *rq, const kgw_partition_size_t *p) {
    if (rq->topics.count < 0)
        return true;
    kafka_str_t name = kafka_str_from_cstr(p->topic);
    for (int32_t i = 0; i < rq->topics.count; i++) {
        const kafka_describe_log_dirs_request_describable_log_dir_topic_t *t = &rq->topics.items[i];
        if (!kafka_str_equal(t->topic, name))
            continue;
        for (int32_t j = 0; j < t->partitions.count; j++)
            if (t->partitions.items[j] == p->partition)
                return true;
    }
    return false;
}

static topic_t *topic_for(collector_t *c, const char *name) {
    kafka_str_t n = kafka_str_from_cstr(name);
    for (int32_t i = c->count - 1; i >= 0; i--)
        if (kafka_str_equal(c->topics[i].name, n))
            return &c->topics[i];
    if (c->count == c->cap) {
        int32_t cap = c->cap ? c->cap * 2 : 16;
        topic_t *items = kgw_request_alloc(c->req, (size_t)cap * sizeof(*items));
        if (!items)
            return NULL;
        if (c->count)
            memcpy(items, c->topics, (size_t)c->count * sizeof(*items));
        c->topics = items;
        c->cap = cap;
    }
    topic_t *t = &c->topics[c->count++];
    kafka_describe_log_dirs_response_describe_log_dirs_topic_init(t);
    t->name = admin_str(c->req, name);
    t->partitions.items = NULL;
    t->partitions.count = 0;
    return t;
}

static int collect(void *arg, const kgw_partition_size_t *p) {
    collector_t *c = arg;
    if (!wanted(c->rq, p))
        return 0;
    topic_t *t = topic_for(c, p->topic);
    if (!t) {
        c->nomem = true;
        return 1;
    }
    /* Partition arrays grow by doubling; a power-of-two count means full. */
    int32_t n = t->partitions.count;
    if (n == 0 || (n & (n - 1)) == 0) {
        size_t cap = n ? (size_t)n * 2 : 1;
        part_t *items = kgw_request_alloc(c->req, cap * sizeof(*items));
        if (!items) {
            c->nomem = true;
            return 1;
        }
        if (n)
            memcpy(items, t->partitions.items, (size_t)n * sizeof(*items));
        t->partitions.items = items;
    }
    part_t *pr = &t->partitions.items[n];
    kafka_describe_log_dirs_response_describe_log_dirs_partition_init(pr);
    pr->partition_index = p->partition;
    pr->partition_size = p->size_bytes;
    /* A single replica is never behind itself. */
    pr->offset_lag = 0;
    pr->is_future_key = false;
    t->partitions.count = n + 1;
    return 0;
}

void kgw_handle_describe_log_dirs(kgw_request_t *req) {
    const kafka_describe_log_dirs_request_t *rq = req->body;
    kafka_describe_log_dirs_response_t *rs = kgw_request_response(req);
    kgw_backend_t *be = req->server->backend;

    kafka_describe_log_dirs_response_describe_log_dirs_result_t *dir =
        kgw_request_alloc(req, sizeof(*dir));
    if (!dir) {
        admin_fail_nomem(req);
        return;
    }
    kafka_describe_log_dirs_response_describe_log_dirs_result_init(dir);
    const char *path = be->ops->log_dir ? be->ops->log_dir(be) : NULL;
    dir->log_dir = admin_str(req, path ? path : "");
    dir->error_code = KAFKA_ERROR_NONE;

    collector_t c = {req, rq, NULL, 0, 0, false};
    if (be->ops->list_partition_sizes) {
        int rc = be->ops->list_partition_sizes(be, collect, &c);
        if (c.nomem) {
            admin_fail_nomem(req);
            return;
        }
        if (rc < 0)
            dir->error_code = KAFKA_ERROR_KAFKA_STORAGE_ERROR;
    }
    dir->topics.items = c.topics;
    dir->topics.count = c.count;

    struct statvfs st;
    if (path && statvfs(path, &st) == 0) {
        dir->total_bytes = (int64_t)st.f_blocks * (int64_t)st.f_frsize;
        dir->usable_bytes = (int64_t)st.f_bavail * (int64_t)st.f_frsize;
    }
    rs->results.items = dir;
    rs->results.count = 1;
    rs->error_code = KAFKA_ERROR_NONE;
    kgw_request_respond(req);
}
