/* The I/O thread: appends, group commit, flush policy, retention, and the
 * completions posted back to the loop.
 *
 * The thread takes the whole queue at once, appends every job in it, then
 * fsyncs each partition that an acks=-1 job is waiting on exactly once, so
 * one fsync serves every request that arrived while the previous one ran.
 * acks=0/1 jobs complete right after the write; their data is flushed when
 * log.flush.interval.messages or log.flush.interval.ms says so, and at
 * shutdown. With acks_all_fsync off, acks=-1 is treated like acks=1 (Kafka's
 * page-cache durability). Readers see appended data at once (the high
 * watermark is the log end), as on a single Kafka broker whose only in-sync
 * replica is the leader. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka/error_codes.h"
#include "kafka/records.h"

int64_t emb_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct io_round {
    emb_part_t **flush; /* partitions to fsync this round */
    size_t nflush, capflush;
    kgw_embedded_stats_t stats;
} io_round_t;

static void push_part(emb_part_t ***v, size_t *n, size_t *cap, emb_part_t *p) {
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        emb_part_t **nv = realloc(*v, ncap * sizeof *nv);
        if (!nv)
            return; /* the partition is flushed at the next round instead */
        *v = nv;
        *cap = ncap;
    }
    (*v)[(*n)++] = p;
}

static void want_flush(io_round_t *round, emb_part_t *p) {
    if (p->in_flush_list)
        return;
    size_t before = round->nflush;
    push_part(&round->flush, &round->nflush, &round->capflush, p);
    p->in_flush_list = round->nflush > before;
}

static void mark_dirty(emb_t *be, emb_part_t *p) {
    if (p->in_dirty_list)
        return;
    size_t before = be->ndirty;
    push_part(&be->dirty, &be->ndirty, &be->capdirty, p);
    if (be->ndirty > before) {
        p->in_dirty_list = true;
        emb_part_ref(p);
    }
}

static int16_t log_error(int rc) {
    switch (rc) {
    case KGW_LOG_ETOOLARGE:
        return KAFKA_ERROR_MESSAGE_TOO_LARGE;
    case KGW_LOG_EBATCH:
        return KAFKA_ERROR_CORRUPT_MESSAGE;
    case KGW_LOG_ECLOSED:
        return KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
    default:
        return KAFKA_ERROR_KAFKA_STORAGE_ERROR;
    }
}

/* One producer's sequence state within the request being checked. */
typedef struct req_producer {
    int64_t pid;
    int16_t epoch;
    int32_t last_seq;
} req_producer_t;

/* Clients send one batch per partition; more producers than this in one
 * request are checked against the stored state only. */
#define REQ_PRODUCERS 8

static int16_t follows_in_request(const req_producer_t *r, const kafka_batch_t *b) {
    if (b->producer_epoch < r->epoch)
        return KAFKA_ERROR_INVALID_PRODUCER_EPOCH;
    if (b->producer_epoch > r->epoch)
        return b->base_sequence == 0 ? 0 : KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER;
    return emb_sequence_follows(r->last_seq, b->base_sequence)
               ? 0
               : KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER;
}

/* Kafka appends one partition's batches of a produce request as a unit, so
 * every batch is checked before any is written: an error anywhere fails the
 * whole request, and a retried batch anywhere makes the request a duplicate,
 * answered with that batch's original offset. A producer's later batches are
 * checked against its earlier ones in the same request. Also stamps
 * LogAppendTime. Caller holds p->mu. Returns false when nothing is to be
 * written (res says why, or carries the duplicate's offset). */
