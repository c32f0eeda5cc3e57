/* Record batches (magic 2): parsing, zero-copy iteration, building, and the
 * validation a broker applies to a Produce request's `records` field.
 *
 * A `records` field is a sequence of entries that each start with an int64
 * offset and an int32 length (KAFKA_LOG_OVERHEAD bytes); the magic byte at
 * offset 16 says whether the entry is a v2 batch (this header) or a legacy
 * magic-0/1 message (kafka/legacy_records.h).
 *
 * Views returned here point into the caller's buffer when the batch is not
 * compressed, and into the iterator's own buffer when it is; they stay valid
 * until the buffer (or the iterator) goes away. */
#ifndef KAFKA_RECORDS_H
#define KAFKA_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafka/compress.h"
#include "kafka/err.h"
#include "kafka/types.h"

#define KAFKA_LOG_OVERHEAD 12      /* int64 offset + int32 length */
#define KAFKA_BATCH_V2_OVERHEAD 61 /* v2 batch header, up to the records */
#define KAFKA_BATCH_CRC_START 21   /* the v2 CRC covers attributes..end */

#define KAFKA_MAGIC_V0 0
#define KAFKA_MAGIC_V1 1
#define KAFKA_MAGIC_V2 2

/* v2 batch attributes (int16; Kafka uses the low byte only). */
#define KAFKA_BATCH_ATTR_CODEC_MASK 0x07
#define KAFKA_BATCH_ATTR_LOG_APPEND_TIME 0x08
#define KAFKA_BATCH_ATTR_TRANSACTIONAL 0x10
#define KAFKA_BATCH_ATTR_CONTROL 0x20
#define KAFKA_BATCH_ATTR_DELETE_HORIZON 0x40

#define KAFKA_NO_TIMESTAMP (-1)
#define KAFKA_NO_PRODUCER_ID (-1)
#define KAFKA_NO_PRODUCER_EPOCH (-1)
#define KAFKA_NO_SEQUENCE (-1)
#define KAFKA_NO_PARTITION_LEADER_EPOCH (-1)

/* Kafka wire error codes that record validation produces. (Plain numbers:
 * the generated wire-error enum is a separate header.) */
#define KAFKA_REC_ERR_NONE 0
#define KAFKA_REC_ERR_UNKNOWN_SERVER_ERROR (-1)
#define KAFKA_REC_ERR_CORRUPT_MESSAGE 2
#define KAFKA_REC_ERR_MESSAGE_TOO_LARGE 10
#define KAFKA_REC_ERR_INVALID_TIMESTAMP 32
#define KAFKA_REC_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT 43
#define KAFKA_REC_ERR_UNSUPPORTED_COMPRESSION_TYPE 76
#define KAFKA_REC_ERR_INVALID_RECORD 87

/* Where and why parsing or validation failed. */
typedef struct kafka_rec_err {
    int code;             /* KAFKA_E* of the failure, 0 if none */
    int16_t wire_error;   /* Kafka error code to answer with */
    int32_t batch_index;  /* entry (batch or legacy message) in the field, -1 if n/a */
    int32_t record_index; /* record within the batch, -1 for batch-level failures */
    size_t offset;        /* byte offset in the input where the failure was seen */
    const char *reason;   /* static text */
} kafka_rec_err_t;

void kafka_rec_err_clear(kafka_rec_err_t *err);
/* The Kafka error code a broker answers for this failure (0 when none). */
int16_t kafka_rec_err_wire(const kafka_rec_err_t *err);
/* Default mapping of a bare KAFKA_E* code to a Kafka error code:
 * ECRC/ECOMPRESS/ETRUNC -> CORRUPT_MESSAGE, EINVAL -> INVALID_RECORD,
 * ETOOLARGE -> MESSAGE_TOO_LARGE, EUNSUPPORTED -> UNSUPPORTED_COMPRESSION_TYPE,
 * anything else -> UNKNOWN_SERVER_ERROR. */
int16_t kafka_records_wire_error(int code);

/* Flags for parsing/iteration.
 * KAFKA_RECORDS_ALLOW_PARTIAL: a truncated last entry ends iteration quietly
 * (a Fetch response may cut one). KAFKA_RECORDS_SKIP_CRC: the caller has
 * verified the checksum. */
#define KAFKA_RECORDS_ALLOW_PARTIAL 0x01u
#define KAFKA_RECORDS_SKIP_CRC 0x02u

