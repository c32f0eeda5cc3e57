/* gzip through zlib. Kafka's gzip is the gzip container (RFC 1952), as
 * java.util.zip.GZIPOutputStream writes it. */
#include <limits.h>
#include <zlib.h>

#include "kafka/compress.h"

/* Deflate cannot expand more than ~1032:1, so a claimed size above that is
 * not trusted as an allocation hint. */
#define DEFLATE_MAX_RATIO 1032

static size_t min_sz(size_t a, size_t b) {
    return a < b ? a : b;
}

int kafka_gzip_compress(int level, const void *in, size_t len, kafka_buf_t *out) {
    z_stream zs = {0};
    if (level == KAFKA_LEVEL_DEFAULT)
        level = Z_DEFAULT_COMPRESSION;
    int zr = deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (zr == Z_STREAM_ERROR)
        return KAFKA_EINVAL;
    if (zr != Z_OK)
        return KAFKA_ENOMEM;
    size_t start = out->len;
    int rc = kafka_buf_reserve(out, deflateBound(&zs, (uLong)len));
    const uint8_t *src = in;
    size_t in_pos = 0;
    while (rc == 0) {
        if (out->cap == out->len && (rc = kafka_buf_reserve(out, 4096)) != 0)
            break;
        size_t room = min_sz(out->cap - out->len, UINT_MAX);
        size_t in_left = min_sz(len - in_pos, UINT_MAX);
        zs.next_in = (Bytef *)(src + in_pos);
        zs.avail_in = (uInt)in_left;
        zs.next_out = out->ptr + out->len;
        zs.avail_out = (uInt)room;
        zr = deflate(&zs, in_pos + in_left == len ? Z_FINISH : Z_NO_FLUSH);
        in_pos += in_left - zs.avail_in;
        out->len += room - zs.avail_out;
        if (zr == Z_STREAM_END)
            break;
        if (zr != Z_OK && zr != Z_BUF_ERROR)
            rc = KAFKA_ECOMPRESS;
    }
    deflateEnd(&zs);
    if (rc)
        out->len = start;
    return rc;
}

int kafka_gzip_decompress(const void *in, size_t len, size_t limit, kafka_buf_t *out) {
    const uint8_t *src = in;
    size_t start = out->len;
    z_stream zs = {0};
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return KAFKA_ENOMEM;

    /* The trailer's ISIZE (last member) makes a good first allocation. */
    size_t bound = len > SIZE_MAX / DEFLATE_MAX_RATIO ? SIZE_MAX : len * DEFLATE_MAX_RATIO;
    size_t hint = 0;
    if (len >= 4)
        hint = (size_t)src[len - 4] | (size_t)src[len - 3] << 8 | (size_t)src[len - 2] << 16 |
               (size_t)src[len - 1] << 24;
    if (hint == 0 || hint > bound)
        hint = len * 4;
    int rc = kafka_buf_reserve(out, min_sz(min_sz(hint, limit), bound) + 1);

    size_t in_pos = 0;
    while (rc == 0) {
        size_t produced = out->len - start;
        uint8_t scratch;
        uint8_t *dst;
        size_t room;
        if (produced == limit) {
            /* At the limit: any further byte means the input is too big. */
            dst = &scratch;
            room = 1;
        } else {
            if (out->cap == out->len &&
                (rc = kafka_buf_reserve(
                     out, min_sz(produced > 16384 ? produced : 16384, limit - produced))) != 0)
                break;
            dst = out->ptr + out->len;
            room = min_sz(min_sz(out->cap - out->len, limit - produced), UINT_MAX);
        }
        size_t in_left = min_sz(len - in_pos, UINT_MAX);
        zs.next_in = (Bytef *)(src + in_pos);
        zs.avail_in = (uInt)in_left;
        zs.next_out = dst;
        zs.avail_out = (uInt)room;
        int zr = inflate(&zs, Z_NO_FLUSH);
        in_pos += in_left - zs.avail_in;
        size_t wrote = room - zs.avail_out;
        if (dst == &scratch) {
            if (wrote) {
                rc = KAFKA_ETOOLARGE;
                break;
            }
        } else {
            out->len += wrote;
        }
        if (zr == Z_STREAM_END) {
            if (len - in_pos >= 2 && src[in_pos] == 0x1f && src[in_pos + 1] == 0x8b) {
                inflateReset(&zs);
                continue;
            }
            break;
        }
        if (zr == Z_OK)
            continue;
        if (zr == Z_BUF_ERROR && in_pos < len)
            continue; /* output was full */
        rc = zr == Z_MEM_ERROR ? KAFKA_ENOMEM : KAFKA_ECOMPRESS;
    }
    inflateEnd(&zs);
    if (rc)
        out->len = start;
    return rc;
}
