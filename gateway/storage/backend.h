/* The storage backend interface. Handlers talk only to this; the embedded
 * log (storage/embedded) and SMQ implement it.
 *
 * Threading: every function is called on the event-loop thread, and every
 * callback is delivered on it. Metadata operations and reads complete
 * synchronously (they touch memory or the page cache); appends complete
 * through a callback so a durable write (fsync) never blocks the loop.
 * Return values are 0 or a negative KGW_E* code; per-partition outcomes that
 * the client must see are Kafka wire error codes (kafka/error_codes.h). */
#ifndef KGW_STORAGE_BACKEND_H
#define KGW_STORAGE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafka/types.h"

/* Backend-level failures (not wire codes). */
#define KGW_ENOTFOUND (-100) /* no such topic or partition */
#define KGW_EEXISTS (-101)   /* topic already exists */
#define KGW_EINVAL (-102)    /* bad argument (name, partition count, config value) */
#define KGW_EIO (-103)       /* storage failure */
#define KGW_ENOMEM (-104)

typedef struct kgw_backend kgw_backend_t;

typedef struct kgw_topic_info {
    char name[256];
    kafka_uuid_t id;
    int32_t partitions;
    bool internal;
} kgw_topic_info_t;

/* A topic-level config explicitly set on a topic (Kafka's DYNAMIC_TOPIC_CONFIG
 * source); keys use Kafka's names, e.g. "retention.ms". */
typedef struct kgw_config_entry {
    const char *key;
    const char *value;
} kgw_config_entry_t;

typedef struct kgw_append_result {
    int16_t error;           /* wire error code; 0 on success */
    int64_t base_offset;     /* offset of the first record appended (or of the
                                original batch, for an idempotent duplicate) */
    int64_t log_append_time; /* -1 unless the topic uses LogAppendTime */
    int64_t log_start_offset;
    const char *error_message; /* static text or NULL */
} kgw_append_result_t;

typedef void (*kgw_append_cb)(void *ctx, const kgw_append_result_t *result);

typedef struct kgw_read_result {
    int16_t error;       /* e.g. OFFSET_OUT_OF_RANGE */
    const uint8_t *data; /* whole record batches, as stored */
    size_t len;
    int64_t log_start_offset;
    int64_t high_watermark;
    int64_t last_stable_offset;
    void *owner; /* pass to kgw_backend_ops.read_release */
} kgw_read_result_t;

typedef struct kgw_producer_state {
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t last_sequence;
    int64_t last_timestamp;
    int32_t coordinator_epoch;
    int64_t current_txn_start_offset;
} kgw_producer_state_t;

typedef struct kgw_partition_size {
    const char *topic;
    int32_t partition;
    int64_t size_bytes;
    int64_t offset_lag;
    const char *log_dir; /* the list_log_dirs entry holding it */
} kgw_partition_size_t;

typedef struct kgw_backend_ops {
    const char *name;
    void (*destroy)(kgw_backend_t *be);

    /* ---- topics ---- */
    /* configs: explicitly set topic configs (validated by the caller). */
    int (*create_topic)(kgw_backend_t *be, const char *name, int32_t partitions,
                        const kgw_config_entry_t *configs, size_t nconfigs, kgw_topic_info_t *out);
    /* Deletes the topic and its data. */
    int (*delete_topic)(kgw_backend_t *be, const char *name);
    /* Grows the topic to `total` partitions. */
    int (*create_partitions)(kgw_backend_t *be, const char *name, int32_t total);
    int (*get_topic)(kgw_backend_t *be, const char *name, kgw_topic_info_t *out);
    int (*get_topic_by_id)(kgw_backend_t *be, kafka_uuid_t id, kgw_topic_info_t *out);
    /* Calls fn for each topic, in name order; stops early if fn returns non-zero. */
    int (*list_topics)(kgw_backend_t *be, int (*fn)(void *arg, const kgw_topic_info_t *t),
                       void *arg);
    /* Sets (value != NULL) or removes (value == NULL) one explicit topic config. */
    int (*set_topic_config)(kgw_backend_t *be, const char *topic, const char *key,
                            const char *value);
    /* Calls fn for each explicit topic config. */
    int (*list_topic_configs)(kgw_backend_t *be, const char *topic,
                              int (*fn)(void *arg, const kgw_config_entry_t *e), void *arg);

    /* ---- data ---- */
    /* Appends one or more validated v2 record batches (offsets are assigned
     * here). acks: 0 and 1 complete when written (with the configured flush
     * policy), -1 when durable (fsynced, unless configured otherwise). The
     * idempotent-producer checks (sequence, epoch, duplicates) happen here.
     * The bytes are copied before append returns; cb runs later on the loop. */
    void (*append)(kgw_backend_t *be, const char *topic, int32_t partition, const uint8_t *batches,
                   size_t len, int16_t acks, kgw_append_cb cb, void *ctx);
    /* Whole batches from offset up to max_bytes (at least one batch). An
     * offset equal to the end gives an empty result. */
    int (*read)(kgw_backend_t *be, const char *topic, int32_t partition, int64_t offset,
                size_t max_bytes, kgw_read_result_t *out);
    void (*read_release)(kgw_backend_t *be, kgw_read_result_t *r);
    int (*offsets)(kgw_backend_t *be, const char *topic, int32_t partition, int64_t *log_start,
                   int64_t *high_watermark);
    /* First record with timestamp >= ts (its exact offset and timestamp);
     * *offset = -1 when none. ts -3 asks for the record with the largest
     * timestamp (ListOffsets MAX_TIMESTAMP). */
    int (*offset_for_timestamp)(kgw_backend_t *be, const char *topic, int32_t partition, int64_t ts,
                                int64_t *offset, int64_t *timestamp);
    /* Moves the log start offset up to `offset` (-1: the high watermark). */
    int (*delete_records)(kgw_backend_t *be, const char *topic, int32_t partition, int64_t offset,
                          int64_t *low_watermark);

    /* ---- producers ---- */
    int (*allocate_producer_id)(kgw_backend_t *be, int64_t *producer_id);
    int (*list_producers)(kgw_backend_t *be, const char *topic, int32_t partition,
                          int (*fn)(void *arg, const kgw_producer_state_t *p), void *arg);

    /* ---- log dirs ---- */
    /* Calls fn for each local log directory, in log.dirs order; stops early
     * if fn returns non-zero. A backend without local storage has none. */
    int (*list_log_dirs)(kgw_backend_t *be, int (*fn)(void *arg, const char *dir), void *arg);
    /* Calls fn for each partition with its size and its log dir. */
    int (*list_partition_sizes)(kgw_backend_t *be,
                                int (*fn)(void *arg, const kgw_partition_size_t *p), void *arg);

    /* ---- lifecycle ---- */
    /* Flushes and completes (or fails) every pending append, then calls done. */
    void (*shutdown)(kgw_backend_t *be, void (*done)(void *arg), void *arg);
} kgw_backend_ops_t;

/* Called on the loop after data is appended, so long-polling fetches wake. */
typedef void (*kgw_data_listener_fn)(void *arg, const char *topic, int32_t partition,
                                     int64_t high_watermark);

struct kgw_backend {
    const kgw_backend_ops_t *ops;
    kgw_data_listener_fn on_data;
    void *on_data_arg;
};

#endif
