/* Private types shared by the log's translation units. */
#ifndef KGW_LOG_INTERNAL_H
#define KGW_LOG_INTERNAL_H

#include "log.h"

#include <stdint.h>
#include <sys/types.h>

/* ---- batch.c ---- */

typedef struct kgw_batch_hdr {
    int64_t base_offset;
    int32_t batch_length; /* bytes after the length field */
    int8_t magic;
    uint32_t crc;
    int32_t last_offset_delta;
    int64_t max_timestamp;
    size_t total; /* batch_length + 12 */
} kgw_batch_hdr_t;

/* Structural checks on the 61-byte header; avail is how many bytes of the
 * batch exist (the header itself must be complete). */
int kgw_batch_parse(const uint8_t *p, size_t avail, int32_t max_batch, kgw_batch_hdr_t *h);
/* CRC-32C over bytes 21..total of a complete batch. */
bool kgw_batch_crc_ok(const uint8_t *p, const kgw_batch_hdr_t *h);
uint64_t kgw_be64(const uint8_t *p);
uint32_t kgw_be32(const uint8_t *p);
void kgw_put_be64(uint8_t *p, uint64_t v);
void kgw_put_be32(uint8_t *p, uint32_t v);

/* ---- io helpers (segment.c) ---- */

int kgw_pread_full(int fd, void *buf, size_t len, off_t pos);
int kgw_pwrite_full(int fd, const void *buf, size_t len, off_t pos);

/* ---- index.c ---- */

#define KGW_OIDX_ENTRY 8  /* relative offset u32, file position u32 */
#define KGW_TIDX_ENTRY 12 /* timestamp i64, relative offset u32 */

typedef struct kgw_oidx_entry {
    uint32_t rel;
    uint32_t pos;
} kgw_oidx_entry_t;

typedef struct kgw_tidx_entry {
    int64_t ts;
    uint32_t rel;
} kgw_tidx_entry_t;

typedef struct kgw_oindex {
    int fd;
    kgw_oidx_entry_t *e;
    size_t n, cap;
} kgw_oindex_t;

typedef struct kgw_tindex {
    int fd;
    kgw_tidx_entry_t *e;
    size_t n, cap;
} kgw_tindex_t;

/* Load returns 0, 1 when the file is malformed (the caller rebuilds), or a
 * negative error. */
int kgw_oindex_load(kgw_oindex_t *ix);
int kgw_oindex_append(kgw_oindex_t *ix, uint32_t rel, uint32_t pos);
int kgw_oindex_truncate(kgw_oindex_t *ix, size_t n);
/* Index of the last entry with rel <= target, or -1. */
ssize_t kgw_oindex_floor(const kgw_oindex_t *ix, uint32_t target);

int kgw_tindex_load(kgw_tindex_t *ix);
int kgw_tindex_append(kgw_tindex_t *ix, int64_t ts, uint32_t rel);
int kgw_tindex_truncate(kgw_tindex_t *ix, size_t n);
/* Index of the last entry with ts < target, or -1. */
ssize_t kgw_tindex_below(const kgw_tindex_t *ix, int64_t target);

/* ---- segment.c ---- */

typedef struct kgw_segment {
    int64_t base;
    int log_fd;
    kgw_oindex_t oidx;
    kgw_tindex_t tidx;
    int64_t size;
    int64_t flushed_size;
    int64_t next_offset; /* one past the last offset stored here */
    int64_t max_ts;      /* largest batch maxTimestamp, -1 when none */
    int64_t first_ts;    /* first batch's maxTimestamp, drives segment.ms */
    int64_t since_index; /* bytes appended since the last index entry */
} kgw_segment_t;

/* Opens (creating when missing) the three files of segment base. */
int kgw_segment_open(kgw_segment_t *s, int dir_fd, int64_t base, bool create);
void kgw_segment_close(kgw_segment_t *s);
/* Closes and unlinks the segment's files. */
int kgw_segment_remove(kgw_segment_t *s, int dir_fd);
/* Account for a batch now stored at pos: indexes and counters. */
int kgw_segment_note_batch(kgw_segment_t *s, int64_t pos, const kgw_batch_hdr_t *h,
                           int32_t interval);
/* Write the batch at the end with its base offset and epoch replaced. */
int kgw_segment_write(kgw_segment_t *s, const uint8_t *batch, size_t len, int64_t base,
                      int32_t epoch);
/* Position and header of the batch holding offset; 1 when no batch here
 * reaches it. */
int kgw_segment_find(kgw_segment_t *s, int64_t offset, int32_t max_batch, int64_t *pos,
                     kgw_batch_hdr_t *h);
/* Position and header of the first batch with maxTimestamp >= ts that holds
 * an offset >= min_offset; 1 if none. */
int kgw_segment_find_time(kgw_segment_t *s, int64_t ts, int64_t min_offset, int32_t max_batch,
                          int64_t *pos, kgw_batch_hdr_t *h);

/* ---- recovery.c ---- */

/* Validate indexes and the tail of s; rebuild indexes when needed and cut
 * the log file at the first bad batch. Returns the number of bytes cut. */
int64_t kgw_segment_recover(kgw_segment_t *s, const kgw_log_config_t *cfg);

/* ---- log.c ---- */

/* Create an empty segment at base and make it the active one. */
int kgw_log__new_segment(kgw_log_t *log, int64_t base);

/* ---- checkpoint.c ---- */

int kgw_checkpoint_read(int dir_fd, int64_t *log_start);
int kgw_checkpoint_write(int dir_fd, int64_t log_start);

#endif
