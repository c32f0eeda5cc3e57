/* The partition log: segment list, append, read, time lookup, flush. */
#include "log_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void kgw_log_config_default(kgw_log_config_t *cfg) {
    cfg->segment_bytes = 1024 * 1024 * 1024;
    cfg->segment_ms = 7LL * 24 * 3600 * 1000;
    cfg->retention_bytes = -1;
    cfg->retention_ms = 7LL * 24 * 3600 * 1000;
    cfg->index_interval_bytes = 4096;
    cfg->max_batch_bytes = 64 * 1024 * 1024;
    cfg->leader_epoch = 0;
    cfg->flush_on_append = false;
}

const char *kgw_log_strerror(int code) {
    switch (code) {
    case 0:
        return "success";
    case KGW_LOG_EOFFSET:
        return "offset out of range";
    case KGW_LOG_EBATCH:
        return "malformed record batch";
    case KGW_LOG_ECORRUPT:
        return "log files are corrupt";
    case KGW_LOG_ETOOLARGE:
        return "record batch too large";
    case KGW_LOG_ECLOSED:
        return "log is not open";
    default:
        return code < 0 && code > -4000 ? strerror(-code) : "unknown error";
    }
}

static int push_segment(kgw_log_t *log, kgw_segment_t *s) {
    if (log->nsegs == log->capsegs) {
        size_t ncap = log->capsegs ? log->capsegs * 2 : 8;
        kgw_segment_t **p = realloc(log->segs, ncap * sizeof *p);
        if (!p)
            return -ENOMEM;
        log->segs = p;
        log->capsegs = ncap;
    }
    log->segs[log->nsegs++] = s;
    return 0;
}

static int new_segment(kgw_log_t *log, int64_t base) {
    kgw_segment_t *s = malloc(sizeof *s);
    if (!s)
        return -ENOMEM;
    int rc = kgw_segment_open(s, log->dir_fd, base, true);
    if (rc == 0 && (rc = push_segment(log, s)) < 0)
        kgw_segment_remove(s, log->dir_fd);
    if (rc < 0) {
        free(s);
        return rc;
    }
    log->dir_dirty = true;
    return 0;
}

/* Removes segments [from, nsegs). */
static int drop_tail(kgw_log_t *log, size_t from) {
    int rc = 0;
    while (log->nsegs > from) {
        kgw_segment_t *s = log->segs[--log->nsegs];
        int r = kgw_segment_remove(s, log->dir_fd);
        if (r < 0 && rc == 0)
            rc = r;
        free(s);
        log->dir_dirty = true;
    }
    return rc;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Base offsets of the NNNNNNNNNNNNNNNNNNNN.log files in the directory. */
static int list_segments(int dir_fd, int64_t **bases, size_t *n) {
    DIR *d;
    int rc = kgw_dir_scan(dir_fd, &d);
    if (rc < 0)
        return rc;
    size_t cap = 0;
    *bases = NULL;
    *n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *nm = de->d_name;
        if (strlen(nm) != 24 || strcmp(nm + 20, ".log") != 0 || strspn(nm, "0123456789") != 20)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            int64_t *p = realloc(*bases, cap * sizeof *p);
            if (!p) {
                rc = -ENOMEM;
                break;
            }
            *bases = p;
        }
        (*bases)[(*n)++] = strtoll(nm, NULL, 10);
    }
    closedir(d);
    if (rc == 0 && *n > 1)
        qsort(*bases, *n, sizeof **bases, cmp_i64);
    return rc;
}

static int load_segments(kgw_log_t *log) {
    int64_t *bases = NULL;
    size_t n = 0;
    int rc = list_segments(log->dir_fd, &bases, &n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        kgw_segment_t *s = malloc(sizeof *s);
        if (!s) {
            rc = -ENOMEM;
            break;
        }
        if ((rc = kgw_segment_open(s, log->dir_fd, bases[i], false)) < 0) {
            free(s);
            break;
        }
        if ((rc = push_segment(log, s)) < 0) {
            kgw_segment_close(s);
            free(s);
            break;
        }
        /* Compaction leaves offset gaps. A segment before the last was
         * written whole before the next one began, so a gap in it is
         * compaction's; in the last one, still appended to, only gaps below
         * the cleaner checkpoint are. */
        int64_t cut = kgw_segment_recover(s, &log->cfg, i + 1 < n ? INT64_MAX : log->clean_offset);
        if (cut < 0) {
            rc = (int)cut;
            break;
        }
        log->recovered_bytes += cut;
        /* Offsets must continue exactly into the next segment; after a cut
         * or a gap everything later is unreachable and goes. */
        if (i + 1 < n && (cut > 0 || s->next_offset != bases[i + 1])) {
            for (size_t j = i + 1; j < n && rc == 0; j++) {
                kgw_segment_t t;
                if ((rc = kgw_segment_open(&t, log->dir_fd, bases[j], false)) == 0)
                    rc = kgw_segment_remove(&t, log->dir_fd);
            }
            log->dir_dirty = true;
            break;
        }
    }
    free(bases);
    return rc;
}

