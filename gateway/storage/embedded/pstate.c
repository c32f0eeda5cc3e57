/* Idempotent-producer state of one partition, as Kafka's ProducerStateManager
 * keeps it: per producer id the epoch and the sequence ranges and offsets of
 * its last five batches.
 *
 * Persistence: a snapshot file (producer.snapshot in the partition
 * directory) holds the state as of an offset; it is written after every
 * EMB_SNAPSHOT_BYTES appended, at each retention check when the log has
 * grown, and at shutdown. Opening a partition loads the snapshot and
 * replays the batches from its offset to the log end. A snapshot beyond the
 * recovered log end (its data was lost in a crash) is ignored and the whole
 * log is replayed instead. */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/records.h"

#define SNAPSHOT_MAGIC "kgw-producer-snapshot 1"
#define REPLAY_CHUNK (4u << 20)

int32_t emb_last_sequence(int32_t base_seq, int32_t offset_delta) {
    /* Sequences wrap from INT32_MAX to 0. */
    if (base_seq > INT32_MAX - offset_delta)
        return offset_delta - (INT32_MAX - base_seq) - 1;
    return base_seq + offset_delta;
}

bool emb_sequence_follows(int32_t last, int32_t next) {
    return (int64_t)next == (int64_t)last + 1 || (next == 0 && last == INT32_MAX);
}

