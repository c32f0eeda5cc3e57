/* Bounds-checked reader over an input buffer. Every function returns 0 or a
 * negative KAFKA_E* code and, on failure, records the offset and reason in
 * r->err (when set) without advancing past the end. Nothing here copies or
 * allocates except kafka_read_array_len's caller. */
#ifndef KAFKA_READER_H
#define KAFKA_READER_H

#include "kafka/err.h"
#include "kafka/types.h"

typedef struct kafka_reader {
    const uint8_t *buf;
    size_t len;       /* bytes in buf */
    size_t pos;       /* next byte to read */
    int64_t base;     /* offset of buf[0] in the outermost input */
    kafka_err_t *err; /* optional */
} kafka_reader_t;

/* Kafka's limit for string lengths, in both encodings. */
#define KAFKA_STRING_MAX 0x7fff

kafka_reader_t kafka_reader_make(const void *buf, size_t len, kafka_err_t *err);
static inline size_t kafka_reader_remaining(const kafka_reader_t *r) {
    return r->len - r->pos;
}
/* A reader over the next n bytes (which the caller has checked exist); the
 * parent's pos is NOT advanced. Offsets in errors stay absolute. */
kafka_reader_t kafka_reader_sub(const kafka_reader_t *r, size_t n);
/* Record err code at the current position; returns code. */
int kafka_reader_fail(kafka_reader_t *r, int code, const char *reason);

int kafka_read_bool(kafka_reader_t *r, bool *out); /* any non-zero is true */
int kafka_read_int8(kafka_reader_t *r, int8_t *out);
int kafka_read_int16(kafka_reader_t *r, int16_t *out);
int kafka_read_uint16(kafka_reader_t *r, uint16_t *out);
int kafka_read_int32(kafka_reader_t *r, int32_t *out);
int kafka_read_uint32(kafka_reader_t *r, uint32_t *out);
int kafka_read_int64(kafka_reader_t *r, int64_t *out);
int kafka_read_float64(kafka_reader_t *r, double *out);
int kafka_read_uuid(kafka_reader_t *r, kafka_uuid_t *out);
/* Unsigned varint, at most 5 bytes; the 5th byte may carry only 4 bits. */
int kafka_read_uvarint(kafka_reader_t *r, uint32_t *out);
/* Zigzag varint (int32), at most 5 bytes. */
int kafka_read_varint(kafka_reader_t *r, int32_t *out);
/* Unsigned varlong, at most 10 bytes; the 10th may carry only 1 bit. */
int kafka_read_uvarlong(kafka_reader_t *r, uint64_t *out);
/* Zigzag varlong (int64), at most 10 bytes. */
int kafka_read_varlong(kafka_reader_t *r, int64_t *out);

/* Classic (flex=false): int16 length, -1 null. Compact (flex=true):
 * uvarint(len+1), 0 null. Null when !nullable -> KAFKA_ENULL; length above
 * KAFKA_STRING_MAX -> KAFKA_ETOOLARGE; beyond the input -> KAFKA_ETRUNC. */
int kafka_read_string(kafka_reader_t *r, bool flex, bool nullable, kafka_str_t *out);
/* As strings, but an int32 length in classic form and no 0x7fff limit.
 * Also used for records. */
int kafka_read_bytes(kafka_reader_t *r, bool flex, bool nullable, kafka_bytes_t *out);
/* Array count: classic int32 (-1 null), compact uvarint(count+1) (0 null).
 * Rejects, before anything is allocated, a count whose elements cannot fit
 * in the remaining bytes given each takes at least min_elem_size bytes
 * (pass 1 for elements that may be empty). *out = -1 for null. */
int kafka_read_array_len(kafka_reader_t *r, bool flex, bool nullable, size_t min_elem_size,
                         int32_t *out);

/* Tagged-field section iteration. kafka_read_tag_count reads the section's
 * count; each kafka_read_tag_header reads (tag, size), checks that tags are
 * strictly ascending (prev_tag starts at -1) and that size bytes remain. */
int kafka_read_tag_count(kafka_reader_t *r, uint32_t *count);
int kafka_read_tag_header(kafka_reader_t *r, int64_t *prev_tag, uint32_t *tag, uint32_t *size);

#endif
