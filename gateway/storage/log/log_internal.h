/* Private types shared by the log's translation units. */
#ifndef KGW_LOG_INTERNAL_H
#define KGW_LOG_INTERNAL_H

#include "log.h"

#include <dirent.h>
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
/* The entries of the directory dir_fd names; release with closedir. */
int kgw_dir_scan(int dir_fd, DIR **out);

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

/* A segment's files, in the order a compaction swap renames them: the log
 * last, so that its rename completes the swap of a segment. */
enum { KGW_SEGMENT_INDEX, KGW_SEGMENT_TIMEINDEX, KGW_SEGMENT_LOG, KGW_SEGMENT_FILES };
#define KGW_SEGMENT_NAME_MAX 64
extern const char *const kgw_segment_exts[KGW_SEGMENT_FILES];
/* "<base, 20 digits><ext><suffix>"; suffix "" for the live files. */
void kgw_segment_file_name(char *out, size_t cap, int64_t base, size_t file, const char *suffix);

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

/* Opens (creating when missing) the three files of segment base; create
 * truncates them. */
int kgw_segment_open(kgw_segment_t *s, int dir_fd, int64_t base, bool create);
/* The same for files named with a suffix (compaction's ".cleaned"). */
int kgw_segment_open_as(kgw_segment_t *s, int dir_fd, int64_t base, const char *suffix,
                        bool create);
void kgw_segment_close(kgw_segment_t *s);
/* Closes and unlinks the segment's files. */
int kgw_segment_remove(kgw_segment_t *s, int dir_fd);
/* Unlinks the three files of base with suffix; missing ones are fine. */
int kgw_segment_unlink(int dir_fd, int64_t base, const char *suffix);
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
 * the log file at the first bad batch. Batches must follow each other
 * without an offset gap, except where compaction removed some: a gap is
 * accepted when it starts below gaps_below. Returns the number of bytes
 * cut. */
int64_t kgw_segment_recover(kgw_segment_t *s, const kgw_log_config_t *cfg, int64_t gaps_below);

/* ---- log.c ---- */

/* Create an empty segment at base and make it the active one. */
int kgw_log__new_segment(kgw_log_t *log, int64_t base);

/* ---- keymap.c: compaction's key -> last offset map ---- */

typedef struct kgw_keymap_entry {
    uint64_t h1, h2; /* the key's 128-bit keyed hash */
    int64_t offset;
} kgw_keymap_entry_t;

typedef struct kgw_keymap {
    uint8_t keys[32]; /* two SipHash keys, random per map */
    kgw_keymap_entry_t *e;
    size_t n, max;
    uint32_t *slot; /* entry number + 1; 0 is empty */
    size_t nslots, max_slots;
} kgw_keymap_t;

uint64_t kgw_siphash24(const uint8_t key[16], const void *data, size_t len);
/* How many keys a map of max_bytes holds (0: too small for one). */
size_t kgw_keymap_capacity(size_t max_bytes);
/* -EINVAL when max_bytes cannot hold one key. */
int kgw_keymap_init(kgw_keymap_t *m, size_t max_bytes);
void kgw_keymap_free(kgw_keymap_t *m);
/* 0 when stored or updated, 1 when the key is new and the map is full,
 * or a negative error. */
int kgw_keymap_put(kgw_keymap_t *m, const void *key, size_t len, int64_t offset);
/* The key's offset, or -1. */
int64_t kgw_keymap_get(const kgw_keymap_t *m, const void *key, size_t len);

/* ---- swap.c: installing compacted segments, crash-safely ---- */

/* A compaction pass replaces each group of adjacent old segments with one
 * new segment based at the group's first base. */
typedef struct kgw_swap_group {
    int64_t *olds; /* old bases, ascending; olds[0] is the new segment's base */
    size_t nolds;
} kgw_swap_group_t;

typedef struct kgw_swap_plan {
    int64_t clean_offset; /* the cleaner checkpoint once every group is in */
    kgw_swap_group_t *groups;
    size_t ngroups;
} kgw_swap_plan_t;

/* Where a pass may be stopped by a test, as if the process had died there:
 * the hook gets the point and returns true to stop. */
enum kgw_compact_point {
    KGW_COMPACT_AT_MAPPED,        /* key map built, nothing written */
    KGW_COMPACT_AT_WRITTEN,       /* new segments written and synced, no plan yet */
    KGW_COMPACT_AT_COMMITTED,     /* plan durable, nothing swapped */
    KGW_COMPACT_AT_OLDS_REMOVED,  /* a group's later old segments unlinked */
    KGW_COMPACT_AT_INDEX_SWAPPED, /* a group's index files renamed, not its log */
    KGW_COMPACT_AT_SWAPPED,       /* every group in, checkpoint not written */
    KGW_COMPACT_AT_CHECKPOINTED,  /* checkpoint written, plan not removed */
};
typedef bool (*kgw_compact_hook_t)(enum kgw_compact_point point, void *arg);
/* Tests only; NULL otherwise. Called with the log's mutex held for the
 * swap points, without it for the others. */
extern kgw_compact_hook_t kgw_compact_test_hook;
extern void *kgw_compact_test_hook_arg;

#define KGW_CLEANED_SUFFIX ".cleaned"

/* Write the plan durably: from here a crash completes the swap. */
int kgw_swap_plan_write(int dir_fd, const kgw_swap_plan_t *plan);
int kgw_swap_plan_remove(int dir_fd);
void kgw_swap_plan_free(kgw_swap_plan_t *plan);
/* Swap one group in: unlink the later old segments, then rename the new
 * files over the first one's (indexes, then the log). Steps already done
 * are skipped, so that recovery can run it again. Returns 1 (and does
 * nothing) when neither the first old segment nor the new log exists any
 * more, i.e. retention removed the group. A hook (may be NULL) that
 * returns true stops it with -EINTR. */
int kgw_swap_group_apply(int dir_fd, const kgw_swap_group_t *g, kgw_compact_hook_t hook, void *arg);
/* At open: finish the swap of a durable plan (groups whose first segment
 * retention removed meanwhile are dropped), remove files of a pass that
 * never committed, and read the cleaner checkpoint. */
int kgw_swap_recover(int dir_fd, int64_t *clean_offset);

/* ---- checkpoint.c ---- */

int kgw_checkpoint_read(int dir_fd, int64_t *log_start);
int kgw_checkpoint_write(int dir_fd, int64_t log_start);
/* The cleaner's first dirty offset (compaction); 0 when there is none. */
int kgw_clean_checkpoint_read(int dir_fd, int64_t *offset);
int kgw_clean_checkpoint_write(int dir_fd, int64_t offset);
/* Replace name with data atomically: write name.tmp, fsync, rename,
 * fsync the directory. */
int kgw_file_replace(int dir_fd, const char *name, const void *data, size_t len);
/* Whole small file, NUL-terminated, malloc'd; 1 when it does not exist. */
int kgw_file_read(int dir_fd, const char *name, char **out, size_t *len);

#endif