static bool check_request(emb_part_t *p, emb_job_t *job, bool lat, int64_t now,
                          kgw_append_result_t *res) {
    if ((int64_t)job->len > p->log.cfg.segment_bytes) {
        res->error = KAFKA_ERROR_RECORD_LIST_TOO_LARGE;
        res->error_message = "the records are larger than the topic's segment.bytes";
        return false;
    }
    req_producer_t seen[REQ_PRODUCERS];
    int nseen = 0, nbatch = 0, rc;
    kafka_batch_iter_t it;
    kafka_batch_iter_init(&it, job->data, job->len, KAFKA_RECORDS_SKIP_CRC);
    kafka_batch_t b;
    kafka_rec_err_t err;
    while ((rc = kafka_batch_iter_next(&it, &b, &err)) == 1) {
        nbatch++;
        uint8_t *raw = job->data + (b.data - job->data);
        if (lat && kafka_batch_set_max_timestamp(raw, b.size, true, now) < 0)
            break;
        if (b.producer_id < 0)
            continue;
        req_producer_t *r = NULL;
        for (int i = 0; i < nseen && !r; i++)
            r = seen[i].pid == b.producer_id ? &seen[i] : NULL;
        int32_t last_seq = emb_last_sequence(b.base_sequence, b.last_offset_delta);
        /* Duplicates are looked up in the stored state first, as Kafka does. */
        int64_t dup = -1;
        uv_mutex_lock(&p->pmu);
        int16_t e = emb_pstate_check(&p->ps, b.producer_id, b.producer_epoch, b.base_sequence,
                                     last_seq, &dup);
        uv_mutex_unlock(&p->pmu);
        if (dup < 0 && r)
            e = follows_in_request(r, &b);
        if (e != 0) {
            res->error = e;
            res->error_message = e == KAFKA_ERROR_INVALID_PRODUCER_EPOCH
                                     ? "producer epoch is older than the current one"
                                     : "out of order sequence number";
            return false;
        }
        if (dup >= 0) {
            res->base_offset = dup;
            return false;
        }
        if (!r && nseen < REQ_PRODUCERS) {
            r = &seen[nseen++];
            r->pid = b.producer_id;
        }
        if (r) {
            r->epoch = b.producer_epoch;
            r->last_seq = last_seq;
        }
    }
    if (rc != 0) {
        res->error = KAFKA_ERROR_CORRUPT_MESSAGE;
        return false;
    }
    if (nbatch == 0) {
        res->error = KAFKA_ERROR_INVALID_RECORD;
        return false;
    }
    return true;
}

/* Appends the checked batches of a job. A write that fails part way (a
 * storage error) leaves the earlier batches in the log, unacknowledged. */
static int64_t append_batches(emb_part_t *p, emb_job_t *job, bool lat, int64_t now,
                              kgw_append_result_t *res) {
    int64_t msgs = 0;
    kafka_batch_iter_t it;
    kafka_batch_iter_init(&it, job->data, job->len, KAFKA_RECORDS_SKIP_CRC);
    kafka_batch_t b;
    kafka_rec_err_t err;
    bool first = true;
    int rc;
    while ((rc = kafka_batch_iter_next(&it, &b, &err)) == 1) {
        int64_t base;
        if ((rc = kgw_log_append(&p->log, b.data, b.size, now, &base)) < 0) {
            res->error = log_error(rc);
            break;
        }
        if (first)
            res->base_offset = base;
        first = false;
        msgs += b.record_count > 0 ? b.record_count : 1;
        p->bytes_since_snap += (int64_t)b.size;
        if (b.producer_id < 0)
            continue;
        uv_mutex_lock(&p->pmu);
        rc = emb_pstate_update(&p->ps, b.producer_id, b.producer_epoch, b.base_sequence,
                               emb_last_sequence(b.base_sequence, b.last_offset_delta), base,
                               b.last_offset_delta, lat ? now : b.max_timestamp,
                               kafka_batch_is_transactional(&b), kafka_batch_is_control(&b));
        uv_mutex_unlock(&p->pmu);
        if (rc < 0) {
            res->error = KAFKA_ERROR_KAFKA_STORAGE_ERROR;
            break;
        }
    }
    if (rc < 0 && res->error == 0)
        res->error = KAFKA_ERROR_CORRUPT_MESSAGE;
    return msgs;
}

