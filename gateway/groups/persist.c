/* Offsets and group metadata in __consumer_offsets. Record layouts (all
 * big-endian, strings as int16 length + bytes, -1 for null):
 *
 *   offset key    int16 1, group, topic, int32 partition
 *   offset value  int16 3, int64 offset, int32 leader epoch, metadata,
 *                 int64 commit timestamp (Kafka's OffsetCommitValue v3),
 *                 then kgw's own: int64 expire timestamp (-1: by the group's
 *                 rule), 16-byte topic id (to notice a re-created topic)
 *   group key     int16 2, group
 *   group value   int16 3, protocol type, int32 generation, protocol name,
 *                 leader, int64 state timestamp, int32 member count, and per
 *                 member: member id, instance id, client id, client host,
 *                 int32 rebalance timeout, int32 session timeout,
 *                 bytes subscription, bytes assignment (GroupMetadataValue v3)
 *
 *   snapshot key  int16 100 (kgw's own), int16 0 = begin / 1 = end
 *   snapshot value int64 snapshot id
 *
 * The embedded log has no compaction, so its time and size retention are
 * turned off and replay applies every record in order (tombstones delete).
 * Instead of compaction, once enough records have piled up the live state is
 * appended again as a snapshot (begin marker, every group's last metadata
 * record, every committed offset, end marker) and, once that is durable, the
 * log start is moved to the begin marker, so start-up replays about the live
 * state only. See write_snapshot for why a crash at any point is harmless. */
#include <stdlib.h>
#include <string.h>

#include "kafka/compress.h"
#include "kafka/error_codes.h"
#include "kafka/records.h"
#include "logging.h"
#include "persist.h"
#include "storage/backend.h"

#define READ_CHUNK ((size_t)4 << 20)

#define KEY_SNAPSHOT 100
#define SNAPSHOT_BEGIN 0
#define SNAPSHOT_END 1
#define SNAPSHOT_MIN_RECORDS 10000
#define SNAPSHOT_LIVE_FACTOR 4
/* Well under the log's default max.message.bytes (1 MiB) per batch. */
#define SNAPSHOT_BATCH_BYTES ((size_t)256 << 10)

struct kgw_persist {
    kgw_coord_t *c;
    kgw_backend_t *be;
    bool topic_ready;
    size_t inflight;
    uint64_t since_snapshot; /* records appended since the last snapshot began */
    uint64_t live_at_snapshot;
    bool snapshotting;
    int in_append;
    /* The snapshot being written: appends left, whether one failed, and the
     * offset of its begin marker. */
    size_t snap_pending;
    bool snap_failed;
    int64_t snap_start;
    /* Replay: the era records are stamped with (one more per begin marker)
     * and the begin marker still waiting for its end. */
    uint32_t replay_mark;
    uint32_t open_mark;
    int64_t open_id;
};

kgw_persist_t *kgw_persist_new(kgw_coord_t *c, kgw_backend_t *be) {
    kgw_persist_t *p = calloc(1, sizeof *p);
    if (p != NULL) {
        p->c = c;
        p->be = be;
    }
    return p;
}

void kgw_persist_free(kgw_persist_t *p) {
    free(p);
}

size_t kgw_persist_inflight(const kgw_persist_t *p) {
    return p != NULL ? p->inflight : 0;
}

/* ---- encoding ---- */

static int put(kafka_buf_t *b, const void *x, size_t n) {
    return kafka_buf_append(b, x, n);
}

static int put16(kafka_buf_t *b, int16_t v) {
    uint8_t x[2] = {(uint8_t)((uint16_t)v >> 8), (uint8_t)v};
    return put(b, x, 2);
}

static int put32(kafka_buf_t *b, int32_t v) {
    uint32_t u = (uint32_t)v;
    uint8_t x[4] = {(uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8), (uint8_t)u};
    return put(b, x, 4);
}

static int put64(kafka_buf_t *b, int64_t v) {
    return put32(b, (int32_t)((uint64_t)v >> 32)) | put32(b, (int32_t)(uint32_t)v);
}

