/* Shared state of the embedded backend. Only the files of this folder
 * include it.
 *
 * Threads: the loop thread owns the topic table and every uv handle; the
 * I/O thread appends, flushes and enforces retention. What both touch:
 * - a partition's log: kgw_log_t has its own mutex;
 * - a partition's open/closed state: part->mu, held by the I/O thread for
 *   each operation on the log and by the loop thread to close it;
 * - a partition's producer state: part->pmu;
 * - the job queues: be->qmu.
 * Partitions are reference counted so a queued job keeps its partition
 * alive after the topic is deleted. */
#ifndef KGW_EMBEDDED_INTERNAL_H
#define KGW_EMBEDDED_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "../../config.h"
#include "../../log_dirs.h"
#include "../backend.h"
#include "../log/log.h"
#include "embedded.h"

#define EMB_TOPICS_DIR "__kgw_topics"
#define EMB_PRODUCER_IDS_FILE "__kgw_producer_ids"
#define EMB_SNAPSHOT_FILE "producer.snapshot"
#define EMB_DELETE_SUFFIX "-delete"
/* Kafka keeps the sequence ranges of the last five batches per producer. */
#define EMB_PRODUCER_BATCHES 5
/* Appended bytes between producer-state snapshots. */
#define EMB_SNAPSHOT_BYTES (128LL << 20)
/* Producer ids are reserved on disk a block at a time. */
#define EMB_PRODUCER_ID_BLOCK 1000

typedef struct emb_batch_meta {
    int32_t first_seq;
    int32_t last_seq;
    int64_t first_offset;
    int32_t offset_delta;
    int64_t max_timestamp;
} emb_batch_meta_t;

typedef struct emb_producer {
    int64_t pid;
    int16_t epoch;
    int64_t last_timestamp;
    int32_t coordinator_epoch;
    int64_t txn_start;
    int nbatches; /* batches[0] is the oldest */
    emb_batch_meta_t batches[EMB_PRODUCER_BATCHES];
} emb_producer_t;

typedef struct emb_pstate {
    emb_producer_t *v; /* sorted by pid */
    size_t n, cap;
} emb_pstate_t;

typedef struct emb_part {
    atomic_int refs;
    char *topic;
    int32_t index;
    size_t dir_idx; /* which of be->dirs holds it; set at open */
    char *dir;      /* <log dir>/<topic>-<index> */
    kgw_log_t log;
    uv_mutex_t mu;
    bool closed; /* mu */
    atomic_bool log_append_time;
    uv_mutex_t pmu;
    emb_pstate_t ps;     /* pmu */
    uv_mutex_t cmu;      /* held by a compaction pass; taken before mu */
    atomic_bool closing; /* set before closing: a compaction pass gives up */
    /* I/O thread only */
    int64_t unflushed_msgs;
    int64_t first_unflushed_ms; /* -1 when everything is flushed */
    bool in_dirty_list;
    bool in_flush_list;
    int64_t bytes_since_snap;
    int64_t snap_offset;
    /* loop thread only: MAX_TIMESTAMP cache covering [.., maxts_end) */
    bool maxts_valid;
    int64_t maxts, maxts_batch, maxts_end;
} emb_part_t;

typedef struct emb_cfg {
    char *key;
    char *value;
} emb_cfg_t;

typedef struct emb_topic {
    char name[256];
    kafka_uuid_t id;
    int32_t nparts;
    emb_part_t **parts;
    emb_cfg_t *cfgs;
    size_t ncfgs;
    bool internal;
} emb_topic_t;

enum emb_job_kind {
    EMB_JOB_APPEND,
    EMB_JOB_RETENTION,
    EMB_JOB_EXPIRE_PRODUCERS,
    EMB_JOB_REMOVE_DIR,
    EMB_JOB_REJECTED, /* completes with its preset result */
};

typedef struct emb_job {
    struct emb_job *next;
    enum emb_job_kind kind;
    emb_part_t *part; /* holds a reference */
    uint8_t *data;
    size_t len;
    int16_t acks;
    kgw_append_cb cb;
    void *ctx;
    kgw_append_result_t res;
    int64_t hw;
    char *path; /* EMB_JOB_REMOVE_DIR */
} emb_job_t;