/* Magic byte of the entry at buf, or -1 if buf is shorter than 17 bytes. */
int kafka_records_magic(const void *buf, size_t len);

/* ---- v2 batch ---- */

typedef struct kafka_batch {
    int64_t base_offset;
    int32_t length; /* bytes after the length field */
    int32_t partition_leader_epoch;
    int8_t magic;
    uint32_t crc;
    int16_t attributes;
    int32_t last_offset_delta;
    int64_t first_timestamp;
    int64_t max_timestamp;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
    int32_t record_count;
    const uint8_t *data;    /* the whole batch */
    size_t size;            /* KAFKA_LOG_OVERHEAD + length */
    const uint8_t *records; /* after the header; compressed when the codec says so */
    size_t records_len;
} kafka_batch_t;

static inline int kafka_batch_codec(const kafka_batch_t *b) {
    return b->attributes & KAFKA_BATCH_ATTR_CODEC_MASK;
}
static inline bool kafka_batch_is_log_append_time(const kafka_batch_t *b) {
    return (b->attributes & KAFKA_BATCH_ATTR_LOG_APPEND_TIME) != 0;
}
static inline bool kafka_batch_is_transactional(const kafka_batch_t *b) {
    return (b->attributes & KAFKA_BATCH_ATTR_TRANSACTIONAL) != 0;
}
static inline bool kafka_batch_is_control(const kafka_batch_t *b) {
    return (b->attributes & KAFKA_BATCH_ATTR_CONTROL) != 0;
}
static inline int64_t kafka_batch_last_offset(const kafka_batch_t *b) {
    return b->base_offset + b->last_offset_delta;
}
/* KIP-534: once compaction has kept a tombstone (or an empty transaction's
 * marker), the first-timestamp field holds the time after which the cleaner
 * may drop it, and attribute bit 6 says so. */
static inline bool kafka_batch_has_delete_horizon(const kafka_batch_t *b) {
    return (b->attributes & KAFKA_BATCH_ATTR_DELETE_HORIZON) != 0;
}
static inline int64_t kafka_batch_delete_horizon(const kafka_batch_t *b) {
    return kafka_batch_has_delete_horizon(b) ? b->first_timestamp : KAFKA_NO_TIMESTAMP;
}

/* Parse the batch at the start of buf: enough bytes for the declared length
 * (KAFKA_ETRUNC), a length that covers the header and magic 2 (KAFKA_EINVAL,
 * CORRUPT_MESSAGE), the CRC-32C (KAFKA_ECRC) unless KAFKA_RECORDS_SKIP_CRC.
 * The records are not looked at. */
int kafka_batch_parse(const void *buf, size_t len, unsigned flags, kafka_batch_t *out,
                      kafka_rec_err_t *err);

/* Iterate the v2 batches of a records field. next returns 1 with a batch, 0
 * at the end, or a negative KAFKA_E* code. An entry with another magic is
 * KAFKA_EINVAL. */
typedef struct kafka_batch_iter {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    int32_t index;
    unsigned flags;
} kafka_batch_iter_t;

void kafka_batch_iter_init(kafka_batch_iter_t *it, const void *buf, size_t len, unsigned flags);
int kafka_batch_iter_next(kafka_batch_iter_t *it, kafka_batch_t *out, kafka_rec_err_t *err);

/* ---- records ---- */

typedef struct kafka_header {
    kafka_bytes_t key; /* never null */
    kafka_bytes_t value;
} kafka_header_t;

typedef struct kafka_record {
    int8_t attributes;
    int64_t timestamp_delta;
    int32_t offset_delta;
    int64_t offset;    /* base offset + delta */
    int64_t timestamp; /* first timestamp + delta; the batch's max timestamp for
                        * LogAppendTime batches */
    kafka_bytes_t key; /* len -1: null */
    kafka_bytes_t value;
    int32_t header_count;
    const uint8_t *headers; /* header bytes, already validated */
    size_t headers_len;
    const uint8_t *data; /* the whole record, length prefix included */
    size_t size;
} kafka_record_t;

typedef struct kafka_record_iter {
    const uint8_t *pos;
    const uint8_t *end;
    int32_t count;
    int32_t index;
    int64_t base_offset;
    int64_t first_timestamp;
    int64_t log_append_time; /* used when lat */
    bool lat;
    const uint8_t *origin; /* records start when not compressed, for error offsets */
    size_t base;           /* offset of the records in the batch */
    kafka_buf_t owned;     /* decompressed records of a compressed batch */
} kafka_record_iter_t;

