/* Log compaction: one pass of Kafka's log cleaner over a partition (the
 * contract is in log.h). The pass runs in three steps:
 *
 *   1. under the mutex: pick the cleanable range, check the dirty ratio,
 *      note the segments as they are (the pass owns them from then on, for
 *      nothing but retention and DeleteRecords touches a non-active segment);
 *   2. without it: map key -> last offset over the dirty part, then rewrite
 *      every segment below the mapped end into ".cleaned" files, reading
 *      through private descriptors taken under the mutex one segment at a
 *      time (a segment found gone abandons the pass);
 *   3. write the swap plan (the commit point, swap.c), check under the mutex
 *      that every segment of the range is still there, and swap. */
#include "log_internal.h"

#include "kafka/records.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IO_CHUNK (1 << 20)
#define ABANDON 1 /* internal: a segment of the range was deleted meanwhile */

kgw_compact_hook_t kgw_compact_test_hook;
void *kgw_compact_test_hook_arg;

void kgw_log_compact_opts_default(kgw_log_compact_opts_t *opts) {
    memset(opts, 0, sizeof *opts);
    opts->delete_retention_ms = 24LL * 3600 * 1000;
    opts->min_compaction_lag_ms = 0;
    opts->min_cleanable_dirty_ratio = 0.5;
    opts->max_map_bytes = (size_t)128 << 20;
}

static bool stop_at(enum kgw_compact_point p) {
    return kgw_compact_test_hook && kgw_compact_test_hook(p, kgw_compact_test_hook_arg);
}

/* A segment of the cleanable range as it was when the pass began. */
typedef struct cseg {
    kgw_segment_t *seg; /* identity, checked whenever the mutex is taken again */
    int64_t base, size, next_offset;
} cseg_t;

/* Whole batches of one segment file, read in large chunks. */
typedef struct reader {
    int fd;
    int64_t end; /* bytes of the file to read */
    int64_t pos; /* file position of buf[0] */
    uint8_t *buf;
    size_t cap, len, off;
    int32_t max_batch;
} reader_t;

/* The new segment of a group, on ".cleaned" files. */
typedef struct writer {
    kgw_segment_t seg;
    bool open;
    kafka_buf_t pend; /* log bytes not yet written */
    int64_t written;
} writer_t;

typedef struct pass {
    kgw_log_t *log;
    kgw_log_compact_opts_t opts;
    kgw_log_compact_stats_t *st;
    int64_t now;
    int dir_fd;
    int32_t max_batch, interval;
    int64_t segment_bytes;
    size_t decompress_limit;
    cseg_t *segs;
    size_t n;         /* cleanable segments */
    size_t dirty_seg; /* the first one holding dirty offsets */
    int64_t dirty_pos;
    int64_t first_dirty;
    int64_t end; /* one past the last offset the map covers */
    kgw_keymap_t keys;
    kgw_keymap_t pids; /* producer id -> last offset of its last batch */
    bool track_pids, pids_full;
    reader_t rd;
    writer_t w;
    kafka_record_t *recs;
    size_t caprecs;
    kafka_header_t *hdrs;
    size_t caphdrs;
    kafka_batch_builder_t bld;
    kafka_buf_t out;
    kgw_swap_plan_t plan;
    bool committed;        /* the plan is durable: its ".cleaned" files must stay */
    kgw_segment_t **fresh; /* the new segment of each plan group; NULL once in */
    size_t *first;         /* index in segs of each plan group's first segment */
    size_t capgroups;
} pass_t;

/* ---- reading ---- */

static void reader_start(reader_t *r, int fd, int64_t from, int64_t end) {
    r->fd = fd;
    r->pos = from;
    r->end = end;
    r->len = r->off = 0;
}