static int putstr(kafka_buf_t *b, const char *s) {
    if (s == NULL)
        return put16(b, -1);
    size_t n = strlen(s);
    if (n > INT16_MAX)
        n = INT16_MAX;
    return put16(b, (int16_t)n) | put(b, s, n);
}

static int putbytes(kafka_buf_t *b, const uint8_t *p, int32_t n) {
    return put32(b, n) | (n > 0 ? put(b, p, (size_t)n) : 0);
}

/* ---- decoding ---- */

typedef struct rd {
    const uint8_t *p;
    size_t len, pos;
    bool bad;
} rd_t;

static bool need(rd_t *r, size_t n) {
    if (r->bad || r->len - r->pos < n) {
        r->bad = true;
        return false;
    }
    return true;
}

static int16_t get16(rd_t *r) {
    if (!need(r, 2))
        return 0;
    int16_t v = (int16_t)(r->p[r->pos] << 8 | r->p[r->pos + 1]);
    r->pos += 2;
    return v;
}

static int32_t get32(rd_t *r) {
    if (!need(r, 4))
        return 0;
    const uint8_t *x = r->p + r->pos;
    r->pos += 4;
    return (int32_t)((uint32_t)x[0] << 24 | (uint32_t)x[1] << 16 | (uint32_t)x[2] << 8 | x[3]);
}

static int64_t get64(rd_t *r) {
    uint64_t hi = (uint32_t)get32(r);
    uint64_t lo = (uint32_t)get32(r);
    return (int64_t)(hi << 32 | lo);
}

/* A NUL-terminated heap copy; NULL for a null string (and on error). */
static char *getstr(rd_t *r, bool *is_null) {
    int16_t n = get16(r);
    *is_null = n < 0;
    if (n < 0 || !need(r, (size_t)n))
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s == NULL) {
        r->bad = true;
        return NULL;
    }
    memcpy(s, r->p + r->pos, (size_t)n);
    s[n] = '\0';
    r->pos += (size_t)n;
    return s;
}

static const uint8_t *getbytes(rd_t *r, int32_t *len) {
    *len = get32(r);
    if (*len < 0) {
        *len = 0;
        return NULL;
    }
    if (!need(r, (size_t)*len))
        return NULL;
    const uint8_t *p = r->p + r->pos;
    r->pos += (size_t)*len;
    return p;
}

/* ---- writing ---- */

typedef struct write_op {
    kgw_persist_t *p;
    kgw_persist_cb cb;
    void *ctx;
    bool snapshot; /* one of a snapshot's appends */
} write_op_t;

static bool ensure_topic(kgw_persist_t *p) {
    if (p->topic_ready)
        return true;
    kgw_topic_info_t info;
    if (p->be->ops->get_topic(p->be, KGW_OFFSETS_TOPIC, &info) == 0) {
        p->topic_ready = true;
        return true;
    }
    static const kgw_config_entry_t cfg[] = {
        {"cleanup.policy", "compact"},
        {"retention.ms", "-1"},
        {"retention.bytes", "-1"},
    };
    int rc = p->be->ops->create_topic(p->be, KGW_OFFSETS_TOPIC, 1, cfg, 3, &info);
    if (rc == 0 || rc == KGW_EEXISTS) {
        p->topic_ready = true;
        return true;
    }
    kgw_error("cannot create %s (%d)", KGW_OFFSETS_TOPIC, rc);
    return false;
}

static void maybe_snapshot(kgw_persist_t *p);

static void snapshot_appended(kgw_persist_t *p, const kgw_append_result_t *res) {
    if (res->error != KAFKA_ERROR_NONE)
        p->snap_failed = true;
    else if (p->snap_start < 0 || res->base_offset < p->snap_start)
        p->snap_start = res->base_offset;
    if (--p->snap_pending > 0)
        return;
    p->snapshotting = false;
    if (p->snap_failed || p->snap_start < 0 || p->c->shut)
        return;
    int64_t low = -1;
    int rc = p->be->ops->delete_records(p->be, KGW_OFFSETS_TOPIC, 0, p->snap_start, &low);
    if (rc != 0)
        kgw_warn("cannot move the start of %s to %lld (%d)", KGW_OFFSETS_TOPIC,
                 (long long)p->snap_start, rc);
}

