/* OffsetFetch (v0-9): one group up to v7, several from v8; null topics ask
 * for every committed offset (v2+). A partition without a committed offset
 * gets -1. require_stable needs nothing: there are no pending transactional
 * offsets. */
#include <stdlib.h>
#include <string.h>

#include "groups/glue.h"
#include "kafka/error_codes.h"
#include "kafka/msg/offset_fetch_request.h"
#include "kafka/msg/offset_fetch_response.h"

typedef struct fpart {
    int32_t partition;
    int64_t offset;
    int32_t epoch;
    const char *metadata;
    int16_t error;
} fpart_t;

typedef struct ftopic {
    kafka_str_t name;
    fpart_t *parts;
    int32_t n;
} ftopic_t;

typedef struct fgroup {
    int16_t error;
    ftopic_t *topics;
    int32_t n;
} fgroup_t;

typedef struct collect {
    kgw_request_t *req;
    ftopic_t *topics;
    int32_t n, cap;
    bool oom;
} collect_t;

static int on_offset(void *arg, const kgw_offset_view_t *o) {
    collect_t *cl = arg;
    ftopic_t *t = cl->n > 0 ? &cl->topics[cl->n - 1] : NULL;
    if (t == NULL || (size_t)t->name.len != strlen(o->topic) ||
        memcmp(t->name.ptr, o->topic, (size_t)t->name.len) != 0) {
        if (cl->n == cl->cap) {
            int32_t cap = cl->cap ? cl->cap * 2 : 8;
            ftopic_t *nt = realloc(cl->topics, (size_t)cap * sizeof *nt);
            if (nt == NULL) {
                cl->oom = true;
                return 1;
            }
            cl->topics = nt;
            cl->cap = cap;
        }
        t = &cl->topics[cl->n++];
        *t = (ftopic_t){kgw_groups_str(cl->req, o->topic), NULL, 0};
    }
    /* Partitions of one topic arrive together, so growing the last topic's
     * array in the arena is a copy per doubling. */
    if ((t->n & (t->n - 1)) == 0) {
        fpart_t *np = kgw_groups_array(cl->req, (size_t)(t->n ? t->n * 2 : 1), sizeof *np);
        if (np == NULL) {
            cl->oom = true;
            return 1;
        }
        if (t->n > 0)
            memcpy(np, t->parts, (size_t)t->n * sizeof *np);
        t->parts = np;
    }
    t->parts[t->n++] = (fpart_t){o->partition, o->offset, o->leader_epoch,
                                 kgw_groups_str(cl->req, o->metadata).ptr, 0};
    return 0;
}

/* names/parts: the requested topics, or ntopics < 0 for all of them. */
static int fill_group(kgw_request_t *req, kgw_coord_t *c, const char *group_id,
                      const kafka_str_t *names, const kafka_int32_array_t *const *parts,
                      int32_t ntopics, fgroup_t *out) {
    out->error = KAFKA_ERROR_NONE;
    if (c == NULL)
        out->error = KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
    if (ntopics < 0) {
        out->n = 0;
        if (c == NULL)
            return 0;
        collect_t cl = {req, NULL, 0, 0, false};
        kgw_coord_fetch_all(c, group_id, on_offset, &cl);
        out->topics = kgw_groups_array(req, (size_t)cl.n, sizeof *out->topics);
        if (cl.oom || (cl.n > 0 && out->topics == NULL)) {
            free(cl.topics);
            return -1;
        }
        if (cl.n > 0)
            memcpy(out->topics, cl.topics, (size_t)cl.n * sizeof *out->topics);
        out->n = cl.n;
        free(cl.topics);
        return 0;
    }
    out->n = ntopics;
    out->topics = kgw_groups_array(req, (size_t)ntopics, sizeof *out->topics);
    if (ntopics > 0 && out->topics == NULL)
        return -1;
    for (int32_t i = 0; i < ntopics; i++) {
        ftopic_t *t = &out->topics[i];
        t->name = names[i];
        t->n = parts[i]->count > 0 ? parts[i]->count : 0;
        t->parts = kgw_groups_array(req, (size_t)t->n, sizeof *t->parts);
        if (t->n > 0 && t->parts == NULL)
            return -1;
        const char *topic = kgw_groups_cstr(req, names[i]);
        for (int32_t j = 0; j < t->n; j++) {
            kgw_offset_view_t v = {topic, parts[i]->items[j], -1, -1, ""};
            if (c != NULL && topic != NULL)
                kgw_coord_fetch_offset(c, group_id, topic, parts[i]->items[j], &v);
            t->parts[j] = (fpart_t){parts[i]->items[j], v.offset, v.leader_epoch,
                                    kgw_groups_str(req, v.metadata).ptr, out->error};
        }
    }
    return 0;
}

static kafka_str_t str_of(const char *s) {
    return (kafka_str_t){s != NULL ? s : "", s != NULL ? (int32_t)strlen(s) : 0};
}