/* Appends the job's batches; returns true if the job waits for an fsync. */
static bool do_append(emb_t *be, emb_job_t *job, int64_t now, io_round_t *round) {
    emb_part_t *p = job->part;
    kgw_append_result_t *res = &job->res;
    res->error = 0;
    res->base_offset = -1;
    res->log_append_time = -1;
    res->log_start_offset = -1;
    uv_mutex_lock(&p->mu);
    if (p->closed) {
        uv_mutex_unlock(&p->mu);
        res->error = KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION;
        return false;
    }
    bool lat = atomic_load(&p->log_append_time);
    int64_t msgs = 0;
    if (check_request(p, job, lat, now, res))
        msgs = append_batches(p, job, lat, now, res);
    else if (res->error == 0)
        round->stats.duplicates++;
    if (lat && res->error == 0)
        res->log_append_time = now;
    res->log_start_offset = kgw_log_start_offset(&p->log);
    job->hw = kgw_log_high_watermark(&p->log);
    /* Bounds what opening the partition after a crash has to replay. */
    if (p->bytes_since_snap >= EMB_SNAPSHOT_BYTES && emb_pstate_snapshot_write(p) == 0)
        p->bytes_since_snap = 0;
    uv_mutex_unlock(&p->mu);
    if (msgs > 0) {
        p->unflushed_msgs += msgs;
        if (p->first_unflushed_ms < 0)
            p->first_unflushed_ms = now;
        mark_dirty(be, p);
    }
    /* A duplicate's original may not be on disk yet either. */
    bool wait =
        job->acks == -1 && be->cfg.acks_all_fsync && res->error == 0 && p->first_unflushed_ms >= 0;
    if (wait)
        want_flush(round, p);
    return wait;
}

static bool policy_wants_flush(const emb_t *be, const emb_part_t *p, int64_t now) {
    if (p->first_unflushed_ms < 0)
        return false;
    if (be->cfg.log_flush_interval_messages > 0 &&
        p->unflushed_msgs >= be->cfg.log_flush_interval_messages)
        return true;
    return be->cfg.log_flush_interval_ms >= 0 &&
           now - p->first_unflushed_ms >= be->cfg.log_flush_interval_ms;
}

/* Earliest time the flush-interval policy needs the thread, or -1. */
static int64_t next_deadline(const emb_t *be) {
    if (be->cfg.log_flush_interval_ms < 0)
        return -1;
    int64_t best = -1;
    for (size_t i = 0; i < be->ndirty; i++) {
        const emb_part_t *p = be->dirty[i];
        if (p->first_unflushed_ms < 0)
            continue;
        int64_t d = be->cfg.log_flush_interval_ms > INT64_MAX - p->first_unflushed_ms
                        ? INT64_MAX
                        : p->first_unflushed_ms + be->cfg.log_flush_interval_ms;
        if (best < 0 || d < best)
            best = d;
    }
    return best;
}

static int flush_part(emb_part_t *p, io_round_t *round) {
    int rc = 0;
    uv_mutex_lock(&p->mu);
    if (!p->closed) {
        rc = kgw_log_flush(&p->log);
        round->stats.fsyncs++;
    }
    uv_mutex_unlock(&p->mu);
    if (rc == 0) {
        p->unflushed_msgs = 0;
        p->first_unflushed_ms = -1;
    }
    return rc;
}

static void snapshot_if_changed(emb_part_t *p) {
    uv_mutex_lock(&p->mu);
    if (!p->closed && kgw_log_end_offset(&p->log) != p->snap_offset)
        emb_pstate_snapshot_write(p);
    uv_mutex_unlock(&p->mu);
}

/* Forgets flushed and snapshotted partitions. */
static void prune_dirty(emb_t *be, bool all) {
    size_t k = 0;
    for (size_t i = 0; i < be->ndirty; i++) {
        emb_part_t *p = be->dirty[i];
        uv_mutex_lock(&p->mu);
        bool keep = !all && !p->closed &&
                    (p->first_unflushed_ms >= 0 || p->snap_offset != p->log.next_offset);
        uv_mutex_unlock(&p->mu);
        if (keep) {
            be->dirty[k++] = p;
        } else {
            p->in_dirty_list = false;
            emb_part_unref(p);
        }
    }
    be->ndirty = k;
}

/* A snapshot written afterwards leaves the expired producers out, so they
 * do not come back when the partition is opened again. */
static void expire_producers(emb_t *be, emb_part_t *p, int64_t now) {
    uv_mutex_lock(&p->mu);
    if (!p->closed) {
        uv_mutex_lock(&p->pmu);
        size_t gone = emb_pstate_expire(&p->ps, now, be->cfg.producer_id_expiration_ms);
        uv_mutex_unlock(&p->pmu);
        if (gone > 0)
            emb_pstate_snapshot_write(p);
    }
    uv_mutex_unlock(&p->mu);
}

