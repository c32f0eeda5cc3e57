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
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kgw_log_errno {
    KGW_LOG_EOFFSET = -4001,   /* offset outside [log start, log end] */
    KGW_LOG_EBATCH = -4002,    /* not a well-formed v2 record batch */
    KGW_LOG_ECORRUPT = -4003,  /* on-disk state that recovery cannot repair */
    KGW_LOG_ETOOLARGE = -4004, /* batch larger than max_batch_bytes */
    KGW_LOG_ECLOSED = -4005,   /* log not open */
    KGW_LOG_EBUSY = -4006,     /* a compaction pass is running (or must be finished by reopening) */
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
    int64_t clean_offset;    /* compaction's first dirty offset (its checkpoint) */
    bool compacting;         /* a kgw_log_compact pass owns the segments below the active one */
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

/* ---- Compaction (cleanup.policy=compact), compact.c ----
 *
 * One pass of Kafka's log cleaner over this partition. What it does:
 *
 * - The cleanable range runs from the first segment to the first segment
 *   that may not be cleaned: the active (last) one, or an earlier one whose
 *   newest timestamp is within min_compaction_lag_ms of now_ms (counting
 *   from the first dirty segment). Nothing at or after it is read or
 *   changed.
 * - "Dirty" is everything from the cleaner checkpoint (the first offset not
 *   yet cleaned, kept in cleaner-offset.checkpoint; the log start when there
 *   is none) to the end of the cleanable range. The pass runs only when
 *   dirty bytes / cleanable bytes >= min_cleanable_dirty_ratio, and cleans
 *   the range up to the last offset the key map could take in; the
 *   checkpoint then moves there.
 * - A record survives unless a later record in the dirty part has the same
 *   key, or it has no key (dropped as Kafka's cleaner does), or it is a
 *   tombstone (null value) in a batch whose delete horizon has passed.
 *   Tombstones follow KIP-534: the first pass that keeps a tombstone writes
 *   its batch again with delete horizon = now_ms + delete_retention_ms, and a
 *   later pass at now_ms >= that horizon drops it. So a tombstone outlives
 *   delete_retention_ms after the first pass that saw it, however old its
 *   timestamp. Records past the mapped range survive as they are. Control
 *   batches are kept as they are.
 * - Offsets never change: survivors keep their offsets, timestamps, keys,
 *   values and headers. A batch whose records all survive is copied byte for
 *   byte (unless it gets a delete horizon); a partly surviving batch is
 *   rebuilt with the same codec, timestamp type, producer id, epoch, base
 *   sequence, leader epoch, base offset and last offset delta, with a fresh
 *   CRC. A batch left with no records is dropped, except that an empty
 *   header is kept for the last batch of a producer (so its last sequence
 *   and epoch survive, as Kafka does) and for the last batch of every
 *   rewritten segment (so the segment's end offset does not move).
 * - Adjacent rewritten segments are merged up to segment_bytes. Log start,
 *   log end and high watermark do not change; a read at an offset whose
 *   record went returns the next surviving batch; the time index is rebuilt.
 *
 * Crash safety: new segments are written beside the old ones
 * ("<base>.log.cleaned" ...), synced, then a plan naming the swap is written
 * atomically; the swap (unlink the replaced segments, rename the new files
 * in) and the checkpoint follow. kgw_log_open finishes a swap whose plan
 * exists and deletes the files of one whose plan does not, so a crash at any
 * point leaves the old segments or the new ones.
 *
 * When: for cleanup.policy=compact logs, periodically (Kafka's cleaner
 * looks every 15 s) or after retention. Below the dirty ratio a call only
 * looks at the segment list and one index, under the mutex, and returns.
 *
 * Threading: call it from a background thread, never from the event loop;
 * appends, reads, flushes, retention and DeleteRecords proceed meanwhile.
 * The mutex is held only to look at the segment list, to take private
 * descriptors of the segments being read, and for the swap itself (renames
 * and unlinks, no fsync). Readers see the old segments until the swap and
 * the new ones after it, never a mix. If retention or DeleteRecords removes
 * segments of the range during the pass, the pass is normally abandoned
 * without changing anything (stats->aborted) and the next one starts over;
 * a second concurrent call returns KGW_LOG_EBUSY. kgw_log_close must not
 * run concurrently.
 *
 * Cost: the dirty part is read and decoded once to build the map (without
 * the producer callback, the clean part's batch headers are read too), then
 * every segment up to the mapped end is read and decoded again; segments
 * where anything changes are written and fsynced anew (their surviving
 * bytes). CPU goes to decompressing, and recompressing the batches that
 * lose records: see tests/bench/log/bench_compact.c.
 * Memory: the key map stays within max_map_bytes (128-bit hashes, not the
 * keys: about max_map_bytes / 38 keys, 3.5 million for 128 MiB; a dirty part
 * with more keys is cleaned over several passes), plus one batch and its
 * decompressed records at a time, plus 1 MiB I/O buffers. */

typedef struct kgw_log_compact_opts {
    int64_t delete_retention_ms;      /* delete.retention.ms: tombstones kept this long */
    int64_t min_compaction_lag_ms;    /* min.compaction.lag.ms: newer segments wait */
    double min_cleanable_dirty_ratio; /* min.cleanable.dirty.ratio */
    size_t max_map_bytes;             /* log.cleaner.dedupe.buffer.size */
    /* Optional: the offset of producer_id's last batch while its state is
     * still kept (not expired), or -1. A batch that ends there stays, as an
     * empty header if need be, as in Kafka. When NULL the last batch of
     * every producer id in the cleaned range stays instead (a superset; the
     * producer map then takes an eighth of max_map_bytes). Called from the
     * compacting thread, without the log's mutex, once per producer batch
     * that lost every record. */
    int64_t (*producer_last_offset)(void *arg, int64_t producer_id);
    void *producer_arg;
    /* Optional: once it reads true, the pass is abandoned at its next batch
     * (as stats->aborted, nothing changed) unless the swap has begun. Lets
     * the owner close the log soon after asking. */
    const atomic_bool *cancel;
} kgw_log_compact_opts_t;

typedef struct kgw_log_compact_stats {
    bool cleaned;                      /* a pass ran and its segments are in */
    bool aborted;                      /* retention/DeleteRecords overlapped: nothing changed */
    bool map_full;                     /* cleaned only up to end_offset */
    double dirty_ratio;                /* of the cleanable range; 0 when empty */
    int64_t first_dirty_offset;        /* before the pass */
    int64_t first_uncleanable_offset;  /* base of the first segment that may not be cleaned */
    int64_t end_offset;                /* first dirty offset after the pass */
    int64_t map_keys;                  /* distinct keys mapped */
    int64_t bytes_before, bytes_after; /* of the segments rewritten */
    int64_t records_read;              /* in the segments read for cleaning */
    int64_t records_removed;           /* all of them, including the next two */
    int64_t keyless_removed, tombstones_removed;
    int64_t batches_removed, batches_rebuilt, empty_batches_kept;
    int32_t segments_rewritten; /* old segments replaced */
    int32_t segments_written;   /* new segments that replaced them */
} kgw_log_compact_stats_t;

/* Kafka's defaults: 1 day, 0, 0.5, 128 MiB, no producer callback. */
void kgw_log_compact_opts_default(kgw_log_compact_opts_t *opts);

/* One pass (see above). Returns 0 when it ran (stats->cleaned; the
 * checkpoint moves even when no segment needed rewriting), when there was
 * nothing to do (stats->cleaned false) and when it was abandoned
 * (stats->aborted). Errors: KGW_LOG_EBUSY; -EINVAL for a negative ratio or
 * delete_retention_ms, or max_map_bytes too small for one key; -ENOBUFS
 * when max_map_bytes cannot take the keys of even one batch;
 * KGW_LOG_ECORRUPT for a segment that does not parse; a negated errno. A
 * failure after the swap began keeps KGW_LOG_EBUSY until the log is
 * reopened, which finishes the swap. stats may be NULL. */
int kgw_log_compact(kgw_log_t *log, int64_t now_ms, const kgw_log_compact_opts_t *opts,
                    kgw_log_compact_stats_t *stats);

int64_t kgw_log_start_offset(kgw_log_t *log);
int64_t kgw_log_end_offset(kgw_log_t *log);
int64_t kgw_log_high_watermark(kgw_log_t *log);
int64_t kgw_log_size_bytes(kgw_log_t *log);
size_t kgw_log_segment_count(kgw_log_t *log);

const char *kgw_log_strerror(int code);

#endif
