/* Committed offsets: the per-group table, OffsetCommit (durable before it is
 * acknowledged), OffsetFetch, OffsetDelete and retention. */
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "kafka/error_codes.h"
#include "persist.h"
#include "storage/backend.h"

/* Kafka's offset.metadata.max.bytes default. */
#define METADATA_MAX_BYTES 4096

static size_t slot(const kgw_offset_table_t *t, const char *topic, int32_t partition) {
    uint64_t h = 1469598103934665603ull;
    for (const char *s = topic; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    h = (h ^ (uint32_t)partition) * 1099511628211ull;
    return (size_t)(h % t->nbuckets);
}

void kgw_offsets_init(kgw_offset_table_t *t) {
    memset(t, 0, sizeof *t);
}

static void offset_free(kgw_offset_t *o) {
    free(o->topic);
    free(o->metadata);
    free(o);
}

void kgw_offsets_free(kgw_offset_table_t *t) {
    for (size_t b = 0; b < t->nbuckets; b++) {
        kgw_offset_t *o = t->buckets[b];
        while (o != NULL) {
            kgw_offset_t *next = o->next;
            offset_free(o);
            o = next;
        }
    }
    free(t->buckets);
    memset(t, 0, sizeof *t);
}

kgw_offset_t *kgw_offsets_find(const kgw_offset_table_t *t, const char *topic, int32_t partition) {
    if (t->nbuckets == 0)
        return NULL;
    for (kgw_offset_t *o = t->buckets[slot(t, topic, partition)]; o != NULL; o = o->next)
        if (o->partition == partition && strcmp(o->topic, topic) == 0)
            return o;
    return NULL;
}

static int grow(kgw_offset_table_t *t) {
    size_t nb = t->nbuckets ? t->nbuckets * 4 : 16;
    kgw_offset_t **nbk = calloc(nb, sizeof *nbk);
    if (nbk == NULL)
        return -1;
    kgw_offset_table_t n = {nbk, nb, t->count};
    for (size_t b = 0; b < t->nbuckets; b++) {
        kgw_offset_t *o = t->buckets[b];
        while (o != NULL) {
            kgw_offset_t *next = o->next;
            size_t s = slot(&n, o->topic, o->partition);
            o->next = nbk[s];
            nbk[s] = o;
            o = next;
        }
    }
    free(t->buckets);
    *t = n;
    return 0;
}

kgw_offset_t *kgw_offsets_put(kgw_offset_table_t *t, const char *topic, int32_t partition) {
    kgw_offset_t *o = kgw_offsets_find(t, topic, partition);
    if (o != NULL)
        return o;
    if (t->count >= t->nbuckets && grow(t) < 0 && t->nbuckets == 0)
        return NULL;
    o = calloc(1, sizeof *o);
    if (o == NULL || (o->topic = kgw_strdup(topic)) == NULL) {
        free(o);
        return NULL;
    }
    o->partition = partition;
    o->expire_ts = -1;
    o->leader_epoch = -1;
    size_t s = slot(t, topic, partition);
    o->next = t->buckets[s];
    t->buckets[s] = o;
    t->count++;
    return o;
}

void kgw_offsets_delete(kgw_offset_table_t *t, const char *topic, int32_t partition) {
    if (t->nbuckets == 0)
        return;
    kgw_offset_t **pp = &t->buckets[slot(t, topic, partition)];
    for (; *pp != NULL; pp = &(*pp)->next) {
        kgw_offset_t *o = *pp;
        if (o->partition == partition && strcmp(o->topic, topic) == 0) {
            *pp = o->next;
            offset_free(o);
            t->count--;
            return;
        }
    }
}

/* ---- OffsetCommit ---- */

typedef struct kgw_commit_op {
    struct kgw_commit_op *prev, *next; /* c->commits_head list */
    kgw_coord_t *c;
    char *group_id;
    kgw_commit_part_t *parts;
    int32_t nparts;
    kgw_offset_t *vals; /* one per accepted part, in part order */
    kgw_offset_t **ptrs;
    int32_t nvals;
    kgw_commit_cb cb;
    void *ctx;
} commit_op_t;

static void commit_op_unlink(commit_op_t *op) {
    kgw_coord_t *c = op->c;
    if (op->prev != NULL)
        op->prev->next = op->next;
    else if (c->commits_head == op)
        c->commits_head = op->next;
    if (op->next != NULL)
        op->next->prev = op->prev;
    else if (c->commits_tail == op)
        c->commits_tail = op->prev;
    op->prev = op->next = NULL;
}

void kgw_offsets_each_inflight(kgw_coord_t *c,
                               void (*fn)(void *arg, const char *group_id,
                                          kgw_offset_t *const *vals, int32_t n),
                               void *arg) {
    for (commit_op_t *op = c->commits_head; op != NULL; op = op->next)
        fn(arg, op->group_id, op->ptrs, op->nvals);
}

static void commit_op_free(commit_op_t *op) {
    for (int32_t i = 0; i < op->nvals; i++) {
        free(op->vals[i].topic);
        free(op->vals[i].metadata);
    }
    free(op->vals);
    free(op->ptrs);
    free(op->group_id);
    free(op);
}

static void apply_commit(commit_op_t *op) {
    kgw_group_t *g = kgw_group_get_or_create(op->c, op->group_id);
    for (int32_t i = 0; i < op->nvals; i++) {
        kgw_offset_t *v = &op->vals[i];
        kgw_offset_t *o = g ? kgw_offsets_put(&g->offsets, v->topic, v->partition) : NULL;
        if (o == NULL)
            continue;
        o->offset = v->offset;
        o->leader_epoch = v->leader_epoch;
        free(o->metadata);
        o->metadata = v->metadata;
        v->metadata = NULL;
        o->commit_ts = v->commit_ts;
        o->expire_ts = v->expire_ts;
        o->topic_id = v->topic_id;
    }
}

static void on_commit_written(void *ctx, int16_t error) {
    commit_op_t *op = ctx;
    commit_op_unlink(op);
    if (error == KAFKA_ERROR_NONE && !op->c->freed) {
        apply_commit(op);
    } else {
        int16_t e =
            error == KAFKA_ERROR_MESSAGE_TOO_LARGE || error == KAFKA_ERROR_RECORD_LIST_TOO_LARGE
                ? KAFKA_ERROR_INVALID_COMMIT_OFFSET_SIZE
                : KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
        for (int32_t i = 0; i < op->nparts; i++)
            if (op->parts[i].error == KAFKA_ERROR_NONE)
                op->parts[i].error = e;
    }
    op->cb(op->ctx, op->parts, op->nparts);
    commit_op_free(op);
}

static int16_t commit_group_error(kgw_coord_t *c, const kgw_commit_params_t *p) {
    if (c->shut)
        return KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
    if (p->group_id == NULL)
        return KAFKA_ERROR_INVALID_GROUP_ID;
    kgw_group_t *g = kgw_group_find(c, p->group_id);
    if (g == NULL)
        return p->generation < 0 ? KAFKA_ERROR_NONE : KAFKA_ERROR_ILLEGAL_GENERATION;
    if (g->state == KGW_GROUP_DEAD)
        return KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
    const char *mid = p->member_id != NULL ? p->member_id : "";
    const kgw_member_t *s = kgw_group_static_member(g, p->instance_id);
    if (s != NULL && strcmp(s->member_id, mid) != 0)
        return KAFKA_ERROR_FENCED_INSTANCE_ID;
    if (p->generation < 0 && g->state == KGW_GROUP_EMPTY)
        return KAFKA_ERROR_NONE;
    if (g->state == KGW_GROUP_COMPLETING_REBALANCE)
        return KAFKA_ERROR_REBALANCE_IN_PROGRESS;
    kgw_member_t *m = kgw_group_member(g, mid);
    if (m == NULL)
        return KAFKA_ERROR_UNKNOWN_MEMBER_ID;
    if (p->generation != g->generation)
        return KAFKA_ERROR_ILLEGAL_GENERATION;
    kgw_member_heartbeat(c, m);
    return KAFKA_ERROR_NONE;
}

/* The topic's id if it exists with that partition; false otherwise. */
static bool topic_partition_exists(kgw_coord_t *c, const char *topic, int32_t partition,
                                   kafka_uuid_t *id) {
    memset(id, 0, sizeof *id);
    kgw_backend_t *be = c->env.backend;
    if (be == NULL)
        return partition >= 0;
    kgw_topic_info_t info;
    if (be->ops->get_topic(be, topic, &info) != 0)
        return false;
    *id = info.id;
    return partition >= 0 && partition < info.partitions;
}

void kgw_coord_commit(kgw_coord_t *c, kgw_commit_params_t *p, kgw_commit_cb cb, void *ctx) {
    int16_t gerr = commit_group_error(c, p);
    commit_op_t *op = calloc(1, sizeof *op);
    if (op != NULL) {
        op->vals = calloc((size_t)(p->nparts > 0 ? p->nparts : 1), sizeof *op->vals);
        op->ptrs = calloc((size_t)(p->nparts > 0 ? p->nparts : 1), sizeof *op->ptrs);
        op->group_id = kgw_strdup(p->group_id ? p->group_id : "");
    }
    if (op == NULL || op->vals == NULL || op->ptrs == NULL || op->group_id == NULL) {
        if (op != NULL)
            commit_op_free(op);
        for (int32_t i = 0; i < p->nparts; i++)
            p->parts[i].error = KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
        cb(ctx, p->parts, p->nparts);
        return;
    }
    op->c = c;
    op->parts = p->parts;
    op->nparts = p->nparts;
    op->cb = cb;
    op->ctx = ctx;
    int64_t now = kgw_coord_wall(c);
    for (int32_t i = 0; i < p->nparts; i++) {
        kgw_commit_part_t *part = &p->parts[i];
        if (gerr != KAFKA_ERROR_NONE) {
            part->error = gerr;
            continue;
        }
        if (part->metadata != NULL && strlen(part->metadata) > METADATA_MAX_BYTES) {
            part->error = KAFKA_ERROR_OFFSET_METADATA_TOO_LARGE;
            continue;
        }
        kgw_offset_t *v = &op->vals[op->nvals];
        if (!topic_partition_exists(c, part->topic, part->partition, &v->topic_id)) {
            part->error = KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
            continue;
        }
        v->topic = kgw_strdup(part->topic);
        v->metadata = kgw_strdup(part->metadata ? part->metadata : "");
        if (v->topic == NULL || v->metadata == NULL) {
            free(v->topic);
            free(v->metadata);
            part->error = KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
            continue;
        }
        v->partition = part->partition;
        v->offset = part->offset;
        v->leader_epoch = part->leader_epoch;
        v->commit_ts = now;
        v->expire_ts = p->retention_ms >= 0 ? now + p->retention_ms : -1;
        op->ptrs[op->nvals] = v;
        op->nvals++;
        part->error = KAFKA_ERROR_NONE;
    }
    if (op->nvals == 0 || c->persist == NULL) {
        on_commit_written(op, KAFKA_ERROR_NONE);
        return;
    }
    /* Listed while in flight: its record precedes any snapshot begun before
     * it completes, so such a snapshot must carry its values. */
    op->prev = c->commits_tail;
    if (c->commits_tail != NULL)
        c->commits_tail->next = op;
    else
        c->commits_head = op;
    c->commits_tail = op;
    kgw_persist_offsets(c->persist, op->group_id, op->ptrs, NULL, op->nvals, on_commit_written, op);
}

/* ---- OffsetFetch ---- */

static void tombstone_one(kgw_coord_t *c, kgw_group_t *g, kgw_offset_t *o) {
    if (c->persist != NULL) {
        bool t = true;
        kgw_persist_offsets(c->persist, g->group_id, &o, &t, 1, NULL, NULL);
    }
    kgw_offsets_delete(&g->offsets, o->topic, o->partition);
}

bool kgw_offset_stale(kgw_coord_t *c, const kgw_offset_t *o) {
    kafka_uuid_t id;
    if (c->env.backend == NULL)
        return false;
    if (!topic_partition_exists(c, o->topic, o->partition, &id))
        return true;
    static const kafka_uuid_t zero;
    return memcmp(&o->topic_id, &zero, sizeof zero) != 0 &&
           memcmp(&o->topic_id, &id, sizeof id) != 0;
}

void kgw_coord_fetch_offset(kgw_coord_t *c, const char *group_id, const char *topic,
                            int32_t partition, kgw_offset_view_t *out) {
    *out = (kgw_offset_view_t){topic, partition, -1, -1, ""};
    kgw_group_t *g = kgw_group_find(c, group_id);
    kgw_offset_t *o = g ? kgw_offsets_find(&g->offsets, topic, partition) : NULL;
    if (o == NULL)
        return;
    if (kgw_offset_stale(c, o)) {
        tombstone_one(c, g, o);
        return;
    }
    out->offset = o->offset;
    out->leader_epoch = o->leader_epoch;
    out->metadata = o->metadata;
}

static int cmp_offsets(const void *a, const void *b) {
    const kgw_offset_t *x = *(kgw_offset_t *const *)a, *y = *(kgw_offset_t *const *)b;
    int r = strcmp(x->topic, y->topic);
    return r != 0 ? r : (x->partition > y->partition) - (x->partition < y->partition);
}

int kgw_coord_fetch_all(kgw_coord_t *c, const char *group_id,
                        int (*fn)(void *arg, const kgw_offset_view_t *o), void *arg) {
    kgw_group_t *g = kgw_group_find(c, group_id);
    if (g == NULL || g->offsets.count == 0)
        return 0;
    kgw_offset_t **all = malloc(g->offsets.count * sizeof *all);
    if (all == NULL)
        return -1;
    size_t n = 0;
    for (size_t b = 0; b < g->offsets.nbuckets; b++)
        for (kgw_offset_t *o = g->offsets.buckets[b]; o != NULL; o = o->next)
            all[n++] = o;
    qsort(all, n, sizeof *all, cmp_offsets);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (kgw_offset_stale(c, all[i])) {
            tombstone_one(c, g, all[i]);
            continue;
        }
        kgw_offset_view_t v = {all[i]->topic, all[i]->partition, all[i]->offset,
                               all[i]->leader_epoch, all[i]->metadata};
        rc = fn(arg, &v);
    }
    free(all);
    return rc;
}

