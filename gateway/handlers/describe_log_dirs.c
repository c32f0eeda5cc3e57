/* DescribeLogDirs (v0-4): one result per log directory of the backend, each
 * with the size of the partitions it holds (all topics, or the requested
 * partitions), and from v4 that file system's total and usable bytes. */
#include <string.h>
#include <sys/statvfs.h>

#include "admin_handlers.h"
#include "admin_util.h"
#include "kafka/error_codes.h"
#include "kafka/msg/describe_log_dirs_request.h"
#include "kafka/msg/describe_log_dirs_response.h"

typedef kafka_describe_log_dirs_response_describe_log_dirs_result_t result_t;
typedef kafka_describe_log_dirs_response_describe_log_dirs_topic_t topic_t;
typedef kafka_describe_log_dirs_response_describe_log_dirs_partition_t part_t;

/* One log dir's partitions, grouped by topic as the response nests them. */
typedef struct dir_acc {
    const char *path;
    topic_t *topics;
    int32_t count, cap;
} dir_acc_t;

typedef struct collector {
    kgw_request_t *req;
    const kafka_describe_log_dirs_request_t *rq;
    dir_acc_t *dirs;
    int32_t ndirs, capdirs;
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

/* Arena arrays grow by doubling into a fresh block (the arena never frees). */
static void *grow(kgw_request_t *req, void *items, int32_t count, int32_t *cap, size_t size) {
    if (count < *cap)
        return items;
    int32_t ncap = *cap ? *cap * 2 : 4;
    void *n = kgw_request_alloc(req, (size_t)ncap * size);
    if (!n)
        return NULL;
    if (count)
        memcpy(n, items, (size_t)count * size);
    *cap = ncap;
    return n;
}

static int add_dir(void *arg, const char *path) {
    collector_t *c = arg;
    dir_acc_t *dirs = grow(c->req, c->dirs, c->ndirs, &c->capdirs, sizeof *dirs);
    if (!dirs) {
        c->nomem = true;
        return 1;
    }
    c->dirs = dirs;
    c->dirs[c->ndirs++] = (dir_acc_t){path, NULL, 0, 0};
    return 0;
}

static dir_acc_t *dir_for(collector_t *c, const char *path) {
    for (int32_t i = 0; path && i < c->ndirs; i++)
        if (strcmp(c->dirs[i].path, path) == 0)
            return &c->dirs[i];
    return NULL;
}

static topic_t *topic_for(collector_t *c, dir_acc_t *d, const char *name) {
    kafka_str_t n = kafka_str_from_cstr(name);
    for (int32_t i = d->count - 1; i >= 0; i--)
        if (kafka_str_equal(d->topics[i].name, n))
            return &d->topics[i];
    topic_t *items = grow(c->req, d->topics, d->count, &d->cap, sizeof *items);
    if (!items)
        return NULL;
    d->topics = items;
    topic_t *t = &d->topics[d->count++];
    kafka_describe_log_dirs_response_describe_log_dirs_topic_init(t);
    t->name = admin_str(c->req, name);
    t->partitions.items = NULL;
    t->partitions.count = 0;
    return t;
}

static int collect(void *arg, const kgw_partition_size_t *p) {
    collector_t *c = arg;
    dir_acc_t *d = dir_for(c, p->log_dir);
    if (!d || !wanted(c->rq, p))
        return 0;
    topic_t *t = topic_for(c, d, p->topic);
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

static void fill_result(kgw_request_t *req, result_t *r, const dir_acc_t *d, int16_t error) {
    kafka_describe_log_dirs_response_describe_log_dirs_result_init(r);
    r->log_dir = admin_str(req, d->path);
    r->error_code = error;
    r->topics.items = d->topics;
    r->topics.count = d->count;
    struct statvfs st;
    if (statvfs(d->path, &st) == 0) {
        r->total_bytes = (int64_t)st.f_blocks * (int64_t)st.f_frsize;
        r->usable_bytes = (int64_t)st.f_bavail * (int64_t)st.f_frsize;
    }
}

void kgw_handle_describe_log_dirs(kgw_request_t *req) {
    const kafka_describe_log_dirs_request_t *rq = req->body;
    kafka_describe_log_dirs_response_t *rs = kgw_request_response(req);
    kgw_backend_t *be = req->server->backend;

    collector_t c = {req, rq, NULL, 0, 0, false};
    if (be->ops->list_log_dirs)
        be->ops->list_log_dirs(be, add_dir, &c);
    int16_t error = KAFKA_ERROR_NONE;
    if (!c.nomem && c.ndirs > 0 && be->ops->list_partition_sizes &&
        be->ops->list_partition_sizes(be, collect, &c) < 0)
        error = KAFKA_ERROR_KAFKA_STORAGE_ERROR;
    result_t *results = c.ndirs ? kgw_request_alloc(req, (size_t)c.ndirs * sizeof *results) : NULL;
    if (c.nomem || (c.ndirs && !results)) {
        admin_fail_nomem(req);
        return;
    }
    for (int32_t i = 0; i < c.ndirs; i++)
        fill_result(req, &results[i], &c.dirs[i], error);
    rs->results.items = results;
    rs->results.count = c.ndirs;
    rs->error_code = KAFKA_ERROR_NONE;
    kgw_request_respond(req);
}