static size_t lower_bound(const emb_pstate_t *ps, int64_t pid) {
    size_t lo = 0, hi = ps->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ps->v[mid].pid < pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

emb_producer_t *emb_pstate_find(emb_pstate_t *ps, int64_t pid) {
    size_t i = lower_bound(ps, pid);
    return i < ps->n && ps->v[i].pid == pid ? &ps->v[i] : NULL;
}

static emb_producer_t *get_or_add(emb_pstate_t *ps, int64_t pid) {
    size_t i = lower_bound(ps, pid);
    if (i < ps->n && ps->v[i].pid == pid)
        return &ps->v[i];
    if (ps->n == ps->cap) {
        size_t ncap = ps->cap ? ps->cap * 2 : 8;
        emb_producer_t *v = realloc(ps->v, ncap * sizeof *v);
        if (!v)
            return NULL;
        ps->v = v;
        ps->cap = ncap;
    }
    memmove(&ps->v[i + 1], &ps->v[i], (ps->n - i) * sizeof *ps->v);
    ps->n++;
    emb_producer_t *e = &ps->v[i];
    memset(e, 0, sizeof *e);
    e->pid = pid;
    e->epoch = -1;
    e->last_timestamp = -1;
    e->coordinator_epoch = -1;
    e->txn_start = -1;
    return e;
}

void emb_pstate_free(emb_pstate_t *ps) {
    free(ps->v);
    ps->v = NULL;
    ps->n = ps->cap = 0;
}

int16_t emb_pstate_check(emb_pstate_t *ps, int64_t pid, int16_t epoch, int32_t base_seq,
                         int32_t last_seq, int64_t *dup_offset) {
    *dup_offset = -1;
    emb_producer_t *e = emb_pstate_find(ps, pid);
    /* Kafka accepts any sequence from a producer it has no state for (it
     * may have been removed by retention or DeleteRecords). */
    if (!e || e->epoch < 0)
        return 0;
    if (epoch == e->epoch) {
        for (int i = 0; i < e->nbatches; i++) {
            if (e->batches[i].first_seq == base_seq && e->batches[i].last_seq == last_seq) {
                *dup_offset = e->batches[i].first_offset;
                return 0;
            }
        }
    }
    if (epoch < e->epoch)
        return 47; /* INVALID_PRODUCER_EPOCH */
    if (epoch != e->epoch)
        return base_seq == 0 ? 0 : 45; /* a new epoch starts at sequence 0 */
    int32_t last = e->nbatches ? e->batches[e->nbatches - 1].last_seq : -1;
    return emb_sequence_follows(last, base_seq) ? 0 : 45; /* OUT_OF_ORDER_SEQUENCE_NUMBER */
}

int emb_pstate_update(emb_pstate_t *ps, int64_t pid, int16_t epoch, int32_t base_seq,
                      int32_t last_seq, int64_t first_offset, int32_t offset_delta, int64_t max_ts,
                      bool transactional, bool control) {
    emb_producer_t *e = get_or_add(ps, pid);
    if (!e)
        return KGW_ENOMEM;
    if (epoch != e->epoch) {
        e->epoch = epoch;
        e->nbatches = 0;
    }
    if (max_ts > e->last_timestamp)
        e->last_timestamp = max_ts;
    if (control) {
        /* An end-transaction marker closes the open transaction. */
        e->txn_start = -1;
        return 0;
    }
    if (transactional && e->txn_start < 0)
        e->txn_start = first_offset;
    if (e->nbatches == EMB_PRODUCER_BATCHES) {
        memmove(&e->batches[0], &e->batches[1], (EMB_PRODUCER_BATCHES - 1) * sizeof *e->batches);
        e->nbatches--;
    }
    e->batches[e->nbatches++] =
        (emb_batch_meta_t){base_seq, last_seq, first_offset, offset_delta, max_ts};
    return 0;
}

size_t emb_pstate_expire(emb_pstate_t *ps, int64_t now, int64_t expiration_ms) {
    size_t k = 0;
    for (size_t i = 0; i < ps->n; i++) {
        const emb_producer_t *e = &ps->v[i];
        /* Kafka keeps a producer with an open transaction however old. */
        if (e->txn_start >= 0 || now - e->last_timestamp < expiration_ms)
            ps->v[k++] = *e;
    }
    size_t gone = ps->n - k;
    ps->n = k;
    return gone;
}

int emb_pstate_snapshot_write(emb_part_t *p) {
    uv_mutex_lock(&p->pmu);
    int64_t end = kgw_log_end_offset(&p->log);
    size_t cap = 64 + p->ps.n * (96 + EMB_PRODUCER_BATCHES * 80), len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        uv_mutex_unlock(&p->pmu);
        return KGW_ENOMEM;
    }
    len += (size_t)snprintf(buf + len, cap - len, SNAPSHOT_MAGIC "\noffset %" PRId64 "\n", end);
    for (size_t i = 0; i < p->ps.n; i++) {
        const emb_producer_t *e = &p->ps.v[i];
        len += (size_t)snprintf(
            buf + len, cap - len, "p %" PRId64 " %d %" PRId64 " %d %" PRId64 " %d", e->pid,
            (int)e->epoch, e->last_timestamp, (int)e->coordinator_epoch, e->txn_start, e->nbatches);
        for (int k = 0; k < e->nbatches; k++) {
            const emb_batch_meta_t *m = &e->batches[k];
            len += (size_t)snprintf(
                buf + len, cap - len, " %" PRId32 " %" PRId32 " %" PRId64 " %" PRId32 " %" PRId64,
                m->first_seq, m->last_seq, m->first_offset, m->offset_delta, m->max_timestamp);
        }
        len += (size_t)snprintf(buf + len, cap - len, "\n");
    }
    uv_mutex_unlock(&p->pmu);
    int rc = emb_write_file_atomic(p->dir, EMB_SNAPSHOT_FILE, buf, len);
    free(buf);
    if (rc == 0)
        p->snap_offset = end;
    return rc;
}

static int read_all(const char *path, char **out) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? 1 : -errno;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (len + 1 < cap)
            break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (!buf)
        return -ENOMEM;
    buf[len] = '\0';
    *out = buf;
    return 0;
}