static void process(emb_t *be, emb_job_t *jobs, bool final, io_round_t *round) {
    int64_t now = emb_now_ms();
    bool retention = false;
    size_t nwait = 0;
    for (emb_job_t *j = jobs; j; j = j->next) {
        switch (j->kind) {
        case EMB_JOB_APPEND:
            if (do_append(be, j, now, round))
                nwait++;
            round->stats.appends++;
            break;
        case EMB_JOB_RETENTION:
            retention = true;
            uv_mutex_lock(&j->part->mu);
            if (!j->part->closed)
                kgw_log_enforce_retention(&j->part->log, now);
            uv_mutex_unlock(&j->part->mu);
            break;
        case EMB_JOB_EXPIRE_PRODUCERS:
            expire_producers(be, j->part, now);
            break;
        case EMB_JOB_REMOVE_DIR:
            emb_remove_tree(j->path);
            break;
        case EMB_JOB_REJECTED:
            break;
        }
    }
    for (size_t i = 0; i < be->ndirty; i++) {
        if (final || policy_wants_flush(be, be->dirty[i], now))
            want_flush(round, be->dirty[i]);
    }
    if (nwait > 0)
        round->stats.commit_rounds++;
    for (size_t i = 0; i < round->nflush; i++) {
        emb_part_t *p = round->flush[i];
        p->in_flush_list = false;
        if (flush_part(p, round) == 0)
            continue;
        for (emb_job_t *j = jobs; j; j = j->next) {
            if (j->kind == EMB_JOB_APPEND && j->part == p && j->acks == -1 &&
                be->cfg.acks_all_fsync && j->res.error == 0) {
                j->res.error = KAFKA_ERROR_KAFKA_STORAGE_ERROR;
                j->res.error_message = "fsync failed";
            }
        }
    }
    round->nflush = 0;
    if (retention || final) {
        for (size_t i = 0; i < be->ndirty; i++)
            snapshot_if_changed(be->dirty[i]);
        prune_dirty(be, final);
    }
}

static void io_main(void *arg) {
    emb_t *be = arg;
    io_round_t round = {0};
    uv_mutex_lock(&be->qmu);
    for (;;) {
        while (!be->q_head && !be->stop) {
            int64_t deadline = next_deadline(be);
            if (deadline < 0) {
                uv_cond_wait(&be->qcv, &be->qmu);
                continue;
            }
            int64_t now = emb_now_ms();
            if (now >= deadline)
                break;
            /* Capped: a far deadline (the INT64_MAX default) is a plain
             * wait that wakes up hourly, not an overflowing timeout. */
            int64_t wait_ms = deadline - now < 3600000 ? deadline - now : 3600000;
            uv_cond_timedwait(&be->qcv, &be->qmu, (uint64_t)wait_ms * 1000000u);
        }
        emb_job_t *jobs = be->q_head;
        be->q_head = be->q_tail = NULL;
        bool final = be->stop;
        uv_mutex_unlock(&be->qmu);

        memset(&round.stats, 0, sizeof round.stats);
        process(be, jobs, final, &round);

        uv_mutex_lock(&be->qmu);
        be->stats.appends += round.stats.appends;
        be->stats.fsyncs += round.stats.fsyncs;
        be->stats.commit_rounds += round.stats.commit_rounds;
        be->stats.duplicates += round.stats.duplicates;
        if (jobs) {
            emb_job_t *last = jobs;
            while (last->next)
                last = last->next;
            if (be->done_tail)
                be->done_tail->next = jobs;
            else
                be->done_head = jobs;
            be->done_tail = last;
        }
        bool finished = final && !be->q_head;
        if (finished)
            be->thread_finished = true;
        uv_mutex_unlock(&be->qmu);
        if (jobs || finished)
            uv_async_send(&be->async);
        if (finished)
            break;
        uv_mutex_lock(&be->qmu);
    }
    free(round.flush);
}

static void free_job(emb_job_t *j) {
    if (j->part)
        emb_part_unref(j->part);
    free(j->data);
    free(j->path);
    free(j);
}

static void on_handle_closed(uv_handle_t *h) {
    emb_t *be = h->data;
    if (--be->open_handles > 0)
        return;
    if (be->destroy_requested) {
        emb_free(be);
        return;
    }
    if (be->shutdown_done)
        be->shutdown_done(be->shutdown_arg);
}