typedef struct emb {
    kgw_backend_t base;
    uv_loop_t *loop;
    kgw_config_t cfg;
    /* Canonical paths of log.dirs. The first also holds the broker-wide
     * files (topic metadata, producer ids), as Kafka keeps its metadata log
     * in the first log dir. */
    kgw_log_dirs_t dirs;
    int64_t max_batch_bytes;

    emb_topic_t **topics; /* sorted by name */
    size_t ntopics, captopics;

    int64_t next_pid, pid_limit;

    int *lock_fds;  /* one per dir, -1 when not taken */
    bool sync_init; /* qmu and qcv */
    uv_thread_t thread;
    bool thread_started;
    uv_mutex_t qmu;
    uv_cond_t qcv;
    emb_job_t *q_head, *q_tail;       /* qmu: to the I/O thread */
    emb_job_t *done_head, *done_tail; /* qmu: back to the loop */
    bool stop;                        /* qmu */
    bool thread_finished;             /* qmu */
    size_t pending;                   /* loop: jobs not yet completed */

    uv_async_t async;
    uv_timer_t retention_timer;
    uv_timer_t producer_timer; /* producer.id.expiration.check.interval.ms */
    uv_timer_t cleaner_timer;  /* log.cleaner.backoff.ms */

    /* cleaner.c */
    uv_thread_t cleaner;
    bool cleaner_init, cleaner_started;
    uv_mutex_t cqmu;
    uv_cond_t cqcv;
    struct emb_clean_job *clean_head; /* cqmu: the round to run */
    bool cleaner_busy, cleaner_stop;  /* cqmu */
    int open_handles;
    bool accepting;
    bool shutting_down;
    bool shut_down;
    bool destroy_requested;
    void (*shutdown_done)(void *arg);
    void *shutdown_arg;

    /* I/O thread only */
    emb_part_t **dirty;
    size_t ndirty, capdirty;

    kgw_embedded_stats_t stats; /* atomics would be overkill: read under qmu */
} emb_t;

static inline const char *emb_meta_dir(const emb_t *be) {
    return be->dirs.v[0];
}

/* partition.c */
/* Opens (creating if missing) partition `index` of t in be->dirs.v[dir_idx]. */
int emb_part_open(emb_t *be, emb_topic_t *t, int32_t index, size_t dir_idx, emb_part_t **out);
void emb_part_ref(emb_part_t *p);
void emb_part_unref(emb_part_t *p);
/* Closes the log (waiting for the I/O thread's current operation on it and
 * for a compaction pass). */
void emb_part_close(emb_part_t *p);
void emb_part_apply_configs(emb_t *be, emb_topic_t *t, emb_part_t *p);
char *emb_part_path(const char *log_dir, const char *topic, int32_t index);
/* An explicit topic config, or NULL; as an integer, or dflt. */
const char *emb_topic_cfg(const emb_topic_t *t, const char *key);
int64_t emb_topic_cfg_i64(const emb_topic_t *t, const char *key, int64_t dflt);
/* Whether the topic's cleanup.policy list (Kafka's default: delete)
 * contains policy. */
bool emb_topic_has_policy(const emb_topic_t *t, const char *policy);

/* cleaner.c: compaction of cleanup.policy=compact topics */
int emb_cleaner_start(emb_t *be);
/* Joins the thread (after the pass in progress). */
void emb_cleaner_stop(emb_t *be);
void emb_cleaner_free(emb_t *be);
/* The loop's timer: hands the cleaner a round of partitions. */
void emb_cleaner_tick(uv_timer_t *t);

/* topics.c */
emb_topic_t *emb_topic_find(emb_t *be, const char *name);
emb_part_t *emb_part_find(emb_t *be, const char *topic, int32_t partition);
/* Loads the topic metadata and opens every partition in the dir holding it
 * (new ones where placement puts them); err names what is wrong. */
int emb_topics_load(emb_t *be, char *err, size_t errlen);
void emb_topics_free(emb_t *be);
bool emb_topic_name_valid(const char *name);
extern const kgw_backend_ops_t emb_ops;
int emb_create_topic(kgw_backend_t *b, const char *name, int32_t partitions,
                     const kgw_config_entry_t *configs, size_t nconfigs, kgw_topic_info_t *out);
