/* snappy through libsnappy's C API: raw blocks (librdkafka, Sarama) and the
 * snappy-java framing the Java client writes. */
#include <snappy-c.h>
#include <string.h>

#include "kafka/compress.h"

#include "records_int.h"

static const uint8_t xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
#define XERIAL_HEADER 16
#define XERIAL_BLOCK (32 * 1024) /* snappy-java's default block size */

/* A snappy copy element emits at most 64 bytes from 2-3 input bytes, so a
 * block cannot expand beyond ~22:1; larger claimed lengths are refused before
 * anything is allocated. */
#define SNAPPY_MAX_RATIO 22

static int compress_block(const uint8_t *in, size_t len, kafka_buf_t *out) {
    size_t max = snappy_max_compressed_length(len);
    int rc = kafka_buf_reserve(out, max);
    if (rc)
        return rc;
    size_t n = max;
    if (snappy_compress((const char *)in, len, (char *)out->ptr + out->len, &n) != SNAPPY_OK)
        return KAFKA_ECOMPRESS;
    out->len += n;
    return 0;
}

int kafka_snappy_compress(unsigned flags, const void *in, size_t len, kafka_buf_t *out) {
    const uint8_t *src = in;
    size_t start = out->len;
    int rc;
    if (flags & KAFKA_SNAPPY_RAW) {
        rc = compress_block(src, len, out);
    } else {
        uint8_t hdr[XERIAL_HEADER];
        memcpy(hdr, xerial_magic, 8);
        wr_be32(hdr + 8, 1);  /* version */
        wr_be32(hdr + 12, 1); /* compatible version */
        rc = kafka_buf_append(out, hdr, sizeof hdr);
        for (size_t pos = 0; rc == 0 && pos < len; pos += XERIAL_BLOCK) {
            size_t n = len - pos < XERIAL_BLOCK ? len - pos : XERIAL_BLOCK;
            size_t len_at = out->len;
            uint8_t zero[4] = {0};
            if ((rc = kafka_buf_append(out, zero, 4)) != 0 ||
                (rc = compress_block(src + pos, n, out)) != 0)
                break;
            wr_be32(out->ptr + len_at, (uint32_t)(out->len - len_at - 4));
        }
    }
    if (rc)
        out->len = start;
    return rc;
}

/* Uncompressed length of a raw block: within the room left, and within what
 * the block's size can honestly produce. */
static int block_length(const uint8_t *in, size_t len, size_t room, size_t *n) {
    if (len == 0 || snappy_uncompressed_length((const char *)in, len, n) != SNAPPY_OK)
        return KAFKA_ECOMPRESS;
    if (*n > room)
        return KAFKA_ETOOLARGE;
    if (*n / SNAPPY_MAX_RATIO > len)
        return KAFKA_ECOMPRESS;
    return 0;
}

static int uncompress_block(const uint8_t *in, size_t len, size_t n, kafka_buf_t *out) {
    size_t got = n;
    if (snappy_uncompress((const char *)in, len, (char *)out->ptr + out->len, &got) != SNAPPY_OK ||
        got != n)
        return KAFKA_ECOMPRESS;
    out->len += n;
    return 0;
}

int kafka_snappy_decompress(const void *in, size_t len, size_t limit, kafka_buf_t *out) {
    const uint8_t *src = in;
    size_t start = out->len;
    size_t n;
    int rc;
    if (len < XERIAL_HEADER || memcmp(src, xerial_magic, 8) != 0) {
        if ((rc = block_length(src, len, limit, &n)) != 0)
            return rc;
        if ((rc = kafka_buf_reserve(out, n)) != 0)
            return rc;
        rc = uncompress_block(src, len, n, out);
        if (rc)
            out->len = start;
        return rc;
    }
    /* Framed: size every block first so one allocation fits the lot and an
     * oversized stream is refused before any decompression. */
    size_t total = 0;
    size_t pos = XERIAL_HEADER;
    while (pos < len) {
        if (len - pos < 4)
            return KAFKA_ECOMPRESS;
        uint32_t blen = rd_be32(src + pos);
        pos += 4;
        if (blen > len - pos)
            return KAFKA_ECOMPRESS;
        if ((rc = block_length(src + pos, blen, limit - total, &n)) != 0)
            return rc;
        total += n;
        pos += blen;
    }
    if ((rc = kafka_buf_reserve(out, total)) != 0)
        return rc;
    for (pos = XERIAL_HEADER; pos < len && rc == 0;) {
        uint32_t blen = rd_be32(src + pos);
        pos += 4;
        snappy_uncompressed_length((const char *)src + pos, blen, &n);
        rc = uncompress_block(src + pos, blen, n, out);
        pos += blen;
    }
    if (rc)
        out->len = start;
    return rc;
}
