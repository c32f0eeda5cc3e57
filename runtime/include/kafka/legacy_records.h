/* Legacy message sets (magic 0 and 1) and conversion to and from magic-2
 * batches.
 *
 * A legacy message: int64 offset, int32 size, then uint32 CRC-32 (IEEE) over
 * the rest, int8 magic, int8 attributes (codec in bits 0-2, LogAppendTime
 * in bit 3 for magic 1), int64 timestamp (magic 1 only), int32-length key
 * and value (-1 null). A compressed message ("wrapper") has a null key and
 * holds a compressed inner message set as its value. Inner offsets are
 * absolute for magic 0; for magic 1 they are relative, the wrapper carrying
 * the absolute offset of the last inner message. */
#ifndef KAFKA_LEGACY_RECORDS_H
#define KAFKA_LEGACY_RECORDS_H

#include "kafka/records.h"

#define KAFKA_LEGACY_HEADER_V0 18   /* offset, size, crc, magic, attributes */
#define KAFKA_LEGACY_OVERHEAD_V0 14 /* smallest message size: crc..value length */
#define KAFKA_LEGACY_OVERHEAD_V1 22
#define KAFKA_LEGACY_ATTR_CODEC_MASK 0x07
#define KAFKA_LEGACY_ATTR_LOG_APPEND_TIME 0x08

typedef struct kafka_legacy_msg {
    int64_t offset; /* absolute once resolved by the deep iterator */
    int32_t size;   /* the size field: bytes after the log overhead */
    uint32_t crc;
    int8_t magic;
    int8_t attributes;
    int64_t timestamp; /* KAFKA_NO_TIMESTAMP for magic 0; for inner messages
                        * of a LogAppendTime wrapper, the wrapper's */
    bool log_append_time;
    kafka_bytes_t key;
    kafka_bytes_t value;
    const uint8_t *data; /* the whole entry, log overhead included */
    size_t total;
} kafka_legacy_msg_t;

static inline int kafka_legacy_codec(const kafka_legacy_msg_t *m) {
    return m->attributes & KAFKA_LEGACY_ATTR_CODEC_MASK;
}

/* Parse the message at the start of buf (magic 0 or 1): size at least the
 * magic's overhead and within len, CRC-32 unless KAFKA_RECORDS_SKIP_CRC, key
 * and value lengths that fit the size exactly. */
int kafka_legacy_parse(const void *buf, size_t len, unsigned flags, kafka_legacy_msg_t *out,
                       kafka_rec_err_t *err);

/* Shallow iteration: each top-level message, wrappers unexpanded. */
typedef struct kafka_legacy_iter {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    int32_t index;
    unsigned flags;
    size_t base; /* offset of buf in the caller's input, for errors */
} kafka_legacy_iter_t;

void kafka_legacy_iter_init(kafka_legacy_iter_t *it, const void *buf, size_t len, unsigned flags);
/* 1 with a message, 0 at the end, or a negative KAFKA_E* code. */
int kafka_legacy_iter_next(kafka_legacy_iter_t *it, kafka_legacy_msg_t *msg, kafka_rec_err_t *err);

/* Deep iteration: every logical record, wrappers expanded into their inner
 * messages with absolute offsets and effective timestamps. Inner messages
 * are checked as Kafka does: CRC (CORRUPT_MESSAGE), same magic as the
 * wrapper, not compressed themselves, a non-empty set, a wrapper offset not
 * below the last relative offset (INVALID_RECORD); zstd wrappers are
 * INVALID_RECORD (magic 2 only). */
typedef struct kafka_legacy_deep_iter {
    kafka_legacy_iter_t outer;
    kafka_legacy_iter_t inner;
    bool in_wrapper;
    kafka_legacy_msg_t wrapper; /* the current top-level message */
    int64_t offset_base;        /* added to inner offsets (magic 1), else 0 */
    size_t limit;
    kafka_buf_t owned; /* decompressed inner set */
} kafka_legacy_deep_iter_t;

void kafka_legacy_deep_init(kafka_legacy_deep_iter_t *it, const void *buf, size_t len,
                            unsigned flags, size_t decompress_limit);
int kafka_legacy_deep_next(kafka_legacy_deep_iter_t *it, kafka_legacy_msg_t *msg,
                           kafka_rec_err_t *err);
void kafka_legacy_deep_free(kafka_legacy_deep_iter_t *it);

/* ---- writing ---- */

/* Append one uncompressed message. Timestamp ignored for magic 0. */
int kafka_legacy_write(kafka_buf_t *out, int8_t magic, int64_t offset, int8_t attributes,
                       int64_t timestamp, kafka_bytes_t key, kafka_bytes_t value);

/* Builds either a run of uncompressed messages or one compressed wrapper. */
typedef struct kafka_legacy_builder {
    int8_t magic;
    int codec;
    int level;
    bool log_append_time;
    int64_t log_append_time_ms;
    kafka_buf_t inner;
    int32_t count;
    int64_t first_offset;
    int64_t last_offset;
    int64_t max_timestamp;
} kafka_legacy_builder_t;

/* codec: KAFKA_CODEC_NONE..LZ4 (zstd does not exist in magic 0/1). */
int kafka_legacy_builder_init(kafka_legacy_builder_t *b, int8_t magic, int codec, int level,
                              bool log_append_time, int64_t log_append_time_ms);
/* Offsets are absolute, not negative, and must increase. */
int kafka_legacy_builder_add(kafka_legacy_builder_t *b, int64_t offset, int64_t timestamp,
                             kafka_bytes_t key, kafka_bytes_t value);
int kafka_legacy_builder_finish(kafka_legacy_builder_t *b, kafka_buf_t *out);
void kafka_legacy_builder_free(kafka_legacy_builder_t *b);

/* ---- conversion ---- */

typedef struct kafka_convert_opts {
    size_t decompress_limit; /* 0: KAFKA_DECOMPRESS_LIMIT_DEFAULT */
    int codec;               /* -1: keep each source batch's codec */
    int level;
    bool assign_offsets; /* ignore source offsets, number from base_offset */
    int64_t base_offset;
} kafka_convert_opts_t;

void kafka_convert_opts_init(kafka_convert_opts_t *o);

/* Legacy message set -> magic-2 batches appended to out. Each compressed
 * wrapper becomes one batch (same codec); runs of uncompressed messages
 * with the same timestamp type become one batch. Keys, values, offsets and
 * timestamps (v0: none; v1 LogAppendTime: a LogAppendTime batch) are kept. */
int kafka_legacy_to_v2(const void *buf, size_t len, const kafka_convert_opts_t *opts,
                       kafka_buf_t *out, kafka_rec_err_t *err);

/* Magic-2 batches -> legacy messages (magic 0 or 1) appended to out, for
 * consumers whose Fetch version predates magic 2. Uncompressed batches
 * become one message per record; compressed ones one wrapper per batch with
 * the same codec (zstd: KAFKA_EUNSUPPORTED, UNSUPPORTED_COMPRESSION_TYPE).
 * Control batches are dropped, as are headers, which magic 0/1 cannot hold.
 * Offsets stay absolute; magic 1 keeps timestamps and their type. */
int kafka_v2_to_legacy(const void *buf, size_t len, int8_t magic, const kafka_convert_opts_t *opts,
                       kafka_buf_t *out, kafka_rec_err_t *err);

#endif