/* 1 with the next batch, 0 at the end of the file, or a negative error. */
static int reader_next(reader_t *r, const uint8_t **batch, kgw_batch_hdr_t *h) {
    for (;;) {
        size_t avail = r->len - r->off;
        size_t need = KGW_LOG_BATCH_HEADER_SIZE;
        if (avail >= need) {
            if (kgw_batch_parse(r->buf + r->off, avail, r->max_batch, h) < 0)
                return KGW_LOG_ECORRUPT;
            if (h->total <= avail) {
                *batch = r->buf + r->off;
                r->off += h->total;
                return 1;
            }
            need = h->total;
        }
        int64_t next = r->pos + (int64_t)r->len; /* first file byte not in buf */
        if (next >= r->end)
            return avail == 0 ? 0 : KGW_LOG_ECORRUPT;
        if (r->off > 0) {
            memmove(r->buf, r->buf + r->off, avail);
            r->pos += (int64_t)r->off;
            r->len = avail;
            r->off = 0;
        }
        size_t want = need > IO_CHUNK ? need : IO_CHUNK;
        if (want > r->cap) {
            uint8_t *nb = realloc(r->buf, want);
            if (!nb)
                return -ENOMEM;
            r->buf = nb;
            r->cap = want;
        }
        size_t room = r->cap - r->len;
        int64_t left = r->end - next;
        size_t n = (int64_t)room < left ? room : (size_t)left;
        int rc = kgw_pread_full(r->fd, r->buf + r->len, n, (off_t)next);
        if (rc < 0)
            return rc;
        r->len += n;
    }
}

/* Index in log->segs of the segment c names, or -1 if it is gone. */
static ssize_t locate(const kgw_log_t *log, const cseg_t *c) {
    for (size_t i = 0; i < log->nsegs; i++)
        if (log->segs[i] == c->seg && log->segs[i]->base == c->base)
            return (ssize_t)i;
    return -1;
}

/* A private descriptor of cleanable segment i: it stays valid if retention
 * deletes the segment while it is read. ABANDON when it is already gone. */
static bool cancelled(const pass_t *ps) {
    return ps->opts.cancel && atomic_load(ps->opts.cancel);
}

static int acquire(pass_t *ps, size_t i, int *fd) {
    if (cancelled(ps))
        return ABANDON;
    pthread_mutex_lock(&ps->log->mu);
    int rc = 0;
    if (locate(ps->log, &ps->segs[i]) < 0)
        rc = ABANDON;
    else if ((*fd = dup(ps->segs[i].seg->log_fd)) < 0)
        rc = -errno;
    pthread_mutex_unlock(&ps->log->mu);
    return rc;
}

/* ---- step 1: what to clean ---- */

/* 1 when a pass should run, 0 when not; with the mutex held. */
static int select_range(pass_t *ps) {
    kgw_log_t *log = ps->log;
    kgw_log_compact_stats_t *st = ps->st;
    int64_t fd = log->clean_offset;
    if (fd < log->log_start || fd > log->next_offset)
        fd = log->log_start;   /* as Kafka resets a checkpoint the log has left behind */
    size_t k = log->nsegs - 1; /* the active segment is never cleaned */
    size_t d = 0;
    while (d < k && log->segs[d]->next_offset <= fd)
        d++;
    if (ps->opts.min_compaction_lag_ms > 0) {
        for (size_t i = d; i < k; i++) {
            if (log->segs[i]->max_ts > ps->now - ps->opts.min_compaction_lag_ms) {
                k = i;
                break;
            }
        }
    }
    st->first_dirty_offset = fd;
    st->first_uncleanable_offset = log->segs[k]->base;
    if (d >= k)
        return 0;
    int64_t pos = 0;
    if (fd > log->segs[d]->base) {
        kgw_batch_hdr_t h;
        int rc = kgw_segment_find(log->segs[d], fd, log->cfg.max_batch_bytes, &pos, &h);
        if (rc < 0)
            return rc;
        if (rc == 1)
            pos = log->segs[d]->size;
    }
    int64_t total = 0, dirty = log->segs[d]->size - pos;
    for (size_t i = 0; i < k; i++) {
        total += log->segs[i]->size;
        if (i > d)
            dirty += log->segs[i]->size;
    }
    st->dirty_ratio = total > 0 ? (double)dirty / (double)total : 0;
    if (dirty <= 0 || st->dirty_ratio < ps->opts.min_cleanable_dirty_ratio)
        return 0;
    ps->segs = calloc(k, sizeof *ps->segs);
    if (!ps->segs)
        return -ENOMEM;
    for (size_t i = 0; i < k; i++) {
        kgw_segment_t *s = log->segs[i];
        ps->segs[i] = (cseg_t){s, s->base, s->size, s->next_offset};
    }
    ps->n = k;
    ps->dirty_seg = d;
    ps->dirty_pos = pos;
    ps->first_dirty = fd;
    return 1;
}