/* ---- OffsetDelete ---- */

int16_t kgw_coord_delete_offsets(kgw_coord_t *c, const char *group_id, kgw_commit_part_t *parts,
                                 int32_t n) {
    if (c->shut)
        return KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
    if (group_id == NULL || group_id[0] == '\0')
        return KAFKA_ERROR_INVALID_GROUP_ID;
    kgw_group_t *g = kgw_group_find(c, group_id);
    if (g == NULL || g->state == KGW_GROUP_DEAD)
        return KAFKA_ERROR_GROUP_ID_NOT_FOUND;
    bool consumer = g->protocol_type != NULL && strcmp(g->protocol_type, "consumer") == 0;
    if (g->state != KGW_GROUP_EMPTY && !consumer)
        return KAFKA_ERROR_NON_EMPTY_GROUP;
    for (int32_t i = 0; i < n; i++) {
        if (g->state != KGW_GROUP_EMPTY && kgw_group_subscribed_to(g, parts[i].topic)) {
            parts[i].error = KAFKA_ERROR_GROUP_SUBSCRIBED_TO_TOPIC;
            continue;
        }
        parts[i].error = KAFKA_ERROR_NONE;
        kgw_offset_t *o = kgw_offsets_find(&g->offsets, parts[i].topic, parts[i].partition);
        if (o != NULL)
            tombstone_one(c, g, o);
    }
    return KAFKA_ERROR_NONE;
}