int kgw_log_open(kgw_log_t *log, const char *dir, const kgw_log_config_t *cfg) {
    memset(log, 0, sizeof *log);
    log->dir_fd = -1;
    log->cfg = *cfg;
    int rc = pthread_mutex_init(&log->mu, NULL);
    if (rc != 0)
        return -rc;
    log->open = true;
    /* File positions in the offset index are 32-bit. */
    if (log->cfg.segment_bytes > INT32_MAX)
        log->cfg.segment_bytes = INT32_MAX;
    if (log->cfg.segment_bytes < KGW_LOG_BATCH_HEADER_SIZE || log->cfg.index_interval_bytes < 0 ||
        log->cfg.max_batch_bytes < KGW_LOG_BATCH_HEADER_SIZE) {
        rc = -EINVAL;
        goto fail;
    }
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        rc = -errno;
        goto fail;
    }
    log->dir = strdup(dir);
    if (!log->dir) {
        rc = -ENOMEM;
        goto fail;
    }
    log->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (log->dir_fd < 0) {
        rc = -errno;
        goto fail;
    }
    int64_t ckpt;
    if ((rc = kgw_checkpoint_read(log->dir_fd, &ckpt)) < 0)
        goto fail;
    /* An interrupted compaction swap first: it decides which segment files
     * are the log's. */
    if ((rc = kgw_swap_recover(log->dir_fd, &log->clean_offset)) < 0)
        goto fail;
    if ((rc = load_segments(log)) < 0)
        goto fail;
    int64_t end = log->nsegs ? log->segs[log->nsegs - 1]->next_offset : ckpt;
    if (ckpt > end) {
        /* Recovery lost data the checkpoint had already passed: start an
         * empty log at the checkpoint rather than reuse deleted offsets. */
        if ((rc = drop_tail(log, 0)) < 0)
            goto fail;
        end = ckpt;
    }
    if (log->nsegs == 0 && (rc = new_segment(log, end)) < 0)
        goto fail;
    log->next_offset = log->segs[log->nsegs - 1]->next_offset;
    log->log_start = ckpt > log->segs[0]->base ? ckpt : log->segs[0]->base;
    log->flushed_offset = log->next_offset;
    return 0;
fail:
    kgw_log_close(log);
    return rc;
}

void kgw_log_close(kgw_log_t *log) {
    if (!log->open)
        return;
    for (size_t i = 0; i < log->nsegs; i++) {
        kgw_segment_close(log->segs[i]);
        free(log->segs[i]);
    }
    free(log->segs);
    if (log->dir_fd >= 0)
        close(log->dir_fd);
    free(log->dir);
    pthread_mutex_destroy(&log->mu);
    log->segs = NULL;
    log->nsegs = log->capsegs = 0;
    log->dir = NULL;
    log->dir_fd = -1;
    log->open = false;
}

static kgw_segment_t *active(kgw_log_t *log) {
    return log->segs[log->nsegs - 1];
}

int kgw_log_append(kgw_log_t *log, const void *batch, size_t len, int64_t now_ms,
                   int64_t *base_offset) {
    const uint8_t *b = batch;
    kgw_batch_hdr_t h;
    if (len > (size_t)log->cfg.max_batch_bytes || (int64_t)len > log->cfg.segment_bytes)
        return KGW_LOG_ETOOLARGE;
    if (kgw_batch_parse(b, len, log->cfg.max_batch_bytes, &h) < 0 || h.total != len)
        return KGW_LOG_EBATCH;
    pthread_mutex_lock(&log->mu);
    int rc = 0;
    if (!log->open) {
        rc = KGW_LOG_ECLOSED;
        goto out;
    }
    kgw_segment_t *s = active(log);
    int64_t base = log->next_offset;
    bool roll = s->size > 0 && (s->size + (int64_t)len > log->cfg.segment_bytes ||
                                (log->cfg.segment_ms >= 0 && s->first_ts >= 0 &&
                                 now_ms - s->first_ts >= log->cfg.segment_ms) ||
                                base + h.last_offset_delta - s->base > INT32_MAX);
    if (roll) {
        if ((rc = new_segment(log, base)) < 0)
            goto out;
        s = active(log);
    }
    int64_t pos = s->size;
    if ((rc = kgw_segment_write(s, b, len, base, log->cfg.leader_epoch)) < 0)
        goto out;
    h.base_offset = base;
    if ((rc = kgw_segment_note_batch(s, pos, &h, log->cfg.index_interval_bytes)) < 0)
        goto out;
    log->next_offset = s->next_offset;
    *base_offset = base;
out:
    pthread_mutex_unlock(&log->mu);
    if (rc == 0 && log->cfg.flush_on_append)
        rc = kgw_log_flush(log);
    return rc;
}