/* ---- step 2a: the key map ---- */

static int grow_recs(pass_t *ps, size_t need) {
    if (need <= ps->caprecs)
        return 0;
    size_t cap = ps->caprecs ? ps->caprecs * 2 : 256;
    while (cap < need)
        cap *= 2;
    kafka_record_t *p = realloc(ps->recs, cap * sizeof *p);
    if (!p)
        return -ENOMEM;
    ps->recs = p;
    ps->caprecs = cap;
    return 0;
}

/* Keys of one dirty batch: 0, or 1 when the map filled up. A batch that does
 * not decode maps nothing; the cleaning step copies it as it is. */
static int map_batch(pass_t *ps, const uint8_t *p, size_t len) {
    kafka_batch_t b;
    if (kafka_batch_parse(p, len, 0, &b, NULL) != 0 || kafka_batch_is_control(&b))
        return 0;
    kafka_record_iter_t it;
    if (kafka_record_iter_init(&it, &b, ps->decompress_limit, NULL) != 0)
        return 0;
    kafka_record_t rec;
    int rc = 0;
    while (rc == 0 && kafka_record_iter_next(&it, &rec, NULL) == 1) {
        if (rec.key.len >= 0 && rec.offset >= ps->first_dirty)
            rc = kgw_keymap_put(&ps->keys, rec.key.ptr, (size_t)rec.key.len, rec.offset);
    }
    kafka_record_iter_free(&it);
    return rc;
}

static int build_map(pass_t *ps) {
    int64_t latest = ps->first_dirty - 1;
    /* Without the producer callback, the clean part is read too, for the
     * last batch of each producer id. */
    size_t from = ps->track_pids ? 0 : ps->dirty_seg;
    int rc = 0;
    for (size_t i = from; i < ps->n && rc == 0; i++) {
        int fd;
        if ((rc = acquire(ps, i, &fd)) != 0)
            return rc;
        int64_t start = i == ps->dirty_seg && !ps->track_pids ? ps->dirty_pos : 0;
        reader_start(&ps->rd, fd, start, ps->segs[i].size);
        const uint8_t *p;
        kgw_batch_hdr_t h;
        while ((rc = reader_next(&ps->rd, &p, &h)) == 1) {
            if (cancelled(ps)) {
                close(fd); /* not via rc: 1 here means the map is full */
                return ABANDON;
            }
            int64_t last = h.base_offset + h.last_offset_delta;
            int64_t pid = (int64_t)kgw_be64(p + 43);
            if (ps->track_pids && pid >= 0 && !ps->pids_full) {
                int r = kgw_keymap_put(&ps->pids, &pid, sizeof pid, last);
                if (r < 0) {
                    rc = r;
                    break;
                }
                ps->pids_full = r == 1;
            }
            if (last < ps->first_dirty)
                continue;
            if ((rc = map_batch(ps, p, h.total)) != 0)
                break;
            latest = last;
        }
        close(fd);
        if (rc == 0 && i >= ps->dirty_seg)
            latest = ps->segs[i].next_offset - 1; /* past any gap at its end */
    }
    ps->end = latest + 1;
    if (rc == 1) {
        ps->st->map_full = true;
        if (ps->end <= ps->first_dirty)
            return -ENOBUFS; /* not even one batch's keys fit */
        rc = 0;
    }
    ps->st->map_keys = (int64_t)ps->keys.n;
    return rc;
}

/* ---- step 2b: rewriting ---- */

static int writer_flush(writer_t *w) {
    if (w->pend.len == 0)
        return 0;
    int rc = kgw_pwrite_full(w->seg.log_fd, w->pend.ptr, w->pend.len, (off_t)w->written);
    if (rc == 0) {
        w->written += (int64_t)w->pend.len;
        w->pend.len = 0;
    }
    return rc;
}