static int respond_v0_7(kgw_request_t *req, kgw_coord_t *c) {
    const kafka_offset_fetch_request_t *rq = req->body;
    kafka_offset_fetch_response_t *rs = kgw_request_response(req);
    if (rs == NULL)
        return 0;
    int32_t nt = rq->topics.count;
    const kafka_str_t *names = NULL;
    const kafka_int32_array_t **parts = NULL;
    if (nt > 0) {
        kafka_str_t *nm = kgw_groups_array(req, (size_t)nt, sizeof *nm);
        const kafka_int32_array_t **ps = kgw_groups_array(req, (size_t)nt, sizeof *ps);
        if (nm == NULL || ps == NULL)
            return -1;
        for (int32_t i = 0; i < nt; i++) {
            nm[i] = rq->topics.items[i].name;
            ps[i] = &rq->topics.items[i].partition_indexes;
        }
        names = nm;
        parts = ps;
    }
    const char *group_id = kgw_groups_cstr(req, rq->group_id);
    fgroup_t g;
    if (fill_group(req, c, group_id != NULL ? group_id : "", names, parts, nt < 0 ? -1 : nt, &g) <
        0)
        return -1;
    rs->error_code = g.error;
    typedef kafka_offset_fetch_response_offset_fetch_response_topic_t topic_out_t;
    typedef kafka_offset_fetch_response_offset_fetch_response_partition_t part_out_t;
    topic_out_t *ts = kgw_groups_array(req, (size_t)g.n, sizeof *ts);
    if (g.n > 0 && ts == NULL)
        return -1;
    for (int32_t i = 0; i < g.n; i++) {
        kafka_offset_fetch_response_offset_fetch_response_topic_init(&ts[i]);
        ts[i].name = g.topics[i].name;
        part_out_t *ps = kgw_groups_array(req, (size_t)g.topics[i].n, sizeof *ps);
        if (g.topics[i].n > 0 && ps == NULL)
            return -1;
        for (int32_t j = 0; j < g.topics[i].n; j++) {
            const fpart_t *f = &g.topics[i].parts[j];
            kafka_offset_fetch_response_offset_fetch_response_partition_init(&ps[j]);
            ps[j].partition_index = f->partition;
            ps[j].committed_offset = f->offset;
            ps[j].committed_leader_epoch = f->epoch;
            ps[j].metadata = str_of(f->metadata);
            ps[j].error_code = f->error;
        }
        ts[i].partitions.items = ps;
        ts[i].partitions.count = g.topics[i].n;
    }
    rs->topics.items = ts;
    rs->topics.count = g.n;
    return 0;
}

static int respond_v8(kgw_request_t *req, kgw_coord_t *c) {
    const kafka_offset_fetch_request_t *rq = req->body;
    kafka_offset_fetch_response_t *rs = kgw_request_response(req);
    if (rs == NULL)
        return 0;
    typedef kafka_offset_fetch_response_offset_fetch_response_group_t group_out_t;
    typedef kafka_offset_fetch_response_offset_fetch_response_topics_t topic_out_t;
    typedef kafka_offset_fetch_response_offset_fetch_response_partitions_t part_out_t;
    int32_t ng = rq->groups.count > 0 ? rq->groups.count : 0;
    group_out_t *gs = kgw_groups_array(req, (size_t)ng, sizeof *gs);
    if (ng > 0 && gs == NULL)
        return -1;
    for (int32_t gi = 0; gi < ng; gi++) {
        const kafka_offset_fetch_request_offset_fetch_request_group_t *gin = &rq->groups.items[gi];
        int32_t nt = gin->topics.count;
        kafka_str_t *nm = NULL;
        const kafka_int32_array_t **ps = NULL;
        if (nt > 0) {
            nm = kgw_groups_array(req, (size_t)nt, sizeof *nm);
            ps = kgw_groups_array(req, (size_t)nt, sizeof *ps);
            if (nm == NULL || ps == NULL)
                return -1;
            for (int32_t i = 0; i < nt; i++) {
                nm[i] = gin->topics.items[i].name;
                ps[i] = &gin->topics.items[i].partition_indexes;
            }
        }
        const char *group_id = kgw_groups_cstr(req, gin->group_id);
        fgroup_t g;
        if (fill_group(req, c, group_id != NULL ? group_id : "", nm, ps, nt < 0 ? -1 : nt, &g) < 0)
            return -1;
        kafka_offset_fetch_response_offset_fetch_response_group_init(&gs[gi]);
        gs[gi].group_id = gin->group_id;
        gs[gi].error_code = g.error;
        topic_out_t *ts = kgw_groups_array(req, (size_t)g.n, sizeof *ts);
        if (g.n > 0 && ts == NULL)
            return -1;
        for (int32_t i = 0; i < g.n; i++) {
            kafka_offset_fetch_response_offset_fetch_response_topics_init(&ts[i]);
            ts[i].name = g.topics[i].name;
            part_out_t *po = kgw_groups_array(req, (size_t)g.topics[i].n, sizeof *po);
            if (g.topics[i].n > 0 && po == NULL)
                return -1;
            for (int32_t j = 0; j < g.topics[i].n; j++) {
                const fpart_t *f = &g.topics[i].parts[j];
                kafka_offset_fetch_response_offset_fetch_response_partitions_init(&po[j]);
                po[j].partition_index = f->partition;
                po[j].committed_offset = f->offset;
                po[j].committed_leader_epoch = f->epoch;
                po[j].metadata = str_of(f->metadata);
                po[j].error_code = f->error;
            }
            ts[i].partitions.items = po;
            ts[i].partitions.count = g.topics[i].n;
        }
        gs[gi].topics.items = ts;
        gs[gi].topics.count = g.n;
    }
    rs->groups.items = gs;
    rs->groups.count = ng;
    return 0;
}

void kgw_handle_offset_fetch(kgw_request_t *req) {
    kgw_coord_t *c = kgw_groups_coord(req);
    int rc = req->api_version >= 8 ? respond_v8(req, c) : respond_v0_7(req, c);
    if (rc < 0)
        kgw_request_fail_connection(req, "request arena exhausted");
    else
        kgw_request_respond(req);
}