/* Index of the last segment whose base <= offset (offset >= segs[0]->base). */
static size_t seg_floor(kgw_log_t *log, int64_t offset) {
    size_t lo = 0, hi = log->nsegs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (log->segs[mid]->base <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 ? lo - 1 : 0;
}

/* The bytes of segment s's batches from pos that fit in budget (the first
 * always goes whole); *records tells whether any of them holds records. */
static int run_length(kgw_log_t *log, kgw_segment_t *s, int64_t pos, size_t budget, size_t *len,
                      bool *records) {
    uint8_t hb[KGW_LOG_BATCH_HEADER_SIZE];
    kgw_batch_hdr_t h;
    size_t total = 0;
    *records = false;
    for (int64_t p = pos; p + KGW_LOG_BATCH_HEADER_SIZE <= s->size; p += (int64_t)h.total) {
        int rc = kgw_pread_full(s->log_fd, hb, sizeof hb, (off_t)p);
        if (rc < 0)
            return rc;
        if (kgw_batch_parse(hb, sizeof hb, log->cfg.max_batch_bytes, &h) < 0)
            return KGW_LOG_ECORRUPT;
        if (total > 0 && total + h.total > budget)
            break;
        total += h.total;
        *records |= kgw_be32(hb + KGW_LOG_BATCH_HEADER_SIZE - 4) != 0;
    }
    *len = total;
    return 0;
}

int kgw_log_read(kgw_log_t *log, int64_t offset, size_t max_bytes, kgw_log_read_t *out) {
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&log->mu);
    int rc = 0;
    if (!log->open) {
        rc = KGW_LOG_ECLOSED;
        goto out;
    }
    out->log_start_offset = log->log_start;
    out->log_end_offset = log->next_offset;
    out->high_watermark = log->next_offset;
    if (offset < log->log_start || offset > log->next_offset) {
        rc = KGW_LOG_EOFFSET;
        goto out;
    }
    if (offset == log->next_offset)
        goto out;
    /* Batches of one segment, as Kafka reads. Compaction can leave a
     * segment holding only record-less batch headers; then the read goes on
     * into the next segment, so a response is never made of empty batches
     * alone (some clients cannot advance past such a response). */
    for (size_t i = seg_floor(log, offset); i < log->nsegs; i++) {
        kgw_segment_t *s = log->segs[i];
        int64_t pos;
        kgw_batch_hdr_t h;
        rc = kgw_segment_find(s, offset, log->cfg.max_batch_bytes, &pos, &h);
        if (rc < 0)
            goto out;
        if (rc == 1) {
            rc = 0;
            continue;
        }
        /* The first batch goes out whole even past max_bytes, so that a
         * consumer can always make progress; the rest must fit. */
        size_t budget = max_bytes > out->len ? max_bytes - out->len : 0;
        size_t len;
        bool records;
        if ((rc = run_length(log, s, pos, budget, &len, &records)) < 0)
            goto out;
        if (len == 0 || (out->len > 0 && len > budget))
            break;
        uint8_t *grown = realloc(out->data, out->len + len);
        if (!grown) {
            rc = -ENOMEM;
            goto out;
        }
        out->data = grown;
        if ((rc = kgw_pread_full(s->log_fd, out->data + out->len, len, (off_t)pos)) < 0)
            goto out;
        out->len += len;
        if (records)
            break;
        offset = s->next_offset;
    }
out:
    if (rc < 0) {
        free(out->data);
        out->data = NULL;
        out->len = 0;
    }
    pthread_mutex_unlock(&log->mu);
    return rc;
}

void kgw_log_read_free(kgw_log_read_t *r) {
    free(r->data);
    r->data = NULL;
    r->len = 0;
}