static int writer_add(pass_t *ps, const uint8_t *p, size_t len) {
    writer_t *w = &ps->w;
    kgw_batch_hdr_t h;
    if (kgw_batch_parse(p, len, ps->max_batch, &h) < 0 || h.total != len)
        return KGW_LOG_ECORRUPT;
    int64_t pos = w->seg.size;
    if (pos + (int64_t)len > INT32_MAX)
        return KGW_LOG_ETOOLARGE; /* index positions are 32-bit */
    int rc = kgw_segment_note_batch(&w->seg, pos, &h, ps->interval);
    if (rc < 0)
        return rc;
    if (kafka_buf_append(&w->pend, p, len) != 0)
        return -ENOMEM;
    return w->pend.len >= IO_CHUNK ? writer_flush(w) : 0;
}

static void writer_discard(pass_t *ps) {
    if (!ps->w.open)
        return;
    int64_t base = ps->w.seg.base;
    kgw_segment_close(&ps->w.seg);
    kgw_segment_unlink(ps->dir_fd, base, KGW_CLEANED_SUFFIX);
    ps->w.open = false;
}

static bool producer_last(pass_t *ps, int64_t pid, int64_t last) {
    if (pid < 0)
        return false;
    if (ps->opts.producer_last_offset)
        return ps->opts.producer_last_offset(ps->opts.producer_arg, pid) == last;
    return ps->pids_full || kgw_keymap_get(&ps->pids, &pid, sizeof pid) == last;
}

static int64_t add_sat(int64_t a, int64_t b) {
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    return a + b;
}

/* Builder failures: out of memory, or 1 for a batch that cannot be built
 * again (kept as it is). */
static int build_rc(int rc) {
    return rc == 0 ? 0 : rc == KAFKA_ENOMEM ? -ENOMEM : 1;
}

/* The kept records of b again, in a batch like b, into ps->out. */
static int rebuild(pass_t *ps, const kafka_batch_t *b, size_t kept, bool stamp) {
    kafka_batch_params_t q;
    kafka_batch_params_from(&q, b);
    q.set_first_timestamp = false; /* the first kept record's, as Kafka's builder */
    if (stamp) {
        q.delete_horizon = true;
        q.delete_horizon_ms = add_sat(ps->now, ps->opts.delete_retention_ms);
    }
    kafka_batch_builder_reset(&ps->bld, &q);
    for (size_t i = 0; i < kept; i++) {
        const kafka_record_t *r = &ps->recs[i];
        if ((size_t)r->header_count > ps->caphdrs) {
            kafka_header_t *nh = realloc(ps->hdrs, (size_t)r->header_count * sizeof *nh);
            if (!nh)
                return -ENOMEM;
            ps->hdrs = nh;
            ps->caphdrs = (size_t)r->header_count;
        }
        kafka_header_iter_t hi;
        kafka_header_iter_init(&hi, r);
        int32_t nh = 0;
        while (nh < r->header_count && kafka_header_iter_next(&hi, &ps->hdrs[nh]) == 1)
            nh++;
        /* The stored timestamp, also for LogAppendTime batches where the
         * iterator reports the batch's. */
        kafka_record_in_t in = {
            .timestamp = (int64_t)((uint64_t)b->first_timestamp + (uint64_t)r->timestamp_delta),
            .key = r->key,
            .value = r->value,
            .headers = ps->hdrs,
            .header_count = nh,
        };
        int rc = build_rc(kafka_batch_builder_add_at(&ps->bld, r->offset, &in));
        if (rc != 0)
            return rc;
    }
    ps->out.len = 0;
    return build_rc(kafka_batch_builder_finish(&ps->bld, &ps->out));
}

/* Decide the records of one batch and write what survives. keep_last: the
 * batch ends its group's last segment and must stay, if only as a header. */
