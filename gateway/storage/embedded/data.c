/* Reads, offsets and DeleteRecords, on the loop thread: they go through the
 * log's mutex and the page cache, concurrently with the I/O thread's
 * appends.
 *
 * Timestamp lookups: a timestamp goes through the log's time index to the
 * first batch whose max timestamp reaches it, and then through that batch's
 * records (decompressed when needed), so the cost is one index search and
 * one batch. MAX_TIMESTAMP (-3) has no index to use: the first query scans
 * every batch header of the log, later ones only what was appended since,
 * until the log start moves past the remembered batch. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "kafka/error_codes.h"
#include "kafka/records.h"

#define SCAN_CHUNK (1u << 20)
#define TS_MAX_TIMESTAMP (-3)

/* Partitions of a deleted topic or of a stopped backend are not found. */
static emb_part_t *live_part(emb_t *be, const char *topic, int32_t partition) {
    emb_part_t *p = emb_part_find(be, topic, partition);
    return p && !p->closed ? p : NULL;
}

int emb_read(kgw_backend_t *b, const char *topic, int32_t partition, int64_t offset,
             size_t max_bytes, kgw_read_result_t *out) {
    memset(out, 0, sizeof *out);
    out->log_start_offset = out->high_watermark = out->last_stable_offset = -1;
    emb_part_t *p = live_part((emb_t *)b, topic, partition);
    if (!p) {
        out->error = KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
        return KGW_ENOTFOUND;
    }
    kgw_log_read_t *r = calloc(1, sizeof *r);
    if (!r)
        return KGW_ENOMEM;
    int rc = kgw_log_read(&p->log, offset, max_bytes, r);
    out->log_start_offset = r->log_start_offset;
    out->high_watermark = out->last_stable_offset = r->high_watermark;
    if (rc < 0) {
        out->error = rc == KGW_LOG_EOFFSET ? KAFKA_ERROR_OFFSET_OUT_OF_RANGE
                                           : KAFKA_ERROR_KAFKA_STORAGE_ERROR;
        out->log_start_offset = kgw_log_start_offset(&p->log);
        out->high_watermark = out->last_stable_offset = kgw_log_high_watermark(&p->log);
        kgw_log_read_free(r);
        free(r);
        return 0;
    }
    out->data = r->data;
    out->len = r->len;
    out->owner = r;
    return 0;
}

void emb_read_release(kgw_backend_t *b, kgw_read_result_t *r) {
    (void)b;
    if (r->owner) {
        kgw_log_read_free(r->owner);
        free(r->owner);
    }
    r->owner = NULL;
    r->data = NULL;
    r->len = 0;
}

int emb_offsets(kgw_backend_t *b, const char *topic, int32_t partition, int64_t *log_start,
                int64_t *high_watermark) {
    emb_part_t *p = live_part((emb_t *)b, topic, partition);
    if (!p)
        return KGW_ENOTFOUND;
    if (log_start)
        *log_start = kgw_log_start_offset(&p->log);
    if (high_watermark)
        *high_watermark = kgw_log_high_watermark(&p->log);
    return 0;
}

/* Calls fn for each batch from the one holding `from` to the log end;
 * fn returns non-zero to stop (1: found). */
static int scan(emb_part_t *p, int64_t from, int (*fn)(void *arg, const kafka_batch_t *b),
                void *arg) {
    int64_t end = kgw_log_end_offset(&p->log);
    while (from < end) {
        kgw_log_read_t r;
        int rc = kgw_log_read(&p->log, from, SCAN_CHUNK, &r);
        if (rc < 0)
            return rc == KGW_LOG_EOFFSET ? 0 : KGW_EIO;
        kafka_batch_iter_t it;
        kafka_batch_iter_init(&it, r.data, r.len, KAFKA_RECORDS_SKIP_CRC);
        kafka_batch_t bt;
        kafka_rec_err_t err;
        int64_t next = from;
        int stop = 0;
        while (!stop && (rc = kafka_batch_iter_next(&it, &bt, &err)) == 1) {
            next = kafka_batch_last_offset(&bt) + 1;
            stop = fn(arg, &bt);
        }
        kgw_log_read_free(&r);
        if (stop)
            return stop < 0 ? stop : 1;
        if (rc < 0)
            return KGW_EIO;
        if (next <= from)
            return KGW_EIO;
        from = next;
    }
    return 0;
}

typedef struct ts_find {
    int64_t ts; /* wanted: first record with timestamp >= ts */
    bool exact; /* wanted: first record with timestamp == ts */
    int64_t min_offset;
    int64_t offset, timestamp;
} ts_find_t;

static int find_record(void *arg, const kafka_batch_t *b) {
    ts_find_t *f = arg;
    if (b->max_timestamp < f->ts || kafka_batch_last_offset(b) < f->min_offset ||
        kafka_batch_is_control(b))
        return 0;
    kafka_record_iter_t it;
    kafka_rec_err_t err;
    if (kafka_record_iter_init(&it, b, 0, &err) < 0)
        return KGW_EIO;
    kafka_record_t rec;
    int rc;
    while ((rc = kafka_record_iter_next(&it, &rec, &err)) == 1) {
        if (rec.offset < f->min_offset)
            continue;
        if (f->exact ? rec.timestamp == f->ts : rec.timestamp >= f->ts) {
            f->offset = rec.offset;
            f->timestamp = rec.timestamp;
            break;
        }
    }
    kafka_record_iter_free(&it);
    if (rc < 0)
        return KGW_EIO;
    return f->offset >= 0;
}

