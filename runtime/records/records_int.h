/* Internal helpers of the records module: big-endian loads/stores, Kafka's
 * zigzag varints, error reporting. Not installed. */
#ifndef KAFKA_RECORDS_INT_H
#define KAFKA_RECORDS_INT_H

#include <stdint.h>
#include <string.h>

#include "kafka/records.h"

#if defined(__GNUC__)
#define REC_LIKELY(x) __builtin_expect(!!(x), 1)
#define REC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define REC_LIKELY(x) (x)
#define REC_UNLIKELY(x) (x)
#endif

static inline uint16_t rd_be16(const uint8_t *p) {
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}
static inline uint32_t rd_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t rd_be64(const uint8_t *p) {
    return (uint64_t)rd_be32(p) << 32 | rd_be32(p + 4);
}
static inline void wr_be16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void wr_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void wr_be64(uint8_t *p, uint64_t v) {
    wr_be32(p, (uint32_t)(v >> 32));
    wr_be32(p + 4, (uint32_t)v);
}

/* Kafka varints: zigzag, at most 5 bytes for int32 and 10 for int64; extra
 * high bits in the last byte are dropped, as Java's ByteUtils does. Return
 * 0, KAFKA_ETRUNC or KAFKA_EINVAL (too long). */
static inline int rd_varint(const uint8_t **pp, const uint8_t *end, int32_t *out) {
    const uint8_t *p = *pp;
    uint32_t v = 0;
    for (int shift = 0; shift <= 28; shift += 7) {
        if (REC_UNLIKELY(p >= end))
            return KAFKA_ETRUNC;
        uint8_t b = *p++;
        v |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *pp = p;
            *out = (int32_t)((v >> 1) ^ (0u - (v & 1)));
            return 0;
        }
    }
    return KAFKA_EINVAL;
}

static inline int rd_varlong(const uint8_t **pp, const uint8_t *end, int64_t *out) {
    const uint8_t *p = *pp;
    uint64_t v = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
        if (REC_UNLIKELY(p >= end))
            return KAFKA_ETRUNC;
        uint8_t b = *p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *pp = p;
            *out = (int64_t)((v >> 1) ^ (0ull - (v & 1)));
            return 0;
        }
    }
    return KAFKA_EINVAL;
}

static inline size_t varint_size(int32_t v) {
    uint32_t z = ((uint32_t)v << 1) ^ (uint32_t)(v >> 31);
    size_t n = 1;
    while (z >= 0x80) {
        z >>= 7;
        n++;
    }
    return n;
}
static inline size_t varlong_size(int64_t v) {
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    size_t n = 1;
    while (z >= 0x80) {
        z >>= 7;
        n++;
    }
    return n;
}
/* Write at p (room for 5 / 10 bytes); return bytes written. */
static inline size_t wr_varint(uint8_t *p, int32_t v) {
    uint32_t z = ((uint32_t)v << 1) ^ (uint32_t)(v >> 31);
    size_t n = 0;
    while (z >= 0x80) {
        p[n++] = (uint8_t)(z | 0x80);
        z >>= 7;
    }
    p[n++] = (uint8_t)z;
    return n;
}
static inline size_t wr_varlong(uint8_t *p, int64_t v) {
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    size_t n = 0;
    while (z >= 0x80) {
        p[n++] = (uint8_t)(z | 0x80);
        z >>= 7;
    }
    p[n++] = (uint8_t)z;
    return n;
}

/* Wrapping add, as Java longs do, without signed-overflow UB. */
static inline int64_t add_wrap64(int64_t a, int64_t b) {
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* Record the first failure in err (if given) and return code. */
int rec_fail(kafka_rec_err_t *err, int code, int16_t wire, size_t offset, const char *reason);
/* Fill in indexes on an error that has none yet. */
void rec_err_locate(kafka_rec_err_t *err, int32_t batch_index, int32_t record_index);

/* Shared v2 header decoding (buf holds at least KAFKA_BATCH_V2_OVERHEAD). */
void batch_read_header(const uint8_t *buf, kafka_batch_t *b);

#endif