static int clean_batch(pass_t *ps, const uint8_t *p, size_t len, bool keep_last, bool *changed) {
    kgw_log_compact_stats_t *st = ps->st;
    kafka_batch_t b;
    kafka_record_iter_t it;
    if (kafka_batch_parse(p, len, 0, &b, NULL) != 0 || kafka_batch_is_control(&b) ||
        kafka_record_iter_init(&it, &b, ps->decompress_limit, NULL) != 0)
        return writer_add(ps, p, len); /* kept as it is */
    int64_t horizon = kafka_batch_delete_horizon(&b);
    size_t nrec = 0, kept = 0;
    int64_t keyless = 0, tombstones = 0;
    bool kept_tombstone = false;
    kafka_record_t rec;
    int r, rc = 0;
    while ((r = kafka_record_iter_next(&it, &rec, NULL)) == 1) {
        nrec++;
        bool keep = true;
        if (rec.offset >= ps->end) {
            keep = true; /* past the map: untouched this pass */
        } else if (rec.key.len < 0) {
            keep = false;
            keyless++;
        } else {
            int64_t last = kgw_keymap_get(&ps->keys, rec.key.ptr, (size_t)rec.key.len);
            if (rec.offset < last) {
                keep = false;
            } else if (rec.value.len < 0 && horizon != KAFKA_NO_TIMESTAMP && ps->now >= horizon) {
                keep = false;
                tombstones++;
            }
        }
        if (!keep)
            continue;
        if ((rc = grow_recs(ps, kept + 1)) < 0)
            break;
        ps->recs[kept++] = rec;
        kept_tombstone |= rec.value.len < 0;
    }
    /* rc 1: the batch stays as it is; 0: ps->out holds what replaces it
     * (nothing: it goes). */
    bool stamp = kept_tombstone && horizon == KAFKA_NO_TIMESTAMP;
    ps->out.len = 0;
    if (rc == 0 && r < 0) {
        rc = 1; /* records that do not decode */
    } else if (rc == 0 && kept > 0) {
        if (kept == nrec && !stamp)
            rc = 1;
        else if ((rc = rebuild(ps, &b, kept, stamp)) == 0 && ps->out.len > (size_t)ps->max_batch)
            rc = 1; /* a delete horizon lengthens timestamp deltas: better uncompacted than
                       unreadable */
    } else if (rc == 0 &&
               (keep_last || producer_last(ps, b.producer_id, kafka_batch_last_offset(&b)))) {
        if (nrec == 0) {
            rc = 1; /* already a bare header */
        } else {
            kafka_batch_params_t q;
            kafka_batch_params_from(&q, &b);
            rc = build_rc(kafka_batch_empty_build(&ps->out, &q, b.max_timestamp));
        }
    }
    kafka_record_iter_free(&it);
    if (rc < 0)
        return rc;
    st->records_read += (int64_t)nrec;
    if (rc == 1)
        return writer_add(ps, p, len);
    st->records_removed += (int64_t)(nrec - kept);
    st->keyless_removed += keyless;
    st->tombstones_removed += tombstones;
    if (kept > 0)
        st->batches_rebuilt++;
    else if (ps->out.len > 0)
        st->empty_batches_kept++;
    else
        st->batches_removed++;
    *changed = true;
    return ps->out.len ? writer_add(ps, ps->out.ptr, ps->out.len) : 0;
}

static int add_group(pass_t *ps, size_t g0, size_t g1, kgw_segment_t *seg) {
    if (ps->plan.ngroups == ps->capgroups) {
        size_t cap = ps->capgroups ? ps->capgroups * 2 : 8;
        kgw_swap_group_t *ng = realloc(ps->plan.groups, cap * sizeof *ng);
        if (ng)
            ps->plan.groups = ng;
        kgw_segment_t **nf = realloc(ps->fresh, cap * sizeof *nf);
        if (nf)
            ps->fresh = nf;
        size_t *nfi = realloc(ps->first, cap * sizeof *nfi);
        if (nfi)
            ps->first = nfi;
        if (!ng || !nf || !nfi)
            return -ENOMEM;
        ps->capgroups = cap;
    }
    int64_t *olds = malloc((g1 - g0) * sizeof *olds);
    if (!olds)
        return -ENOMEM;
    for (size_t i = g0; i < g1; i++)
        olds[i - g0] = ps->segs[i].base;
    size_t g = ps->plan.ngroups++;
    ps->plan.groups[g] = (kgw_swap_group_t){olds, g1 - g0};
    ps->fresh[g] = seg;
    ps->first[g] = g0;
    return 0;
}