/* Prepare iteration over b's records, decompressing them (at most
 * decompress_limit bytes; 0 means KAFKA_DECOMPRESS_LIMIT_DEFAULT) when the
 * batch is compressed. Uncompressed batches are not copied. On failure there
 * is nothing to free; otherwise release with kafka_record_iter_free. */
int kafka_record_iter_init(kafka_record_iter_t *it, const kafka_batch_t *b, size_t decompress_limit,
                           kafka_rec_err_t *err);
/* 1 with a record, 0 after the last one (having checked that no bytes are
 * left over), or a negative KAFKA_E* code (INVALID_RECORD). */
int kafka_record_iter_next(kafka_record_iter_t *it, kafka_record_t *rec, kafka_rec_err_t *err);
void kafka_record_iter_free(kafka_record_iter_t *it);

typedef struct kafka_header_iter {
    const uint8_t *pos;
    const uint8_t *end;
    int32_t remaining;
} kafka_header_iter_t;

void kafka_header_iter_init(kafka_header_iter_t *it, const kafka_record_t *rec);
/* 1 with a header, 0 at the end, KAFKA_EINVAL on malformed bytes. */
int kafka_header_iter_next(kafka_header_iter_t *it, kafka_header_t *out);

/* ---- building ---- */

typedef struct kafka_batch_params {
    int64_t base_offset;
    int32_t partition_leader_epoch;
    int codec;
    int level;            /* KAFKA_LEVEL_DEFAULT */
    unsigned codec_flags; /* KAFKA_SNAPPY_RAW ... */
    bool log_append_time; /* timestamp type LogAppendTime; max timestamp = below */
    int64_t log_append_time_ms;
    bool transactional;
    bool control;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
    /* Timestamp deltas count from the first record's timestamp unless this
     * is set (some clients use the smallest; re-encoding keeps theirs). */
    bool set_first_timestamp;
    int64_t first_timestamp;
    /* Delete horizon (KIP-534): sets attribute bit 6 and stores the horizon
     * in the first-timestamp field; record timestamp deltas count from it,
     * so record timestamps are unchanged. Takes precedence over
     * set_first_timestamp. */
    bool delete_horizon;
    int64_t delete_horizon_ms;
    /* Last offset of the batch when it is above the last record's, as when
     * compaction removed the batch's trailing records: an idempotent
     * producer's last sequence is base sequence + last offset delta, so the
     * delta must survive. */
    bool override_last_offset;
    int64_t last_offset;
} kafka_batch_params_t;

/* Defaults of a non-idempotent producer: offsets from 0, all ids -1, no
 * compression, CreateTime. */
void kafka_batch_params_init(kafka_batch_params_t *p);
/* Everything that describes b: base offset, leader epoch, codec (flags 0),
 * timestamp type and log-append time, transactional/control, producer id,
 * epoch and base sequence, first timestamp, delete horizon and last offset.
 * Building b's records with these gives b's bytes back. */
void kafka_batch_params_from(kafka_batch_params_t *p, const kafka_batch_t *b);

typedef struct kafka_record_in {
    int64_t timestamp;
    kafka_bytes_t key; /* len < 0: null */
    kafka_bytes_t value;
    const kafka_header_t *headers;
    int32_t header_count;
} kafka_record_in_t;

typedef struct kafka_batch_builder {
    kafka_batch_params_t p;
    kafka_buf_t recs; /* uncompressed record bytes */
    int32_t count;
    int64_t last_offset;
    int64_t first_timestamp;
    int64_t max_timestamp;
} kafka_batch_builder_t;

void kafka_batch_builder_init(kafka_batch_builder_t *b, const kafka_batch_params_t *p);
/* Append a record at the next offset (base offset for the first). */
int kafka_batch_builder_add(kafka_batch_builder_t *b, const kafka_record_in_t *r);
/* Append a record at an absolute offset above the previous one (gaps are
 * allowed, as in compacted logs). KAFKA_EINVAL otherwise. */
int kafka_batch_builder_add_at(kafka_batch_builder_t *b, int64_t offset,
                               const kafka_record_in_t *r);
