/* zstd through libzstd. One frame with a declared content size is decoded in
 * one call into a buffer of exactly that size; anything else (no content
 * size, as the Java client's streaming writer leaves it, several frames,
 * skippable frames) goes through the streaming decoder. */
#include <zstd.h>
#include <zstd_errors.h>

#include "kafka/compress.h"

/* zstd's own default cap on the window a frame may ask for (128 MiB). The
 * window is only touched as output is produced, which stops at the limit. */
#define WINDOW_LOG_MAX 27
/* An RLE block turns 4 bytes into up to 128 KiB; a declared content size
 * beyond that ratio is not trusted as an allocation size. */
#define ZSTD_MAX_RATIO 32768

static size_t min_sz(size_t a, size_t b) {
    return a < b ? a : b;
}

int kafka_zstd_compress(int level, const void *in, size_t len, kafka_buf_t *out) {
    size_t bound = ZSTD_compressBound(len);
    if (ZSTD_isError(bound))
        return KAFKA_ETOOLARGE;
    int rc = kafka_buf_reserve(out, bound);
    if (rc)
        return rc;
    if (level == KAFKA_LEVEL_DEFAULT)
        level = ZSTD_CLEVEL_DEFAULT;
    size_t n = ZSTD_compress(out->ptr + out->len, bound, in, len, level);
    if (ZSTD_isError(n))
        return KAFKA_ECOMPRESS;
    out->len += n;
    return 0;
}

static int zstd_error(size_t r) {
    ZSTD_ErrorCode e = ZSTD_getErrorCode(r);
    if (e == ZSTD_error_frameParameter_windowTooLarge)
        return KAFKA_ETOOLARGE;
    if (e == ZSTD_error_memory_allocation)
        return KAFKA_ENOMEM;
    return KAFKA_ECOMPRESS;
}

int kafka_zstd_decompress(const void *in, size_t len, size_t limit, kafka_buf_t *out) {
    size_t start = out->len;
    if (len == 0)
        return KAFKA_ECOMPRESS;
    unsigned long long cs = ZSTD_getFrameContentSize(in, len);
    if (cs == ZSTD_CONTENTSIZE_ERROR)
        return KAFKA_ECOMPRESS;
    if (cs != ZSTD_CONTENTSIZE_UNKNOWN && cs > limit)
        return KAFKA_ETOOLARGE; /* refused before any work */

    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (!dctx)
        return KAFKA_ENOMEM;
    int rc = 0;
    size_t fsize = ZSTD_findFrameCompressedSize(in, len);
    if (cs != ZSTD_CONTENTSIZE_UNKNOWN && !ZSTD_isError(fsize) && fsize == len &&
        cs / ZSTD_MAX_RATIO <= len) {
        if ((rc = kafka_buf_reserve(out, (size_t)cs + 1)) == 0) {
            size_t n = ZSTD_decompressDCtx(dctx, out->ptr + out->len, (size_t)cs, in, len);
            if (ZSTD_isError(n))
                rc = zstd_error(n);
            else if (n != cs)
                rc = KAFKA_ECOMPRESS;
            else
                out->len += n;
        }
        goto done;
    }

    ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, WINDOW_LOG_MAX);
    rc = kafka_buf_reserve(out, min_sz(len * 4, limit) + 1);
    ZSTD_inBuffer ib = {in, len, 0};
    while (rc == 0) {
        size_t produced = out->len - start;
        uint8_t scratch;
        ZSTD_outBuffer ob;
        if (produced == limit) {
            ob = (ZSTD_outBuffer){&scratch, 1, 0}; /* one more byte is too many */
        } else {
            if (out->cap == out->len &&
                (rc = kafka_buf_reserve(
                     out, min_sz(produced > 131072 ? produced : 131072, limit - produced))) != 0)
                break;
            ob = (ZSTD_outBuffer){out->ptr + out->len,
                                  min_sz(out->cap - out->len, limit - produced), 0};
        }
        size_t in_before = ib.pos;
        size_t r = ZSTD_decompressStream(dctx, &ob, &ib);
        if (ZSTD_isError(r)) {
            rc = zstd_error(r);
            break;
        }
        if (ob.dst == &scratch) {
            if (ob.pos) {
                rc = KAFKA_ETOOLARGE;
                break;
            }
        } else {
            out->len += ob.pos;
        }
        if (ib.pos == ib.size) {
            if (r == 0)
                break; /* last frame complete and flushed */
            if (ob.pos < ob.size) {
                rc = KAFKA_ECOMPRESS; /* input ends inside a frame */
                break;
            }
        } else if (ob.pos == 0 && ib.pos == in_before) {
            rc = KAFKA_ECOMPRESS; /* no progress possible */
            break;
        }
    }
done:
    ZSTD_freeDCtx(dctx);
    if (rc)
        out->len = start;
    return rc;
}