/* Segments [g0, g1) into one new segment. */
static int clean_group(pass_t *ps, size_t g0, size_t g1) {
    writer_t *w = &ps->w;
    int rc = kgw_segment_open_as(&w->seg, ps->dir_fd, ps->segs[g0].base, KGW_CLEANED_SUFFIX, true);
    if (rc < 0)
        return rc;
    w->open = true;
    w->pend.len = 0;
    w->written = 0;
    bool changed = g1 - g0 > 1;
    for (size_t i = g0; i < g1 && rc == 0; i++) {
        int fd;
        if ((rc = acquire(ps, i, &fd)) != 0)
            break;
        reader_start(&ps->rd, fd, 0, ps->segs[i].size);
        const uint8_t *p;
        kgw_batch_hdr_t h;
        while ((rc = reader_next(&ps->rd, &p, &h)) == 1) {
            if (cancelled(ps)) {
                rc = ABANDON;
                break;
            }
            bool keep_last =
                i + 1 == g1 && h.base_offset + h.last_offset_delta + 1 == ps->segs[i].next_offset;
            if ((rc = clean_batch(ps, p, h.total, keep_last, &changed)) < 0)
                break;
        }
        close(fd);
    }
    if (rc == 0 && !changed) {
        writer_discard(ps); /* the same bytes again: leave the segment be */
        return 0;
    }
    if (rc == 0)
        rc = writer_flush(w);
    if (rc == 0 && w->seg.next_offset != ps->segs[g1 - 1].next_offset)
        rc = KGW_LOG_ECORRUPT; /* the last batch is always kept; never swap a shorter log in */
    if (rc == 0 &&
        (fsync(w->seg.log_fd) < 0 || fsync(w->seg.oidx.fd) < 0 || fsync(w->seg.tidx.fd) < 0))
        rc = -errno;
    kgw_segment_t *seg = NULL;
    if (rc == 0 && !(seg = malloc(sizeof *seg)))
        rc = -ENOMEM;
    if (rc != 0) {
        writer_discard(ps);
        return rc;
    }
    w->seg.flushed_size = w->seg.size;
    *seg = w->seg;
    w->open = false;
    if ((rc = add_group(ps, g0, g1, seg)) < 0) {
        int64_t base = seg->base;
        kgw_segment_close(seg);
        kgw_segment_unlink(ps->dir_fd, base, KGW_CLEANED_SUFFIX);
        free(seg);
        return rc;
    }
    for (size_t i = g0; i < g1; i++)
        ps->st->bytes_before += ps->segs[i].size;
    ps->st->bytes_after += seg->size;
    ps->st->segments_rewritten += (int32_t)(g1 - g0);
    ps->st->segments_written++;
    return 0;
}

/* Every segment with offsets below the mapped end, grouped up to
 * segment_bytes (and 2^31 offsets, the index's relative offsets). */
static int clean_range(pass_t *ps) {
    size_t j = 0;
    while (j < ps->n && ps->segs[j].base < ps->end)
        j++;
    for (size_t g0 = 0; g0 < j;) {
        size_t g1 = g0 + 1;
        int64_t bytes = ps->segs[g0].size;
        while (g1 < j && bytes + ps->segs[g1].size <= ps->segment_bytes &&
               ps->segs[g1].next_offset - 1 - ps->segs[g0].base <= INT32_MAX)
            bytes += ps->segs[g1++].size;
        int rc = clean_group(ps, g0, g1);
        if (rc != 0)
            return rc;
        g0 = g1;
    }
    return 0;
}

/* New segments that did not go in. Their files are deleted unless a
 * durable plan may still need them. */
