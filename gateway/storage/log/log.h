/* Embedded durable partition log: the storage engine of the default backend.
 *
 * One kgw_log_t is one partition directory holding segments named by their
 * base offset (00000000000000000000.log with .index and .timeindex beside
 * it) and a log-start-offset checkpoint. Batches are Kafka record batches
 * v2, stored exactly as sent except for the base offset and the partition
 * leader epoch, which the log assigns; both lie outside the CRC-32C.
 *
 * Structs are caller-owned; functions return 0 (or a non-negative value
 * where documented) on success, a negative KGW_LOG_E* code, or a negated
 * errno for system failures. Every entry point takes the log's mutex, and
 * kgw_log_flush drops it around fsync, so a writer thread may append and
 * flush while another thread keeps reading. */
#ifndef KGW_LOG_H
#define KGW_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kgw_log_errno {
    KGW_LOG_EOFFSET = -4001,   /* offset outside [log start, log end] */
    KGW_LOG_EBATCH = -4002,    /* not a well-formed v2 record batch */
    KGW_LOG_ECORRUPT = -4003,  /* on-disk state that recovery cannot repair */
    KGW_LOG_ETOOLARGE = -4004, /* batch larger than max_batch_bytes */
    KGW_LOG_ECLOSED = -4005,   /* log not open */
};

#define KGW_LOG_BATCH_HEADER_SIZE 61

/* ListOffsets' special timestamps. */
#define KGW_LOG_TS_LATEST (-1)
#define KGW_LOG_TS_EARLIEST (-2)

typedef struct kgw_log_config {
    int64_t segment_bytes;        /* roll before a segment would exceed this */
    int64_t segment_ms;           /* roll when the first batch is this old; <0 never */
    int64_t retention_bytes;      /* <0 unlimited */
    int64_t retention_ms;         /* <0 unlimited */
    int32_t index_interval_bytes; /* bytes between sparse index entries */
    int32_t max_batch_bytes;      /* largest batch accepted or recovered */
    int32_t leader_epoch;         /* written into each stored batch */
    bool flush_on_append;         /* fsync before kgw_log_append returns */
} kgw_log_config_t;

struct kgw_segment;

typedef struct kgw_log {
    pthread_mutex_t mu;
    char *dir;
    int dir_fd;
    kgw_log_config_t cfg;
    struct kgw_segment **segs; /* sorted by base offset; never empty when open */
    size_t nsegs, capsegs;
    int64_t log_start;
    int64_t next_offset;
    int64_t flushed_offset;  /* everything below is on stable storage */
    bool dir_dirty;          /* directory entries created since the last flush */
    int64_t recovered_bytes; /* bytes cut off by recovery at open */
    bool open;
} kgw_log_t;

typedef struct kgw_log_read {
    uint8_t *data; /* whole batches, malloc'd; free with kgw_log_read_free */
    size_t len;
    int64_t log_start_offset;
    int64_t log_end_offset;
    int64_t high_watermark;
} kgw_log_read_t;

/* Kafka's defaults where they exist (1 GiB segments, 7 days, 4 KiB index
 * interval), no flush on append. */
void kgw_log_config_default(kgw_log_config_t *cfg);

/* Open (creating the directory if needed) and recover: every segment's
 * tail is checked from its last index entry, the log is cut at the first
 * torn or corrupt batch, and missing or inconsistent indexes are rebuilt. */
int kgw_log_open(kgw_log_t *log, const char *dir, const kgw_log_config_t *cfg);
void kgw_log_close(kgw_log_t *log);

/* Append one validated v2 batch; *base_offset receives its assigned base.
 * now_ms drives age-based rolling. */
int kgw_log_append(kgw_log_t *log, const void *batch, size_t len, int64_t now_ms,
                   int64_t *base_offset);

/* Whole batches from the one containing offset, up to max_bytes but always
 * at least one batch. offset == log end gives an empty result. */
int kgw_log_read(kgw_log_t *log, int64_t offset, size_t max_bytes, kgw_log_read_t *out);
void kgw_log_read_free(kgw_log_read_t *r);

/* Base offset of the first batch whose maxTimestamp >= ts (clamped to the
 * log start), or -1 when there is none; KGW_LOG_TS_LATEST / _EARLIEST give
 * the end and start offsets. *found_ts (may be NULL) gets the batch's
 * maxTimestamp, or -1. */
int kgw_log_offset_for_time(kgw_log_t *log, int64_t ts, int64_t *offset, int64_t *found_ts);

/* fsync every segment with unflushed bytes, and the directory when files
 * were created or removed since the last flush. */
int kgw_log_flush(kgw_log_t *log);

/* Delete whole segments past retention.ms / retention.bytes; returns the
 * number of segments deleted. A fully expired log rolls first so that the
 * offsets continue. */
int kgw_log_enforce_retention(kgw_log_t *log, int64_t now_ms);

/* DeleteRecords: move the log start offset to offset (persisted before
 * returning) and delete segments wholly below it. */
int kgw_log_delete_records(kgw_log_t *log, int64_t offset);

int64_t kgw_log_start_offset(kgw_log_t *log);
int64_t kgw_log_end_offset(kgw_log_t *log);
int64_t kgw_log_high_watermark(kgw_log_t *log);
int64_t kgw_log_size_bytes(kgw_log_t *log);
size_t kgw_log_segment_count(kgw_log_t *log);

const char *kgw_log_strerror(int code);

#endif