static void on_appended(void *ctx, const kgw_append_result_t *res) {
    write_op_t *op = ctx;
    kgw_persist_t *p = op->p;
    if (res->error != KAFKA_ERROR_NONE)
        kgw_warn("group state write to %s failed: error %d", KGW_OFFSETS_TOPIC, res->error);
    p->inflight--;
    if (op->snapshot)
        snapshot_appended(p, res);
    if (op->cb != NULL)
        op->cb(op->ctx, res->error);
    /* Only here, never inside a write: callers change memory right after a
     * write returns (a tombstoned offset is dropped then), and the snapshot
     * must see that. A completion delivered inside append is one of those. */
    if (p->in_append == 0)
        maybe_snapshot(p);
    kgw_coord_t *c = p->c;
    free(op);
    kgw_coord_write_done(c);
}

typedef struct rec {
    kafka_buf_t key, value;
    bool tombstone;
} rec_t;

/* One v2 batch of the records (whose buffers are freed either way). */
static int16_t encode_batch(kgw_persist_t *p, rec_t *recs, int32_t n, kafka_buf_t *out) {
    int16_t err = KAFKA_ERROR_NONE;
    if (!ensure_topic(p)) {
        err = KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
    } else {
        kafka_batch_params_t bp;
        kafka_batch_params_init(&bp);
        kafka_batch_builder_t b;
        kafka_batch_builder_init(&b, &bp);
        int64_t now = kgw_coord_wall(p->c);
        for (int32_t i = 0; i < n && err == KAFKA_ERROR_NONE; i++) {
            kafka_record_in_t r = {
                .timestamp = now,
                .key = {recs[i].key.ptr, (int32_t)recs[i].key.len},
                .value = recs[i].tombstone
                             ? (kafka_bytes_t){NULL, -1}
                             : (kafka_bytes_t){recs[i].value.ptr, (int32_t)recs[i].value.len},
            };
            if (kafka_batch_builder_add(&b, &r) < 0)
                err = KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
        }
        if (err == KAFKA_ERROR_NONE && kafka_batch_builder_finish(&b, out) < 0)
            err = KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
        kafka_batch_builder_free(&b);
    }
    for (int32_t i = 0; i < n; i++) {
        kafka_buf_free(&recs[i].key);
        kafka_buf_free(&recs[i].value);
    }
    if (err != KAFKA_ERROR_NONE)
        kafka_buf_free(out);
    return err;
}

static int16_t append_batch(kgw_persist_t *p, kafka_buf_t *out, bool snapshot, kgw_persist_cb cb,
                            void *ctx) {
    write_op_t *op = malloc(sizeof *op);
    if (op == NULL) {
        kafka_buf_free(out);
        return KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
    }
    *op = (write_op_t){p, cb, ctx, snapshot};
    p->inflight++;
    p->in_append++;
    p->be->ops->append(p->be, KGW_OFFSETS_TOPIC, 0, out->ptr, out->len, -1, on_appended, op);
    p->in_append--;
    kafka_buf_free(out);
    return KAFKA_ERROR_NONE;
}

static void write_records(kgw_persist_t *p, rec_t *recs, int32_t n, kgw_persist_cb cb, void *ctx) {
    kafka_buf_t out = KAFKA_BUF_INIT;
    int16_t err = encode_batch(p, recs, n, &out);
    if (err == KAFKA_ERROR_NONE)
        err = append_batch(p, &out, false, cb, ctx);
    if (err != KAFKA_ERROR_NONE) {
        if (cb != NULL)
            cb(ctx, err);
        return;
    }
    p->since_snapshot += (uint64_t)n;
}

/* ---- snapshot ---- */

typedef struct snap {
    kgw_persist_t *p;
    rec_t *recs;
    int32_t n, cap;
    size_t bytes;
    uint64_t live;
    int16_t err;
} snap_t;