static void release_fresh(pass_t *ps, bool unlink_files) {
    for (size_t g = 0; g < ps->plan.ngroups; g++) {
        if (!ps->fresh[g])
            continue;
        int64_t base = ps->fresh[g]->base;
        kgw_segment_close(ps->fresh[g]);
        if (unlink_files)
            kgw_segment_unlink(ps->dir_fd, base, KGW_CLEANED_SUFFIX);
        free(ps->fresh[g]);
        ps->fresh[g] = NULL;
    }
}

/* ---- step 3: the swap ---- */

/* With the mutex held: the segments from the first group's to the last
 * group's are where they were, one after another (retention may have taken
 * unchanged segments before them). */
static bool range_intact(pass_t *ps, size_t from, size_t to, ssize_t *at) {
    *at = locate(ps->log, &ps->segs[from]);
    if (*at < 0 || (size_t)*at + (to - from) > ps->log->nsegs)
        return false;
    for (size_t i = from; i < to; i++)
        if (ps->log->segs[(size_t)*at + i - from] != ps->segs[i].seg)
            return false;
    return true;
}

static bool hook_locked(enum kgw_compact_point p, void *arg) {
    (void)arg;
    return stop_at(p);
}

/* 0 when swapped, ABANDON, -EINTR when a test stopped it, or an error. */
static int swap_in(pass_t *ps) {
    kgw_log_t *log = ps->log;
    size_t last = ps->plan.ngroups - 1;
    size_t from = ps->first[0], to = ps->first[last] + ps->plan.groups[last].nolds;
    pthread_mutex_lock(&log->mu);
    ssize_t at;
    if (!range_intact(ps, from, to, &at)) {
        pthread_mutex_unlock(&log->mu);
        return ABANDON;
    }
    size_t removed = 0;
    for (size_t g = 0; g < ps->plan.ngroups; g++) {
        const kgw_swap_group_t *grp = &ps->plan.groups[g];
        int rc = kgw_swap_group_apply(ps->dir_fd, grp, hook_locked, NULL);
        if (rc != 0) {
            /* Files are half swapped while memory still holds the old
             * segments (their open descriptors keep them readable): the
             * plan stays, and the next open finishes it. */
            pthread_mutex_unlock(&log->mu);
            return rc == 1 ? KGW_LOG_ECORRUPT : rc;
        }
        size_t idx = (size_t)at + ps->first[g] - from - removed;
        for (size_t i = 0; i < grp->nolds; i++) {
            kgw_segment_close(log->segs[idx + i]);
            free(log->segs[idx + i]);
        }
        log->segs[idx] = ps->fresh[g];
        ps->fresh[g] = NULL;
        memmove(log->segs + idx + 1, log->segs + idx + grp->nolds,
                (log->nsegs - idx - grp->nolds) * sizeof *log->segs);
        log->nsegs -= grp->nolds - 1;
        removed += grp->nolds - 1;
    }
    if (stop_at(KGW_COMPACT_AT_SWAPPED)) {
        pthread_mutex_unlock(&log->mu);
        return -EINTR;
    }
    pthread_mutex_unlock(&log->mu);
    return 0;
}

static int commit(pass_t *ps) {
    int rc = 0;
    if (ps->plan.ngroups > 0) {
        if (stop_at(KGW_COMPACT_AT_WRITTEN))
            return -EINTR;
        ps->plan.clean_offset = ps->end;
        if ((rc = kgw_swap_plan_write(ps->dir_fd, &ps->plan)) < 0)
            return rc;
        ps->committed = true;
        if (stop_at(KGW_COMPACT_AT_COMMITTED))
            return -EINTR;
        rc = swap_in(ps);
        if (rc == ABANDON) {
            /* The plan goes first: a plan whose new files are missing
             * would read as a swap already done. */
            int r = kgw_swap_plan_remove(ps->dir_fd);
            if (r < 0)
                return r;
            ps->committed = false;
            return ABANDON;
        }
        if (rc != 0)
            return rc;
        if (fsync(ps->dir_fd) < 0)
            return -errno;
    }
    if ((rc = kgw_clean_checkpoint_write(ps->dir_fd, ps->end)) < 0)
        return rc;
    if (stop_at(KGW_COMPACT_AT_CHECKPOINTED))
        return -EINTR;
    return ps->plan.ngroups > 0 ? kgw_swap_plan_remove(ps->dir_fd) : 0;
}

