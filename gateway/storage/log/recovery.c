/* Open-time recovery of one segment: trust the indexes only as far as they
 * agree with the log, then validate every batch after the last trusted
 * index entry and cut the file at the first torn or corrupt one. */
#include "log_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* Drop index entries that point at or past the end of the log. */
static int trim_indexes(kgw_segment_t *s) {
    size_t n = s->oidx.n;
    while (n > 0 && (int64_t)s->oidx.e[n - 1].pos + KGW_LOG_BATCH_HEADER_SIZE > s->size)
        n--;
    int rc = kgw_oindex_truncate(&s->oidx, n);
    if (rc < 0)
        return rc;
    uint32_t last_rel = n > 0 ? s->oidx.e[n - 1].rel : 0;
    size_t t = s->tidx.n;
    while (t > 0 && (n == 0 || s->tidx.e[t - 1].rel > last_rel))
        t--;
    return kgw_tindex_truncate(&s->tidx, t);
}

/* Does the last offset index entry name a batch with the offset it claims? */
static int last_entry_ok(kgw_segment_t *s, int32_t max_batch) {
    if (s->oidx.n == 0)
        return 1;
    const kgw_oidx_entry_t *e = &s->oidx.e[s->oidx.n - 1];
    uint8_t hb[KGW_LOG_BATCH_HEADER_SIZE];
    int rc = kgw_pread_full(s->log_fd, hb, sizeof hb, (off_t)e->pos);
    if (rc == KGW_LOG_ECORRUPT)
        return 0;
    if (rc < 0)
        return rc;
    kgw_batch_hdr_t h;
    if (kgw_batch_parse(hb, sizeof hb, max_batch, &h) < 0)
        return 0;
    return h.base_offset == s->base + (int64_t)e->rel;
}

int64_t kgw_segment_recover(kgw_segment_t *s, const kgw_log_config_t *cfg, int64_t gaps_below) {
    int32_t max_batch = cfg->max_batch_bytes;
    bool rebuild = false;
    int rc = kgw_oindex_load(&s->oidx);
    if (rc < 0)
        return rc;
    rebuild |= rc == 1;
    rc = kgw_tindex_load(&s->tidx);
    if (rc < 0)
        return rc;
    rebuild |= rc == 1;
    if (!rebuild) {
        rc = trim_indexes(s);
        if (rc < 0)
            return rc;
        /* A lost time index would leave max_ts too low and retention would
         * delete early: rebuild both from the start instead. */
        if (s->oidx.n > 0 && s->tidx.n == 0)
            rebuild = true;
        rc = last_entry_ok(s, max_batch);
        if (rc < 0)
            return rc;
        rebuild |= rc == 0;
    }
    if (rebuild) {
        if ((rc = kgw_oindex_truncate(&s->oidx, 0)) < 0 ||
            (rc = kgw_tindex_truncate(&s->tidx, 0)) < 0)
            return rc;
    }

    int64_t pos = 0;
    s->next_offset = s->base;
    s->max_ts = -1;
    if (s->oidx.n > 0) {
        pos = s->oidx.e[s->oidx.n - 1].pos;
        s->next_offset = s->base + s->oidx.e[s->oidx.n - 1].rel;
    }
    if (s->tidx.n > 0)
        s->max_ts = s->tidx.e[s->tidx.n - 1].ts;
    s->since_index = 0;
    int64_t file_size = s->size;

    uint8_t *buf = NULL;
    size_t cap = 0;
    int64_t err = 0;
    while (pos < file_size) {
        if (file_size - pos < KGW_LOG_BATCH_HEADER_SIZE)
            break;
        uint8_t hb[KGW_LOG_BATCH_HEADER_SIZE];
        if ((rc = kgw_pread_full(s->log_fd, hb, sizeof hb, (off_t)pos)) < 0) {
            err = rc;
            break;
        }
        kgw_batch_hdr_t h;
        if (kgw_batch_parse(hb, sizeof hb, max_batch, &h) < 0 ||
            (int64_t)h.total > file_size - pos ||
            h.base_offset + h.last_offset_delta - s->base > INT32_MAX)
            break;
        /* Compaction leaves offset gaps where it removed whole batches. */
        if (h.base_offset != s->next_offset &&
            (h.base_offset < s->next_offset || s->next_offset >= gaps_below))
            break;
        if (h.total > cap) {
            uint8_t *nb = realloc(buf, h.total);
            if (!nb) {
                err = -ENOMEM;
                break;
            }
            buf = nb;
            cap = h.total;
        }
        if ((rc = kgw_pread_full(s->log_fd, buf, h.total, (off_t)pos)) < 0) {
            err = rc;
            break;
        }
        if (!kgw_batch_crc_ok(buf, &h))
            break;
        if ((rc = kgw_segment_note_batch(s, pos, &h, cfg->index_interval_bytes)) < 0) {
            err = rc;
            break;
        }
        pos += (int64_t)h.total;
    }
    free(buf);
    if (err < 0)
        return err;

    int64_t cut = file_size - pos;
    if (cut > 0) {
        if (ftruncate(s->log_fd, (off_t)pos) < 0)
            return -errno;
        s->size = pos;
        /* The batch at the last index entry may itself have been bad. */
        if ((rc = trim_indexes(s)) < 0)
            return rc;
    }
    s->size = pos;
    s->flushed_size = pos;
    s->first_ts = -1;
    if (pos > 0) {
        uint8_t hb[KGW_LOG_BATCH_HEADER_SIZE];
        kgw_batch_hdr_t h;
        if ((rc = kgw_pread_full(s->log_fd, hb, sizeof hb, 0)) < 0)
            return rc;
        if (kgw_batch_parse(hb, sizeof hb, max_batch, &h) == 0)
            s->first_ts = h.max_timestamp;
    }
    return cut;
}