static rec_t *snap_rec(snap_t *s) {
    if (s->n == s->cap) {
        int32_t cap = s->cap ? s->cap * 2 : 256;
        rec_t *r = realloc(s->recs, (size_t)cap * sizeof *r);
        if (r == NULL)
            return NULL;
        s->recs = r;
        s->cap = cap;
    }
    rec_t *r = &s->recs[s->n];
    *r = (rec_t){KAFKA_BUF_INIT, KAFKA_BUF_INIT, false};
    return r;
}

static void snap_flush(snap_t *s) {
    if (s->n == 0)
        return;
    kafka_buf_t out = KAFKA_BUF_INIT;
    int16_t err = encode_batch(s->p, s->recs, s->n, &out);
    s->n = 0;
    s->bytes = 0;
    if (err == KAFKA_ERROR_NONE && s->err == KAFKA_ERROR_NONE &&
        (err = append_batch(s->p, &out, true, NULL, NULL)) == KAFKA_ERROR_NONE)
        s->p->snap_pending++;
    else
        kafka_buf_free(&out);
    if (s->err == KAFKA_ERROR_NONE)
        s->err = err;
}

/* Adds a record whose encoding failed (rc != 0) as an error. */
static void snap_add(snap_t *s, rec_t *r, int rc) {
    if (rc != 0) {
        kafka_buf_free(&r->key);
        kafka_buf_free(&r->value);
        s->err = KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
        return;
    }
    s->bytes += r->key.len + r->value.len + 32;
    s->n++;
    if (s->bytes >= SNAPSHOT_BATCH_BYTES)
        snap_flush(s);
}

static void snap_marker(snap_t *s, int16_t kind, int64_t id) {
    rec_t *r = snap_rec(s);
    if (r == NULL) {
        s->err = KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
        return;
    }
    int rc = put16(&r->key, KEY_SNAPSHOT) | put16(&r->key, kind) | put64(&r->value, id);
    snap_add(s, r, rc);
}

static int encode_offset(rec_t *r, const char *group_id, const kgw_offset_t *o) {
    int rc = put16(&r->key, 1) | putstr(&r->key, group_id) | putstr(&r->key, o->topic) |
             put32(&r->key, o->partition);
    if (!r->tombstone)
        rc |= put16(&r->value, 3) | put64(&r->value, o->offset) |
              put32(&r->value, o->leader_epoch) | putstr(&r->value, o->metadata) |
              put64(&r->value, o->commit_ts) | put64(&r->value, o->expire_ts) |
              put(&r->value, o->topic_id.b, 16);
    return rc;
}

static void snap_offsets(void *arg, const char *group_id, kgw_offset_t *const *vals, int32_t n) {
    snap_t *s = arg;
    for (int32_t i = 0; i < n && s->err == KAFKA_ERROR_NONE; i++) {
        rec_t *r = snap_rec(s);
        if (r == NULL) {
            s->err = KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
            return;
        }
        snap_add(s, r, encode_offset(r, group_id, vals[i]));
    }
}

/* Appends the live state between a begin and an end marker, in appends
 * issued back to back so nothing else lands among them; the log start moves
 * to the begin marker only when all are durable. Replay treats an end marker
 * whose begin it saw as "everything not written since that begin is gone"
 * (see sweep_snapshot), so whatever survives of the log before a snapshot
 * (a crash before delete_records, or delete_records failing) cannot bring
 * back a deleted group, a deleted or expired offset or a stale one: the
 * result is the snapshot plus what follows it, as after delete_records. A
 * snapshot cut short by a crash has no end marker and only rewrites live
 * values, so replay then ends as if it were not there.
 *
 * What is written is what replay of the log up to here gives: the group's
 * last metadata record (not its live, possibly mid-rebalance, state), the
 * committed offsets, and the offsets of commits still in flight (their
 * records are already before the snapshot and memory gets them only when
 * they complete; one that then fails stays committed, as a retried commit
 * would). Offsets of topics that are gone or were re-created are left out
 * and dropped. */
