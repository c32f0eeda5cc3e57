/* Deleting whole segments from the front: retention.ms, retention.bytes
 * and DeleteRecords. */
#include "log_internal.h"

#include <stdlib.h>
#include <string.h>

/* Removes the first n segments; the caller keeps at least one. */
static int drop_head(kgw_log_t *log, size_t n) {
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        int r = kgw_segment_remove(log->segs[i], log->dir_fd);
        if (r < 0 && rc == 0)
            rc = r;
        free(log->segs[i]);
    }
    memmove(log->segs, log->segs + n, (log->nsegs - n) * sizeof *log->segs);
    log->nsegs -= n;
    if (n > 0)
        log->dir_dirty = true;
    if (log->log_start < log->segs[0]->base)
        log->log_start = log->segs[0]->base;
    return rc;
}

int kgw_log_enforce_retention(kgw_log_t *log, int64_t now_ms) {
    pthread_mutex_lock(&log->mu);
    int rc = 0;
    if (!log->open) {
        rc = KGW_LOG_ECLOSED;
        goto out;
    }
    size_t n = 0;
    if (log->cfg.retention_ms >= 0) {
        /* Like Kafka, a segment expires on its newest timestamp, and the
         * scan stops at the first segment that has not. */
        while (n < log->nsegs && log->segs[n]->size > 0 &&
               log->segs[n]->max_ts < now_ms - log->cfg.retention_ms)
            n++;
    }
    if (log->cfg.retention_bytes >= 0) {
        int64_t excess = -log->cfg.retention_bytes;
        for (size_t i = 0; i < log->nsegs; i++)
            excess += log->segs[i]->size;
        for (size_t i = 0; i < n; i++)
            excess -= log->segs[i]->size;
        while (n < log->nsegs && log->segs[n]->size > 0 && excess - log->segs[n]->size >= 0)
            excess -= log->segs[n++]->size;
    }
    if (n == 0)
        goto out;
    if (n == log->nsegs) {
        /* Deleting everything: roll first so the offsets carry on. */
        if ((rc = kgw_log__new_segment(log, log->next_offset)) < 0)
            goto out;
    }
    rc = drop_head(log, n);
    if (rc == 0)
        rc = (int)n;
out:
    pthread_mutex_unlock(&log->mu);
    return rc;
}

int kgw_log_delete_records(kgw_log_t *log, int64_t offset) {
    pthread_mutex_lock(&log->mu);
    int rc = 0;
    if (!log->open) {
        rc = KGW_LOG_ECLOSED;
        goto out;
    }
    if (offset < 0 || offset > log->next_offset) {
        rc = KGW_LOG_EOFFSET;
        goto out;
    }
    if (offset <= log->log_start)
        goto out;
    /* Persist first: a crash after deleting files but before the
     * checkpoint would otherwise resurrect records below the new start. */
    if ((rc = kgw_checkpoint_write(log->dir_fd, offset)) < 0)
        goto out;
    log->log_start = offset;
    size_t n = 0;
    while (n + 1 < log->nsegs && log->segs[n + 1]->base <= offset)
        n++;
    rc = drop_head(log, n);
out:
    pthread_mutex_unlock(&log->mu);
    return rc;
}