typedef struct max_scan {
    emb_part_t *p;
    int64_t start;
} max_scan_t;

/* The largest timestamp of b's records at or above start. */
static int64_t batch_max_from(const kafka_batch_t *b, int64_t start) {
    if (b->base_offset >= start)
        return b->max_timestamp;
    int64_t best = -1;
    kafka_record_iter_t it;
    kafka_rec_err_t err;
    if (kafka_record_iter_init(&it, b, 0, &err) < 0)
        return -1;
    kafka_record_t rec;
    while (kafka_record_iter_next(&it, &rec, &err) == 1) {
        if (rec.offset >= start && rec.timestamp > best)
            best = rec.timestamp;
    }
    kafka_record_iter_free(&it);
    return best;
}

static int track_max(void *arg, const kafka_batch_t *b) {
    max_scan_t *m = arg;
    emb_part_t *p = m->p;
    if (kafka_batch_last_offset(b) < p->maxts_end || kafka_batch_is_control(b))
        return 0;
    int64_t t = batch_max_from(b, m->start);
    if (t > p->maxts) {
        p->maxts = t;
        p->maxts_batch = b->base_offset;
    }
    return 0;
}

static int max_timestamp(emb_part_t *p, int64_t *offset, int64_t *timestamp) {
    int64_t start = kgw_log_start_offset(&p->log);
    int64_t end = kgw_log_end_offset(&p->log);
    if (!p->maxts_valid || (p->maxts_batch >= 0 && p->maxts_batch < start)) {
        p->maxts = -1;
        p->maxts_batch = -1;
        p->maxts_end = start;
    }
    max_scan_t m = {p, start};
    int rc = scan(p, p->maxts_end, track_max, &m);
    if (rc < 0) {
        p->maxts_valid = false;
        return rc;
    }
    p->maxts_end = end;
    p->maxts_valid = true;
    *offset = *timestamp = -1;
    if (p->maxts_batch < 0)
        return 0;
    ts_find_t f = {p->maxts, true, start, -1, -1};
    rc = scan(p, p->maxts_batch > start ? p->maxts_batch : start, find_record, &f);
    if (rc < 0)
        return rc;
    *offset = f.offset;
    *timestamp = f.timestamp;
    return 0;
}

int emb_offset_for_timestamp(kgw_backend_t *b, const char *topic, int32_t partition, int64_t ts,
                             int64_t *offset, int64_t *timestamp) {
    emb_part_t *p = live_part((emb_t *)b, topic, partition);
    if (!p)
        return KGW_ENOTFOUND;
    *offset = *timestamp = -1;
    if (ts == KGW_LOG_TS_LATEST) {
        *offset = kgw_log_high_watermark(&p->log);
        return 0;
    }
    if (ts == KGW_LOG_TS_EARLIEST) {
        *offset = kgw_log_start_offset(&p->log);
        return 0;
    }
    if (ts == TS_MAX_TIMESTAMP)
        return max_timestamp(p, offset, timestamp);
    if (ts < 0)
        return KGW_EINVAL;
    int64_t batch;
    if (kgw_log_offset_for_time(&p->log, ts, &batch, NULL) < 0)
        return KGW_EIO;
    if (batch < 0)
        return 0;
    ts_find_t f = {ts, false, kgw_log_start_offset(&p->log), -1, -1};
    int rc = scan(p, batch, find_record, &f);
    if (rc < 0)
        return rc;
    *offset = f.offset;
    *timestamp = f.timestamp;
    return 0;
}

int emb_delete_records(kgw_backend_t *b, const char *topic, int32_t partition, int64_t offset,
                       int64_t *low_watermark) {
    emb_part_t *p = live_part((emb_t *)b, topic, partition);
    if (!p)
        return KGW_ENOTFOUND;
    if (offset == -1)
        offset = kgw_log_high_watermark(&p->log);
    int rc = kgw_log_delete_records(&p->log, offset);
    if (low_watermark)
        *low_watermark = kgw_log_start_offset(&p->log);
    if (rc == KGW_LOG_EOFFSET)
        return KGW_EINVAL;
    return rc < 0 ? KGW_EIO : 0;
}

int emb_list_partition_sizes(kgw_backend_t *b, int (*fn)(void *arg, const kgw_partition_size_t *p),
                             void *arg) {
    emb_t *be = (emb_t *)b;
    for (size_t i = 0; i < be->ntopics; i++) {
        emb_topic_t *t = be->topics[i];
        for (int32_t k = 0; k < t->nparts; k++) {
            emb_part_t *p = t->parts[k];
            if (p->closed)
                continue;
            kgw_partition_size_t s = {t->name, k, kgw_log_size_bytes(&p->log), 0,
                                      be->dirs.v[p->dir_idx]};
            if (fn(arg, &s) != 0)
                return 0;
        }
    }
    return 0;
}