static void write_snapshot(kgw_persist_t *p) {
    kgw_coord_t *c = p->c;
    snap_t s = {.p = p};
    int64_t id = kgw_coord_wall(c);
    p->snapshotting = true;
    p->snap_pending = 0;
    p->snap_failed = false;
    p->snap_start = -1;
    p->since_snapshot = 0;
    snap_marker(&s, SNAPSHOT_BEGIN, id);
    for (size_t b = 0; b < c->nbuckets && s.err == KAFKA_ERROR_NONE; b++) {
        for (kgw_group_t *g = c->buckets[b]; g != NULL && s.err == KAFKA_ERROR_NONE; g = g->next) {
            if (g->meta_value != NULL) {
                rec_t *r = snap_rec(&s);
                if (r == NULL) {
                    s.err = KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
                    break;
                }
                int rc = put16(&r->key, 2) | putstr(&r->key, g->group_id) |
                         put(&r->value, g->meta_value, g->meta_len);
                snap_add(&s, r, rc);
                s.live++;
            }
            for (size_t k = 0; k < g->offsets.nbuckets; k++) {
                kgw_offset_t *o = g->offsets.buckets[k];
                while (o != NULL && s.err == KAFKA_ERROR_NONE) {
                    kgw_offset_t *next = o->next;
                    if (kgw_offset_stale(c, o)) {
                        kgw_offsets_delete(&g->offsets, o->topic, o->partition);
                    } else {
                        kgw_offset_t *one = o;
                        snap_offsets(&s, g->group_id, &one, 1);
                        s.live++;
                    }
                    o = next;
                }
            }
        }
    }
    if (s.err == KAFKA_ERROR_NONE)
        kgw_offsets_each_inflight(c, snap_offsets, &s);
    if (s.err == KAFKA_ERROR_NONE)
        snap_marker(&s, SNAPSHOT_END, id);
    snap_flush(&s);
    for (int32_t i = 0; i < s.n; i++) {
        kafka_buf_free(&s.recs[i].key);
        kafka_buf_free(&s.recs[i].value);
    }
    free(s.recs);
    p->live_at_snapshot = s.live;
    if (s.err != KAFKA_ERROR_NONE) {
        /* Without its end marker what was appended is harmless; the log
         * start stays where it is. */
        kgw_warn("cannot write a snapshot of %s: error %d", KGW_OFFSETS_TOPIC, s.err);
        p->snap_failed = true;
    }
    if (p->snap_pending == 0)
        p->snapshotting = false;
    else
        kgw_info("group coordinator: snapshot of %llu entries appended to %s",
                 (unsigned long long)s.live, KGW_OFFSETS_TOPIC);
}

static void maybe_snapshot(kgw_persist_t *p) {
    kgw_coord_t *c = p->c;
    uint64_t min = c->env.snapshot_min_records > 0 ? (uint64_t)c->env.snapshot_min_records
                                                   : SNAPSHOT_MIN_RECORDS;
    uint64_t live = p->live_at_snapshot * SNAPSHOT_LIVE_FACTOR;
    if (p->snapshotting || c->shut || c->freed || p->since_snapshot <= (live > min ? live : min))
        return;
    write_snapshot(p);
}

void kgw_persist_offsets(kgw_persist_t *p, const char *group_id, kgw_offset_t *const *offsets,
                         const bool *tombstone, int32_t n, kgw_persist_cb cb, void *ctx) {
    rec_t *recs = calloc((size_t)(n > 0 ? n : 1), sizeof *recs);
    if (recs == NULL) {
        if (cb != NULL)
            cb(ctx, KAFKA_ERROR_UNKNOWN_SERVER_ERROR);
        return;
    }
    int rc = 0;
    for (int32_t i = 0; i < n; i++) {
        recs[i].tombstone = tombstone != NULL && tombstone[i];
        rc |= encode_offset(&recs[i], group_id, offsets[i]);
    }
    if (rc != 0) {
        for (int32_t i = 0; i < n; i++) {
            kafka_buf_free(&recs[i].key);
            kafka_buf_free(&recs[i].value);
        }
        free(recs);
        if (cb != NULL)
            cb(ctx, KAFKA_ERROR_UNKNOWN_SERVER_ERROR);
        return;
    }
    write_records(p, recs, n, cb, ctx);
    free(recs);
}

