/* Log compaction for cleanup.policy=compact topics, on a thread of its own
 * so a pass never holds up appends (the I/O thread) or the loop.
 *
 * Every log.cleaner.backoff.ms the loop hands the cleaner the partitions of
 * compacted topics with their options (the topic configs live on the loop
 * thread); the cleaner runs kgw_log_compact on each, which returns at once
 * below the topic's min.cleanable.dirty.ratio. While a pass runs the
 * partition's cmu is held; deleting the topic sets the partition's closing
 * flag, the pass gives up at its next batch, and only then is the log
 * closed. A tick that finds the previous
 * round still running is skipped. The internal __consumer_offsets topic is
 * left alone: the group coordinator snapshots it itself. */
#include "internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "logging.h"

typedef struct emb_clean_job {
    struct emb_clean_job *next;
    emb_part_t *part; /* holds a reference */
    kgw_log_compact_opts_t opts;
} emb_clean_job_t;

/* The last offset of the producer's last batch while its state is kept. */
static int64_t producer_last_offset(void *arg, int64_t producer_id) {
    emb_part_t *p = arg;
    int64_t last = -1;
    uv_mutex_lock(&p->pmu);
    emb_producer_t *e = emb_pstate_find(&p->ps, producer_id);
    if (e && e->nbatches > 0) {
        const emb_batch_meta_t *b = &e->batches[e->nbatches - 1];
        last = b->first_offset + b->offset_delta;
    }
    uv_mutex_unlock(&p->pmu);
    return last;
}

static void compact_one(emb_clean_job_t *j) {
    emb_part_t *p = j->part;
    uv_mutex_lock(&p->cmu);
    uv_mutex_lock(&p->mu);
    bool closed = p->closed;
    uv_mutex_unlock(&p->mu);
    if (closed) {
        uv_mutex_unlock(&p->cmu);
        return;
    }
    kgw_log_compact_stats_t st;
    j->opts.producer_last_offset = producer_last_offset;
    j->opts.producer_arg = p;
    j->opts.cancel = &p->closing;
    int rc = kgw_log_compact(&p->log, emb_now_ms(), &j->opts, &st);
    uv_mutex_unlock(&p->cmu);
    if (rc < 0) {
        kgw_warn("compacting %s-%d: %s", p->topic, (int)p->index, kgw_log_strerror(rc));
    } else if (st.cleaned && st.segments_rewritten > 0) {
        kgw_info("compacted %s-%d up to offset %" PRId64 ": %" PRId64 " of %" PRId64
                 " records removed, %" PRId64 " -> %" PRId64 " bytes",
                 p->topic, (int)p->index, st.end_offset, st.records_removed, st.records_read,
                 st.bytes_before, st.bytes_after);
    }
}

static bool stopping(emb_t *be) {
    uv_mutex_lock(&be->cqmu);
    bool stop = be->cleaner_stop;
    uv_mutex_unlock(&be->cqmu);
    return stop;
}

/* Runs the round's jobs (or, once stopping, just drops them). */
static void run_round(emb_t *be, emb_clean_job_t *jobs) {
    while (jobs) {
        emb_clean_job_t *j = jobs;
        jobs = j->next;
        if (!stopping(be))
            compact_one(j);
        emb_part_unref(j->part);
        free(j);
    }
}

static void cleaner_main(void *arg) {
    emb_t *be = arg;
    uv_mutex_lock(&be->cqmu);
    for (;;) {
        while (!be->clean_head && !be->cleaner_stop)
            uv_cond_wait(&be->cqcv, &be->cqmu);
        emb_clean_job_t *jobs = be->clean_head;
        be->clean_head = NULL;
        bool stop = be->cleaner_stop;
        uv_mutex_unlock(&be->cqmu);
        run_round(be, jobs);
        if (stop)
            return;
        uv_mutex_lock(&be->cqmu);
        be->cleaner_busy = false;
    }
}

static void compact_opts(const emb_t *be, const emb_topic_t *t, kgw_log_compact_opts_t *o) {
    kgw_log_compact_opts_default(o);
    o->delete_retention_ms = emb_topic_cfg_i64(t, "delete.retention.ms", o->delete_retention_ms);
    o->min_compaction_lag_ms =
        emb_topic_cfg_i64(t, "min.compaction.lag.ms", o->min_compaction_lag_ms);
    const char *ratio = emb_topic_cfg(t, "min.cleanable.dirty.ratio");
    if (ratio) {
        char *end;
        double r = strtod(ratio, &end);
        if (*end == '\0' && r >= 0 && r <= 1)
            o->min_cleanable_dirty_ratio = r;
    }
    o->max_map_bytes = (size_t)be->cfg.log_cleaner_dedupe_buffer_size;
}

void emb_cleaner_tick(uv_timer_t *t) {
    emb_t *be = t->data;
    uv_mutex_lock(&be->cqmu);
    bool busy = be->cleaner_busy || be->cleaner_stop;
    uv_mutex_unlock(&be->cqmu);
    if (busy)
        return;
    emb_clean_job_t *head = NULL;
    for (size_t i = 0; i < be->ntopics; i++) {
        emb_topic_t *tp = be->topics[i];
        if (tp->internal || !emb_topic_has_policy(tp, "compact"))
            continue;
        for (int32_t k = 0; k < tp->nparts; k++) {
            emb_clean_job_t *j = calloc(1, sizeof *j);
            if (!j)
                break;
            j->part = tp->parts[k];
            emb_part_ref(j->part);
            compact_opts(be, tp, &j->opts);
            j->next = head;
            head = j;
        }
    }
    if (!head)
        return;
    uv_mutex_lock(&be->cqmu);
    be->clean_head = head;
    be->cleaner_busy = true;
    uv_cond_signal(&be->cqcv);
    uv_mutex_unlock(&be->cqmu);
}

int emb_cleaner_start(emb_t *be) {
    if (uv_mutex_init(&be->cqmu) < 0)
        return KGW_EIO;
    if (uv_cond_init(&be->cqcv) < 0) {
        uv_mutex_destroy(&be->cqmu);
        return KGW_EIO;
    }
    be->cleaner_init = true;
    if (uv_thread_create(&be->cleaner, cleaner_main, be) < 0)
        return KGW_EIO;
    be->cleaner_started = true;
    return 0;
}

void emb_cleaner_stop(emb_t *be) {
    if (!be->cleaner_started)
        return;
    uv_mutex_lock(&be->cqmu);
    be->cleaner_stop = true;
    uv_cond_signal(&be->cqcv);
    uv_mutex_unlock(&be->cqmu);
    /* A pass in progress finishes first; the rest of its round is dropped. */
    uv_thread_join(&be->cleaner);
    be->cleaner_started = false;
}

void emb_cleaner_free(emb_t *be) {
    if (be->cleaner_init) {
        uv_mutex_destroy(&be->cqmu);
        uv_cond_destroy(&be->cqcv);
        be->cleaner_init = false;
    }
}