int emb_delete_topic(kgw_backend_t *b, const char *name);
int emb_create_partitions(kgw_backend_t *b, const char *name, int32_t total);
int emb_get_topic(kgw_backend_t *b, const char *name, kgw_topic_info_t *out);
int emb_get_topic_by_id(kgw_backend_t *b, kafka_uuid_t id, kgw_topic_info_t *out);
int emb_list_topics(kgw_backend_t *b, int (*fn)(void *arg, const kgw_topic_info_t *t), void *arg);
int emb_set_topic_config(kgw_backend_t *b, const char *topic, const char *key, const char *value);
int emb_list_topic_configs(kgw_backend_t *b, const char *topic,
                           int (*fn)(void *arg, const kgw_config_entry_t *e), void *arg);

/* meta.c: files under log.dirs */
int emb_meta_write_topic(emb_t *be, const emb_topic_t *t);
int emb_meta_remove_topic(emb_t *be, const char *name);
int emb_meta_read_topic(const char *path, emb_topic_t *t);
int emb_write_file_atomic(const char *dir, const char *name, const void *data, size_t len);
int emb_fsync_dir(const char *dir);
int emb_remove_tree(const char *path);
int emb_mkdirs(const char *path);
void emb_remove_deleted_dirs(emb_t *be);
int emb_pid_load(emb_t *be);
int emb_allocate_producer_id(kgw_backend_t *b, int64_t *producer_id);

/* pstate.c: idempotent producer state */
emb_producer_t *emb_pstate_find(emb_pstate_t *ps, int64_t pid);
void emb_pstate_free(emb_pstate_t *ps);
/* Checks a batch against the state; returns a wire error, or 0 with
 * *dup_offset >= 0 for a duplicate of a batch appended at that offset. */
int16_t emb_pstate_check(emb_pstate_t *ps, int64_t pid, int16_t epoch, int32_t base_seq,
                         int32_t last_seq, int64_t *dup_offset);
int emb_pstate_update(emb_pstate_t *ps, int64_t pid, int16_t epoch, int32_t base_seq,
                      int32_t last_seq, int64_t first_offset, int32_t offset_delta, int64_t max_ts,
                      bool transactional, bool control);
int32_t emb_last_sequence(int32_t base_seq, int32_t offset_delta);
/* Whether sequence `next` may follow `last` (sequences wrap to 0). */
bool emb_sequence_follows(int32_t last, int32_t next);
/* Forgets producers with no open transaction whose last write is
 * expiration_ms or more before now; returns how many. */
size_t emb_pstate_expire(emb_pstate_t *ps, int64_t now, int64_t expiration_ms);
int emb_pstate_snapshot_write(emb_part_t *p);
int emb_pstate_rebuild(emb_part_t *p);
int emb_list_producers(kgw_backend_t *b, const char *topic, int32_t partition,
                       int (*fn)(void *arg, const kgw_producer_state_t *p), void *arg);

/* io.c: the I/O thread and completions */
int emb_io_start(emb_t *be);
void emb_append(kgw_backend_t *b, const char *topic, int32_t partition, const uint8_t *batches,
                size_t len, int16_t acks, kgw_append_cb cb, void *ctx);
void emb_io_post(emb_t *be, emb_job_t *job);
void emb_io_stop_join(emb_t *be);
void emb_shutdown(kgw_backend_t *b, void (*done)(void *arg), void *arg);

/* data.c: reads and offsets */
int emb_read(kgw_backend_t *b, const char *topic, int32_t partition, int64_t offset,
             size_t max_bytes, kgw_read_result_t *out);
void emb_read_release(kgw_backend_t *b, kgw_read_result_t *r);
int emb_offsets(kgw_backend_t *b, const char *topic, int32_t partition, int64_t *log_start,
                int64_t *high_watermark);
int emb_offset_for_timestamp(kgw_backend_t *b, const char *topic, int32_t partition, int64_t ts,
                             int64_t *offset, int64_t *timestamp);
int emb_delete_records(kgw_backend_t *b, const char *topic, int32_t partition, int64_t offset,
                       int64_t *low_watermark);
int emb_list_partition_sizes(kgw_backend_t *b, int (*fn)(void *arg, const kgw_partition_size_t *p),
                             void *arg);

int64_t emb_now_ms(void);
/* embedded.c: releases everything once the thread and handles are gone */
void emb_free(emb_t *be);

#endif