void kgw_persist_group(kgw_persist_t *p, kgw_group_t *g) {
    rec_t r = {KAFKA_BUF_INIT, KAFKA_BUF_INIT, false};
    int rc = put16(&r.key, 2) | putstr(&r.key, g->group_id);
    rc |= put16(&r.value, 3) | putstr(&r.value, g->protocol_type ? g->protocol_type : "") |
          put32(&r.value, g->generation) | putstr(&r.value, g->protocol_name) |
          putstr(&r.value, g->leader_id) | put64(&r.value, g->state_ts) |
          put32(&r.value, g->nmembers);
    for (int32_t i = 0; i < g->nmembers; i++) {
        const kgw_member_t *m = g->members[i];
        const kgw_protocol_t *pr = kgw_member_protocol(m, g->protocol_name);
        rc |= putstr(&r.value, m->member_id) | putstr(&r.value, m->instance_id) |
              putstr(&r.value, m->client_id) | putstr(&r.value, m->client_host) |
              put32(&r.value, m->rebalance_timeout_ms) | put32(&r.value, m->session_timeout_ms) |
              putbytes(&r.value, pr ? pr->metadata : NULL, pr ? pr->metadata_len : 0) |
              putbytes(&r.value, m->assignment, m->assignment_len);
    }
    if (rc != 0) {
        kafka_buf_free(&r.key);
        kafka_buf_free(&r.value);
        return;
    }
    uint8_t *copy = malloc(r.value.len > 0 ? r.value.len : 1);
    if (copy != NULL) {
        memcpy(copy, r.value.ptr, r.value.len);
        free(g->meta_value);
        g->meta_value = copy;
        g->meta_len = r.value.len;
    }
    write_records(p, &r, 1, NULL, NULL);
}

void kgw_persist_group_tombstone(kgw_persist_t *p, const char *group_id) {
    kgw_group_t *g = kgw_group_find(p->c, group_id);
    if (g != NULL) {
        free(g->meta_value);
        g->meta_value = NULL;
        g->meta_len = 0;
    }
    rec_t r = {KAFKA_BUF_INIT, KAFKA_BUF_INIT, true};
    if ((put16(&r.key, 2) | putstr(&r.key, group_id)) != 0) {
        kafka_buf_free(&r.key);
        return;
    }
    write_records(p, &r, 1, NULL, NULL);
}

/* ---- replay ---- */

static void replay_offset(kgw_persist_t *p, rd_t *k, const kafka_bytes_t *value) {
    kgw_coord_t *c = p->c;
    bool null;
    char *group = getstr(k, &null);
    char *topic = getstr(k, &null);
    int32_t partition = get32(k);
    kgw_group_t *g = group && topic && !k->bad ? kgw_group_get_or_create(c, group) : NULL;
    if (g == NULL)
        goto out;
    if (value->len < 0) {
        kgw_offsets_delete(&g->offsets, topic, partition);
        goto out;
    }
    rd_t v = {value->ptr, (size_t)value->len, 0, false};
    int16_t version = get16(&v);
    int64_t offset = get64(&v);
    int32_t epoch = version >= 3 ? get32(&v) : -1;
    char *meta = getstr(&v, &null);
    int64_t commit_ts = get64(&v);
    int64_t expire_ts = version >= 3 && v.len - v.pos >= 24 ? get64(&v) : -1;
    kafka_uuid_t id = {{0}};
    if (version >= 3 && need(&v, 16)) {
        memcpy(id.b, v.p + v.pos, 16);
        v.pos += 16;
    }
    kgw_offset_t *o = v.bad ? NULL : kgw_offsets_put(&g->offsets, topic, partition);
    if (o != NULL) {
        o->offset = offset;
        o->leader_epoch = epoch;
        free(o->metadata);
        o->metadata = meta ? meta : kgw_strdup("");
        meta = NULL;
        o->commit_ts = commit_ts;
        o->expire_ts = expire_ts;
        o->topic_id = id;
        o->replay_mark = p->replay_mark;
    }
    free(meta);
out:
    free(group);
    free(topic);
}