/* Returns the snapshot's offset, or -1 when there is no usable snapshot. */
static int64_t snapshot_load(emb_part_t *p, int64_t log_end) {
    char path[4352], *text = NULL;
    snprintf(path, sizeof path, "%s/%s", p->dir, EMB_SNAPSHOT_FILE);
    if (read_all(path, &text) != 0)
        return -1;
    int64_t offset = -1;
    char *s = text, *end;
    if (strncmp(s, SNAPSHOT_MAGIC "\noffset ", sizeof SNAPSHOT_MAGIC + 7) != 0)
        goto bad;
    s += sizeof SNAPSHOT_MAGIC + 7;
    offset = strtoll(s, &end, 10);
    if (end == s || offset < 0 || offset > log_end)
        goto bad;
    s = end;
    while (*s) {
        while (*s == '\n')
            s++;
        if (!*s)
            break;
        if (*s++ != 'p')
            goto bad;
        int64_t v[6];
        for (int i = 0; i < 6; i++) {
            v[i] = strtoll(s, &end, 10);
            if (end == s)
                goto bad;
            s = end;
        }
        if (v[5] < 0 || v[5] > EMB_PRODUCER_BATCHES)
            goto bad;
        emb_producer_t *e = get_or_add(&p->ps, v[0]);
        if (!e)
            goto bad;
        e->epoch = (int16_t)v[1];
        e->last_timestamp = v[2];
        e->coordinator_epoch = (int32_t)v[3];
        e->txn_start = v[4];
        e->nbatches = (int)v[5];
        for (int k = 0; k < e->nbatches; k++) {
            int64_t m[5];
            for (int i = 0; i < 5; i++) {
                m[i] = strtoll(s, &end, 10);
                if (end == s)
                    goto bad;
                s = end;
            }
            e->batches[k] =
                (emb_batch_meta_t){(int32_t)m[0], (int32_t)m[1], m[2], (int32_t)m[3], m[4]};
        }
    }
    free(text);
    return offset;
bad:
    free(text);
    emb_pstate_free(&p->ps);
    return -1;
}

/* Feeds every batch from `from` to the log end through the state, without
 * the checks: what is in the log was accepted. */
static int replay(emb_part_t *p, int64_t from) {
    int64_t end = kgw_log_end_offset(&p->log);
    while (from < end) {
        kgw_log_read_t r;
        int rc = kgw_log_read(&p->log, from, REPLAY_CHUNK, &r);
        if (rc < 0)
            return rc;
        kafka_batch_iter_t it;
        kafka_batch_iter_init(&it, r.data, r.len, KAFKA_RECORDS_SKIP_CRC);
        kafka_batch_t b;
        kafka_rec_err_t err;
        int64_t next = from;
        while ((rc = kafka_batch_iter_next(&it, &b, &err)) == 1) {
            next = kafka_batch_last_offset(&b) + 1;
            if (b.producer_id < 0 || kafka_batch_last_offset(&b) < from)
                continue;
            rc = emb_pstate_update(&p->ps, b.producer_id, b.producer_epoch, b.base_sequence,
                                   emb_last_sequence(b.base_sequence, b.last_offset_delta),
                                   b.base_offset, b.last_offset_delta, b.max_timestamp,
                                   kafka_batch_is_transactional(&b), kafka_batch_is_control(&b));
            if (rc < 0)
                break;
        }
        kgw_log_read_free(&r);
        if (rc < 0)
            return rc;
        if (next <= from)
            return KGW_EIO;
        from = next;
    }
    return 0;
}

int emb_pstate_rebuild(emb_part_t *p) {
    int64_t start = kgw_log_start_offset(&p->log);
    int64_t end = kgw_log_end_offset(&p->log);
    int64_t from = snapshot_load(p, end);
    p->snap_offset = from;
    if (from < start)
        from = start;
    return replay(p, from);
}

int emb_list_producers(kgw_backend_t *b, const char *topic, int32_t partition,
                       int (*fn)(void *arg, const kgw_producer_state_t *p), void *arg) {
    emb_part_t *p = emb_part_find((emb_t *)b, topic, partition);
    if (!p)
        return KGW_ENOTFOUND;
    uv_mutex_lock(&p->pmu);
    size_t n = p->ps.n;
    kgw_producer_state_t *v = n ? malloc(n * sizeof *v) : NULL;
    if (n && !v) {
        uv_mutex_unlock(&p->pmu);
        return KGW_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const emb_producer_t *e = &p->ps.v[i];
        v[i] = (kgw_producer_state_t){
            .producer_id = e->pid,
            .producer_epoch = e->epoch,
            .last_sequence = e->nbatches ? e->batches[e->nbatches - 1].last_seq : -1,
            .last_timestamp = e->last_timestamp,
            .coordinator_epoch = e->coordinator_epoch,
            .current_txn_start_offset = e->txn_start,
        };
    }
    uv_mutex_unlock(&p->pmu);
    /* Called without the lock: fn may take its time. */
    for (size_t i = 0; i < n; i++) {
        if (fn(arg, &v[i]) != 0)
            break;
    }
    free(v);
    return 0;
}