static void close_handles(emb_t *be) {
    if (!uv_is_closing((uv_handle_t *)&be->async)) {
        uv_close((uv_handle_t *)&be->async, on_handle_closed);
        uv_close((uv_handle_t *)&be->retention_timer, on_handle_closed);
        uv_close((uv_handle_t *)&be->producer_timer, on_handle_closed);
        uv_close((uv_handle_t *)&be->cleaner_timer, on_handle_closed);
    }
}

static void finish_shutdown(emb_t *be) {
    if (be->thread_started) {
        uv_thread_join(&be->thread);
        be->thread_started = false;
    }
    be->shut_down = true;
    for (size_t i = 0; i < be->ntopics; i++) {
        for (int32_t k = 0; k < be->topics[i]->nparts; k++)
            emb_part_close(be->topics[i]->parts[k]);
    }
    close_handles(be);
}

static void on_async(uv_async_t *h) {
    emb_t *be = h->data;
    uv_mutex_lock(&be->qmu);
    emb_job_t *jobs = be->done_head;
    be->done_head = be->done_tail = NULL;
    bool finished = be->thread_finished;
    uv_mutex_unlock(&be->qmu);
    while (jobs) {
        emb_job_t *j = jobs;
        jobs = j->next;
        bool ok = j->kind == EMB_JOB_APPEND && j->res.error == 0;
        if (j->cb)
            j->cb(j->ctx, &j->res);
        if (ok && be->base.on_data)
            be->base.on_data(be->base.on_data_arg, j->part->topic, j->part->index, j->hw);
        free_job(j);
        if (--be->pending == 0 && !be->shutting_down)
            uv_unref((uv_handle_t *)&be->async);
    }
    if (be->shutting_down && finished && !be->shut_down)
        finish_shutdown(be);
}

void emb_io_post(emb_t *be, emb_job_t *job) {
    if (be->pending++ == 0)
        uv_ref((uv_handle_t *)&be->async);
    uv_mutex_lock(&be->qmu);
    job->next = NULL;
    if (job->kind == EMB_JOB_REJECTED) {
        if (be->done_tail)
            be->done_tail->next = job;
        else
            be->done_head = job;
        be->done_tail = job;
        uv_mutex_unlock(&be->qmu);
        uv_async_send(&be->async);
        return;
    }
    if (be->q_tail)
        be->q_tail->next = job;
    else
        be->q_head = job;
    be->q_tail = job;
    uv_cond_signal(&be->qcv);
    uv_mutex_unlock(&be->qmu);
}

static void reject(emb_t *be, kgw_append_cb cb, void *ctx, int16_t error, const char *msg) {
    kgw_append_result_t res = {error, -1, -1, -1, msg};
    emb_job_t *job = be->shut_down ? NULL : calloc(1, sizeof *job);
    if (!job) {
        /* No loop handle left to post through (or no memory): answer now. */
        if (cb)
            cb(ctx, &res);
        return;
    }
    job->kind = EMB_JOB_REJECTED;
    job->res = res;
    job->cb = cb;
    job->ctx = ctx;
    emb_io_post(be, job);
}

void emb_append(kgw_backend_t *b, const char *topic, int32_t partition, const uint8_t *batches,
                size_t len, int16_t acks, kgw_append_cb cb, void *ctx) {
    emb_t *be = (emb_t *)b;
    if (!be->accepting) {
        reject(be, cb, ctx, KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER, "the broker is shutting down");
        return;
    }
    emb_part_t *p = emb_part_find(be, topic, partition);
    if (!p) {
        reject(be, cb, ctx, KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION, NULL);
        return;
    }
    emb_job_t *job = calloc(1, sizeof *job);
    uint8_t *copy = len ? malloc(len) : NULL;
    if (!job || (len && !copy)) {
        free(job);
        free(copy);
        reject(be, cb, ctx, KAFKA_ERROR_KAFKA_STORAGE_ERROR, "out of memory");
        return;
    }
    if (len)
        memcpy(copy, batches, len);
    job->kind = EMB_JOB_APPEND;
    job->part = p;
    emb_part_ref(p);
    job->data = copy;
    job->len = len;
    job->acks = acks;
    job->cb = cb;
    job->ctx = ctx;
    emb_io_post(be, job);
}