int kgw_log_offset_for_time(kgw_log_t *log, int64_t ts, int64_t *offset, int64_t *found_ts) {
    pthread_mutex_lock(&log->mu);
    int rc = 0;
    int64_t off = -1, fts = -1;
    if (!log->open) {
        rc = KGW_LOG_ECLOSED;
        goto out;
    }
    if (ts == KGW_LOG_TS_LATEST) {
        off = log->next_offset;
        goto out;
    }
    if (ts == KGW_LOG_TS_EARLIEST) {
        off = log->log_start;
        goto out;
    }
    for (size_t i = 0; i < log->nsegs; i++) {
        kgw_segment_t *s = log->segs[i];
        if (s->next_offset <= log->log_start)
            continue;
        int64_t pos;
        kgw_batch_hdr_t h;
        rc = kgw_segment_find_time(s, ts, log->log_start, log->cfg.max_batch_bytes, &pos, &h);
        if (rc < 0)
            goto out;
        if (rc == 0) {
            off = h.base_offset > log->log_start ? h.base_offset : log->log_start;
            fts = h.max_timestamp;
            break;
        }
        rc = 0;
    }
out:
    pthread_mutex_unlock(&log->mu);
    if (rc == 0) {
        *offset = off;
        if (found_ts)
            *found_ts = fts;
    }
    return rc;
}

typedef struct pending_sync {
    int fd;
    int64_t base;
    int64_t size;
} pending_sync_t;

int kgw_log_flush(kgw_log_t *log) {
    pthread_mutex_lock(&log->mu);
    if (!log->open) {
        pthread_mutex_unlock(&log->mu);
        return KGW_LOG_ECLOSED;
    }
    size_t n = 0;
    for (size_t i = 0; i < log->nsegs; i++)
        n += log->segs[i]->size > log->segs[i]->flushed_size;
    pending_sync_t *ps = n ? calloc(n, sizeof *ps) : NULL;
    if (n && !ps) {
        pthread_mutex_unlock(&log->mu);
        return -ENOMEM;
    }
    int rc = 0;
    size_t k = 0;
    for (size_t i = 0; i < log->nsegs && rc == 0; i++) {
        kgw_segment_t *s = log->segs[i];
        if (s->size <= s->flushed_size)
            continue;
        /* A private descriptor keeps the file valid while the lock is
         * dropped, even if retention deletes the segment meanwhile. */
        int fd = dup(s->log_fd);
        if (fd < 0) {
            rc = -errno;
            break;
        }
        ps[k++] = (pending_sync_t){fd, s->base, s->size};
    }
    int64_t target = log->next_offset;
    bool dir = log->dir_dirty;
    log->dir_dirty = false;
    int dir_fd = log->dir_fd;
    pthread_mutex_unlock(&log->mu);

    for (size_t i = 0; i < k && rc == 0; i++)
        if (fdatasync(ps[i].fd) < 0)
            rc = -errno;
    if (rc == 0 && dir && fsync(dir_fd) < 0)
        rc = -errno;

    pthread_mutex_lock(&log->mu);
    if (rc == 0) {
        for (size_t i = 0; i < k; i++) {
            for (size_t j = 0; j < log->nsegs; j++) {
                kgw_segment_t *s = log->segs[j];
                if (s->base == ps[i].base && s->flushed_size < ps[i].size)
                    s->flushed_size = ps[i].size;
            }
        }
        if (log->flushed_offset < target)
            log->flushed_offset = target;
    } else if (dir) {
        log->dir_dirty = true;
    }
    pthread_mutex_unlock(&log->mu);
    for (size_t i = 0; i < k; i++)
        close(ps[i].fd);
    free(ps);
    return rc;
}

#define LOCKED_GETTER(type, name, expr)                                                            \
    type name(kgw_log_t *log) {                                                                    \
        pthread_mutex_lock(&log->mu);                                                              \
        type v = (expr);                                                                           \
        pthread_mutex_unlock(&log->mu);                                                            \
        return v;                                                                                  \
    }

static int64_t total_size(kgw_log_t *log) {
    int64_t t = 0;
    for (size_t i = 0; i < log->nsegs; i++)
        t += log->segs[i]->size;
    return t;
}

LOCKED_GETTER(int64_t, kgw_log_start_offset, log->log_start)
LOCKED_GETTER(int64_t, kgw_log_end_offset, log->next_offset)
LOCKED_GETTER(int64_t, kgw_log_high_watermark, log->next_offset)
LOCKED_GETTER(int64_t, kgw_log_size_bytes, total_size(log))
LOCKED_GETTER(size_t, kgw_log_segment_count, log->nsegs)

/* Retention and DeleteRecords (retention.c) share the segment helpers. */
int kgw_log__new_segment(kgw_log_t *log, int64_t base) {
    return new_segment(log, base);
}