/* Compress, write the header and CRC, append the batch to out. The builder
 * may be reused after kafka_batch_builder_reset. KAFKA_EINVAL when
 * override_last_offset names an offset below the last record's or more than
 * INT32_MAX above the base. */
int kafka_batch_builder_finish(kafka_batch_builder_t *b, kafka_buf_t *out);
void kafka_batch_builder_reset(kafka_batch_builder_t *b, const kafka_batch_params_t *p);
void kafka_batch_builder_free(kafka_batch_builder_t *b);

/* Append a batch with no records (record count 0, no compression, first
 * timestamp -1) standing in for records that compaction removed: Kafka keeps
 * one where a producer's last batch would disappear, so that its last
 * sequence number and epoch survive. Header fields come from p (last offset
 * from override_last_offset, else the base offset); max_timestamp is
 * written as given. */
int kafka_batch_empty_build(kafka_buf_t *out, const kafka_batch_params_t *p, int64_t max_timestamp);

/* Control records (transaction markers). */
#define KAFKA_CONTROL_ABORT 0
#define KAFKA_CONTROL_COMMIT 1

/* Append a transactional control batch holding one end-transaction marker. */
int kafka_control_batch_build(kafka_buf_t *out, int64_t offset, int32_t partition_leader_epoch,
                              int64_t producer_id, int16_t producer_epoch, int64_t timestamp,
                              int16_t type, int32_t coordinator_epoch);
/* Read a control record's key (version, type) and, for transaction markers,
 * value (version, coordinator epoch; -1 if absent). */
int kafka_control_record_parse(const kafka_record_t *rec, int16_t *type,
                               int32_t *coordinator_epoch);

/* In-place updates a broker makes when storing a batch; buf holds the whole
 * batch. Base offset and leader epoch are outside the CRC. Setting the max
 * timestamp (and timestamp type: LogAppendTime when lat) recomputes the CRC,
 * as Kafka does when it stamps log-append time or corrects a producer's max
 * timestamp. */
int kafka_batch_set_base_offset(uint8_t *buf, size_t len, int64_t base_offset);
int kafka_batch_set_partition_leader_epoch(uint8_t *buf, size_t len, int32_t epoch);
int kafka_batch_set_max_timestamp(uint8_t *buf, size_t len, bool lat, int64_t timestamp);

/* ---- Produce validation ---- */

typedef struct kafka_validate_opts {
    int16_t produce_version;       /* -1: skip the version-dependent rules */
    size_t max_message_bytes;      /* per batch / legacy message; 0: default */
    size_t decompress_limit;       /* 0: max_message_bytes */
    bool compacted;                /* records need keys */
    int64_t now_ms;                /* for the timestamp check */
    int64_t timestamp_diff_max_ms; /* < 0: no check (Kafka's default) */
    bool topic_log_append_time;    /* topic timestamps are LogAppendTime: no diff check */
} kafka_validate_opts_t;

void kafka_validate_opts_init(kafka_validate_opts_t *o);

typedef struct kafka_validate_info {
    int8_t magic;
    int codec;             /* of the last entry, as Kafka reports it */
    int32_t batch_count;   /* v2 batches or top-level legacy messages */
    int32_t record_count;  /* logical records */
    int64_t max_timestamp; /* KAFKA_NO_TIMESTAMP if none */
    int64_t producer_id;   /* of the (only) v2 batch, else -1 */
    int16_t producer_epoch;
    int32_t base_sequence;
    bool transactional;
    size_t valid_bytes;
} kafka_validate_info_t;

/* Validate a Produce request's records for one partition as Kafka's log
 * validator does for clients. Returns 0 or a negative KAFKA_E* code with err
 * saying which Kafka error to answer (kafka_rec_err_wire): CORRUPT_MESSAGE
 * for bad CRCs, sizes and compressed data; INVALID_RECORD for inconsistent
 * counts, offsets, structure, control batches, missing keys on compacted
 * topics; INVALID_TIMESTAMP; MESSAGE_TOO_LARGE; UNSUPPORTED_COMPRESSION_TYPE
 * (zstd before Produce v7, unknown codecs). Unlike Kafka, offset deltas of a
 * v2 batch must be 0..count-1 and a truncated trailing entry is refused
 * rather than silently dropped: batches are stored as sent. */
int kafka_records_validate(const void *buf, size_t len, const kafka_validate_opts_t *opts,
                           kafka_validate_info_t *info, kafka_rec_err_t *err);

#endif