/* ---- retention ---- */

static bool expired(const kgw_coord_t *c, const kgw_group_t *g, const kgw_offset_t *o,
                    int64_t now) {
    int64_t retention = c->env.offsets_retention_ms;
    if (o->expire_ts >= 0)
        return now >= o->expire_ts;
    if (g->state == KGW_GROUP_EMPTY)
        /* A consumer group's offsets age from when it became empty; those of
         * commits made outside group management from their commit. */
        return (g->protocol_type != NULL ? g->state_ts : o->commit_ts) + retention <= now;
    if (g->state == KGW_GROUP_STABLE && g->protocol_type != NULL &&
        strcmp(g->protocol_type, "consumer") == 0)
        return !kgw_group_subscribed_to(g, o->topic) && o->commit_ts + retention <= now;
    return false;
}

void kgw_offsets_expire(kgw_coord_t *c) {
    int64_t now = kgw_coord_wall(c);
    for (size_t b = 0; b < c->nbuckets; b++) {
        kgw_group_t *g = c->buckets[b];
        while (g != NULL) {
            kgw_group_t *next = g->next;
            for (size_t k = 0; k < g->offsets.nbuckets; k++) {
                kgw_offset_t *o = g->offsets.buckets[k];
                while (o != NULL) {
                    kgw_offset_t *on = o->next;
                    if (expired(c, g, o, now))
                        tombstone_one(c, g, o);
                    o = on;
                }
            }
            if (g->state == KGW_GROUP_EMPTY && g->offsets.count == 0 && g->npending == 0) {
                if (c->persist != NULL && g->generation > 0)
                    kgw_persist_group_tombstone(c->persist, g->group_id);
                kgw_group_remove(c, g);
            }
            g = next;
        }
    }
}