static void clear_members(kgw_group_t *g) {
    for (int32_t i = 0; i < g->nmembers; i++)
        kgw_member_free(g->members[i]);
    g->nmembers = 0;
    free(g->leader_id);
    g->leader_id = NULL;
}

static void forget_group(kgw_group_t *g) {
    clear_members(g);
    free(g->protocol_name);
    g->protocol_name = NULL;
    g->state = KGW_GROUP_EMPTY;
    free(g->protocol_type);
    g->protocol_type = NULL;
    g->generation = 0;
    free(g->meta_value);
    g->meta_value = NULL;
    g->meta_len = 0;
}

static void replay_group(kgw_persist_t *p, rd_t *k, const kafka_bytes_t *value) {
    kgw_coord_t *c = p->c;
    bool null;
    char *group = getstr(k, &null);
    kgw_group_t *g = group && !k->bad ? kgw_group_get_or_create(c, group) : NULL;
    free(group);
    if (g == NULL)
        return;
    forget_group(g);
    if (value->len < 0)
        return;
    g->replay_mark = p->replay_mark;
    if ((g->meta_value = malloc(value->len > 0 ? (size_t)value->len : 1)) != NULL) {
        memcpy(g->meta_value, value->ptr, (size_t)value->len);
        g->meta_len = (size_t)value->len;
    }
    rd_t v = {value->ptr, (size_t)value->len, 0, false};
    get16(&v);
    free(g->protocol_type);
    g->protocol_type = getstr(&v, &null);
    g->generation = get32(&v);
    g->protocol_name = getstr(&v, &null);
    char *leader = getstr(&v, &null);
    g->state_ts = get64(&v);
    int32_t n = get32(&v);
    uint64_t now = kgw_coord_mono(c);
    for (int32_t i = 0; i < n && !v.bad; i++) {
        kgw_member_t *m = calloc(1, sizeof *m);
        if (m == NULL)
            break;
        m->member_id = getstr(&v, &null);
        m->instance_id = getstr(&v, &null);
        m->client_id = getstr(&v, &null);
        m->client_host = getstr(&v, &null);
        m->rebalance_timeout_ms = get32(&v);
        m->session_timeout_ms = get32(&v);
        int32_t slen, alen;
        const uint8_t *sub = getbytes(&v, &slen);
        const uint8_t *asg = getbytes(&v, &alen);
        kgw_protocol_in_t pin = {g->protocol_name ? g->protocol_name : "", sub, slen};
        if (v.bad || m->member_id == NULL || kgw_member_set_protocols(m, &pin, 1) < 0 ||
            kgw_group_add_member(g, m) < 0) {
            kgw_member_free(m);
            break;
        }
        if (alen > 0 && (m->assignment = malloc((size_t)alen)) != NULL) {
            memcpy(m->assignment, asg, (size_t)alen);
            m->assignment_len = alen;
        }
        if (m->client_id == NULL)
            m->client_id = kgw_strdup("");
        if (m->client_host == NULL)
            m->client_host = kgw_strdup("");
        m->session_deadline = now + (uint64_t)m->session_timeout_ms;
        kgw_coord_arm(c, m->session_deadline);
    }
    if (leader != NULL && kgw_group_member(g, leader) != NULL) {
        free(g->leader_id);
        g->leader_id = leader;
        leader = NULL;
    }
    free(leader);
    if (v.bad || g->nmembers == 0 || g->protocol_name == NULL) {
        clear_members(g);
        free(g->protocol_name);
        g->protocol_name = NULL;
    } else {
        g->state = KGW_GROUP_STABLE;
    }
}

/* A complete snapshot ends here: what no record since its begin marker set
 * (group metadata, offsets) was gone when it was taken. */
static void sweep_snapshot(kgw_persist_t *p) {
    kgw_coord_t *c = p->c;
    for (size_t b = 0; b < c->nbuckets; b++) {
        for (kgw_group_t *g = c->buckets[b]; g != NULL; g = g->next) {
            if (g->replay_mark < p->open_mark)
                forget_group(g);
            for (size_t k = 0; k < g->offsets.nbuckets; k++) {
                kgw_offset_t *o = g->offsets.buckets[k];
                while (o != NULL) {
                    kgw_offset_t *next = o->next;
                    if (o->replay_mark < p->open_mark)
                        kgw_offsets_delete(&g->offsets, o->topic, o->partition);
                    o = next;
                }
            }
        }
    }
}