/* ---- the pass ---- */

static void pass_free(pass_t *ps) {
    kgw_keymap_free(&ps->keys);
    kgw_keymap_free(&ps->pids);
    free(ps->rd.buf);
    kafka_buf_free(&ps->w.pend);
    free(ps->recs);
    free(ps->hdrs);
    kafka_batch_builder_free(&ps->bld);
    kafka_buf_free(&ps->out);
    kgw_swap_plan_free(&ps->plan);
    free(ps->fresh);
    free(ps->first);
    free(ps->segs);
}

int kgw_log_compact(kgw_log_t *log, int64_t now_ms, const kgw_log_compact_opts_t *opts,
                    kgw_log_compact_stats_t *stats) {
    kgw_log_compact_stats_t local;
    kgw_log_compact_stats_t *st = stats ? stats : &local;
    memset(st, 0, sizeof *st);
    pass_t ps;
    memset(&ps, 0, sizeof ps);
    ps.log = log;
    ps.st = st;
    ps.now = now_ms;
    if (opts)
        ps.opts = *opts;
    else
        kgw_log_compact_opts_default(&ps.opts);
    if (ps.opts.min_cleanable_dirty_ratio < 0 || ps.opts.delete_retention_ms < 0)
        return -EINVAL;

    pthread_mutex_lock(&log->mu);
    int rc = 0;
    if (!log->open)
        rc = KGW_LOG_ECLOSED;
    else if (log->compacting)
        rc = KGW_LOG_EBUSY;
    else if ((rc = select_range(&ps)) == 1)
        log->compacting = true;
    ps.dir_fd = log->dir_fd;
    ps.max_batch = log->cfg.max_batch_bytes;
    ps.interval = log->cfg.index_interval_bytes;
    ps.segment_bytes = log->cfg.segment_bytes;
    pthread_mutex_unlock(&log->mu);
    if (rc != 1) {
        st->end_offset = st->first_dirty_offset;
        pass_free(&ps);
        return rc;
    }

    ps.rd.max_batch = ps.max_batch;
    ps.decompress_limit = (size_t)ps.max_batch * 4;
    ps.track_pids = ps.opts.producer_last_offset == NULL;
    size_t key_bytes = ps.opts.max_map_bytes;
    if (ps.track_pids) {
        size_t pid_bytes = key_bytes / 8;
        key_bytes -= pid_bytes;
        if ((rc = kgw_keymap_init(&ps.pids, pid_bytes)) == -EINVAL)
            ps.pids_full = true; /* too small to track any: keep every producer's batches */
        else if (rc < 0)
            goto done;
    }
    if ((rc = kgw_keymap_init(&ps.keys, key_bytes)) < 0)
        goto done;
    kafka_batch_builder_init(&ps.bld, NULL);

    if ((rc = build_map(&ps)) != 0)
        goto done;
    if (stop_at(KGW_COMPACT_AT_MAPPED)) {
        rc = -EINTR;
        goto done;
    }
    if ((rc = clean_range(&ps)) != 0)
        goto done;
    rc = cancelled(&ps) ? ABANDON : commit(&ps);

done:
    writer_discard(&ps);
    if (rc == -EINTR) {
        /* A test stopped the pass as if the process died: the files stay as
         * they are; the test closes and reopens the log. */
        release_fresh(&ps, false);
        pass_free(&ps);
        return rc;
    }
    /* After a failure past the commit point the plan must stay, with its
     * files, for the next open to finish; no pass may start before that. */
    bool pending = ps.committed && rc != 0;
    release_fresh(&ps, !ps.committed);
    pthread_mutex_lock(&log->mu);
    if (rc == 0) {
        log->clean_offset = ps.end;
        st->cleaned = true;
        st->end_offset = ps.end;
    }
    log->compacting = pending;
    pthread_mutex_unlock(&log->mu);
    if (rc == ABANDON) {
        st->aborted = true;
        st->end_offset = st->first_dirty_offset;
        rc = 0;
    }
    pass_free(&ps);
    return rc;
}