/* Posts one job of the kind for every partition. */
static void post_each_partition(emb_t *be, enum emb_job_kind kind) {
    for (size_t i = 0; i < be->ntopics; i++) {
        emb_topic_t *tp = be->topics[i];
        for (int32_t k = 0; k < tp->nparts; k++) {
            emb_job_t *job = calloc(1, sizeof *job);
            if (!job)
                return;
            job->kind = kind;
            job->part = tp->parts[k];
            emb_part_ref(job->part);
            emb_io_post(be, job);
        }
    }
}

static void on_retention_timer(uv_timer_t *t) {
    post_each_partition(t->data, EMB_JOB_RETENTION);
}

static void on_producer_timer(uv_timer_t *t) {
    post_each_partition(t->data, EMB_JOB_EXPIRE_PRODUCERS);
}

/* A repeating housekeeping timer that does not keep the loop alive. */
static void start_periodic(emb_t *be, uv_timer_t *t, uv_timer_cb cb, int64_t interval_ms) {
    uv_timer_init(be->loop, t);
    t->data = be;
    be->open_handles++;
    if (interval_ms > 0)
        uv_timer_start(t, cb, (uint64_t)interval_ms, (uint64_t)interval_ms);
    uv_unref((uv_handle_t *)t);
}

int emb_io_start(emb_t *be) {
    if (uv_async_init(be->loop, &be->async, on_async) < 0)
        return KGW_EIO;
    be->async.data = be;
    be->open_handles++;
    uv_unref((uv_handle_t *)&be->async);
    start_periodic(be, &be->retention_timer, on_retention_timer,
                   be->cfg.log_retention_check_interval_ms);
    start_periodic(be, &be->producer_timer, on_producer_timer,
                   be->cfg.producer_id_expiration_check_interval_ms);
    start_periodic(be, &be->cleaner_timer, emb_cleaner_tick,
                   be->cfg.log_cleaner_enable ? be->cfg.log_cleaner_backoff_ms : 0);
    if (emb_cleaner_start(be) < 0) {
        close_handles(be);
        return KGW_EIO;
    }
    if (uv_thread_create(&be->thread, io_main, be) < 0) {
        close_handles(be);
        return KGW_EIO;
    }
    be->thread_started = true;
    be->accepting = true;
    return 0;
}

void emb_shutdown(kgw_backend_t *b, void (*done)(void *arg), void *arg) {
    emb_t *be = (emb_t *)b;
    if (be->shutting_down)
        return;
    be->accepting = false;
    be->shutting_down = true;
    be->shutdown_done = done;
    be->shutdown_arg = arg;
    uv_timer_stop(&be->retention_timer);
    uv_timer_stop(&be->producer_timer);
    uv_timer_stop(&be->cleaner_timer);
    emb_cleaner_stop(be);
    /* Keeps the loop alive until the thread reports it has finished. */
    uv_ref((uv_handle_t *)&be->async);
    uv_mutex_lock(&be->qmu);
    be->stop = true;
    uv_cond_signal(&be->qcv);
    uv_mutex_unlock(&be->qmu);
}

/* For destroy without a completed shutdown: stops the thread here and
 * drops whatever it had not answered. */
void emb_io_stop_join(emb_t *be) {
    emb_cleaner_stop(be);
    if (be->thread_started) {
        uv_mutex_lock(&be->qmu);
        be->stop = true;
        uv_cond_signal(&be->qcv);
        uv_mutex_unlock(&be->qmu);
        uv_thread_join(&be->thread);
        be->thread_started = false;
    }
    emb_job_t *lists[2] = {be->q_head, be->done_head};
    be->q_head = be->q_tail = be->done_head = be->done_tail = NULL;
    for (int i = 0; i < 2; i++) {
        while (lists[i]) {
            emb_job_t *j = lists[i];
            lists[i] = j->next;
            free_job(j);
        }
    }
    for (size_t i = 0; i < be->ndirty; i++) {
        be->dirty[i]->in_dirty_list = false;
        emb_part_unref(be->dirty[i]);
    }
    be->ndirty = 0;
    be->shut_down = true;
    if (be->open_handles > 0) {
        be->destroy_requested = true;
        close_handles(be);
    }
}