static void replay_marker(kgw_persist_t *p, rd_t *k, const kafka_bytes_t *value) {
    int16_t kind = get16(k);
    rd_t v = {value->ptr, value->len > 0 ? (size_t)value->len : 0, 0, false};
    int64_t id = get64(&v);
    if (k->bad || v.bad)
        return;
    if (kind == SNAPSHOT_BEGIN) {
        p->open_mark = ++p->replay_mark;
        p->open_id = id;
    } else if (kind == SNAPSHOT_END && p->open_mark != 0 && id == p->open_id) {
        sweep_snapshot(p);
        p->open_mark = 0;
    }
}

static void replay_record(kgw_persist_t *p, const kafka_record_t *rec) {
    if (rec->key.len < 2)
        return;
    rd_t k = {rec->key.ptr, (size_t)rec->key.len, 0, false};
    int16_t version = get16(&k);
    if (version == 0 || version == 1)
        replay_offset(p, &k, &rec->value);
    else if (version == 2)
        replay_group(p, &k, &rec->value);
    else if (version == KEY_SNAPSHOT)
        replay_marker(p, &k, &rec->value);
}

int kgw_persist_load(kgw_persist_t *p) {
    kgw_topic_info_t info;
    if (p->be->ops->get_topic(p->be, KGW_OFFSETS_TOPIC, &info) != 0)
        return 0;
    p->topic_ready = true;
    int64_t start, end;
    int rc = p->be->ops->offsets(p->be, KGW_OFFSETS_TOPIC, 0, &start, &end);
    if (rc != 0)
        return rc;
    int64_t off = start;
    size_t records = 0;
    p->replay_mark = 1;
    p->open_mark = 0;
    while (off < end) {
        kgw_read_result_t r;
        rc = p->be->ops->read(p->be, KGW_OFFSETS_TOPIC, 0, off, READ_CHUNK, &r);
        if (rc != 0)
            return rc;
        if (r.error != KAFKA_ERROR_NONE || r.len == 0) {
            p->be->ops->read_release(p->be, &r);
            break;
        }
        kafka_batch_iter_t it;
        kafka_batch_iter_init(&it, r.data, r.len, 0);
        kafka_batch_t b;
        kafka_rec_err_t err;
        int64_t next = off;
        while (kafka_batch_iter_next(&it, &b, &err) == 1) {
            kafka_record_iter_t ri;
            if (kafka_record_iter_init(&ri, &b, 0, &err) == 0) {
                kafka_record_t rec;
                while (kafka_record_iter_next(&ri, &rec, &err) == 1) {
                    if (rec.offset >= off) {
                        replay_record(p, &rec);
                        records++;
                    }
                }
                kafka_record_iter_free(&ri);
            }
            next = kafka_batch_last_offset(&b) + 1;
        }
        p->be->ops->read_release(p->be, &r);
        if (next <= off)
            break;
        off = next;
    }
    /* Groups whose metadata and offsets were all deleted. */
    kgw_coord_t *c = p->c;
    uint64_t live = 0;
    for (size_t b = 0; b < c->nbuckets; b++) {
        kgw_group_t *g = c->buckets[b];
        while (g != NULL) {
            kgw_group_t *next = g->next;
            if (g->state == KGW_GROUP_EMPTY && g->generation == 0 && g->offsets.count == 0)
                kgw_group_remove(c, g);
            else
                live += g->offsets.count + (g->meta_value != NULL);
            g = next;
        }
    }
    /* Counted as appended since a snapshot, so a long log is compacted at the
     * first write. */
    p->since_snapshot = records;
    p->live_at_snapshot = live;
    kgw_info("group coordinator: replayed %zu records of %s", records, KGW_OFFSETS_TOPIC);
    return 0;
}
