/* lz4 through liblz4's frame API.
 *
 * Kafka before 0.10 computed the frame header checksum (HC) over the magic
 * number too, instead of over the frame descriptor only (KAFKA-3160); magic-0
 * messages keep that checksum. Readers of magic 0 therefore ignore HC and
 * writers of magic 0 reproduce the wrong one. liblz4 checks HC strictly, so
 * for magic 0 the header is fed to it with a recomputed HC. */
#include <lz4frame.h>
#include <string.h>

#include "kafka/compress.h"

#define LZ4_FRAME_MAGIC 0x184D2204u
#define LZ4_MAX_RATIO 255 /* one sequence emits at most ~255 bytes per input byte */

#define FLG_CONTENT_SIZE 0x08
#define FLG_DICT_ID 0x01

static size_t min_sz(size_t a, size_t b) {
    return a < b ? a : b;
}

static inline uint32_t rotl32(uint32_t x, int r) {
    return (x << r) | (x >> (32 - r));
}

static inline uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* XXH32 (seed 0 allowed), used only for frame header checksums here. */
static uint32_t xxh32(const uint8_t *p, size_t len, uint32_t seed) {
    const uint32_t p1 = 0x9E3779B1u, p2 = 0x85EBCA77u, p3 = 0xC2B2AE3Du, p4 = 0x27D4EB2Fu,
                   p5 = 0x165667B1u;
    const uint8_t *end = p + len;
    uint32_t h;
    if (len >= 16) {
        uint32_t v1 = seed + p1 + p2, v2 = seed + p2, v3 = seed, v4 = seed - p1;
        do {
            v1 = rotl32(v1 + le32(p) * p2, 13) * p1;
            v2 = rotl32(v2 + le32(p + 4) * p2, 13) * p1;
            v3 = rotl32(v3 + le32(p + 8) * p2, 13) * p1;
            v4 = rotl32(v4 + le32(p + 12) * p2, 13) * p1;
            p += 16;
        } while (end - p >= 16);
        h = rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18);
    } else {
        h = seed + p5;
    }
    h += (uint32_t)len;
    while (end - p >= 4) {
        h = rotl32(h + le32(p) * p3, 17) * p4;
        p += 4;
    }
    while (p < end)
        h = rotl32(h + (*p++) * p5, 11) * p1;
    h ^= h >> 15;
    h *= p2;
    h ^= h >> 13;
    h *= p3;
    h ^= h >> 16;
    return h;
}

/* Length of the frame header through HC, or 0 if buf does not hold one. */
static size_t frame_header_len(const uint8_t *buf, size_t len) {
    if (len < 7 || le32(buf) != LZ4_FRAME_MAGIC)
        return 0;
    size_t n = 7 + ((buf[4] & FLG_CONTENT_SIZE) ? 8 : 0) + ((buf[4] & FLG_DICT_ID) ? 4 : 0);
    return n <= len ? n : 0;
}

int kafka_lz4_compress(int level, unsigned flags, const void *in, size_t len, kafka_buf_t *out) {
    LZ4F_preferences_t prefs;
    memset(&prefs, 0, sizeof prefs);
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    prefs.compressionLevel = level == KAFKA_LEVEL_DEFAULT ? 0 : level;
    size_t bound = LZ4F_compressFrameBound(len, &prefs);
    int rc = kafka_buf_reserve(out, bound);
    if (rc)
        return rc;
    uint8_t *dst = out->ptr + out->len;
    size_t n = LZ4F_compressFrame(dst, bound, in, len, &prefs);
    if (LZ4F_isError(n))
        return KAFKA_ECOMPRESS;
    if (flags & KAFKA_LZ4_LEGACY_HC) {
        size_t hl = frame_header_len(dst, n);
        if (hl == 0)
            return KAFKA_ECOMPRESS;
        dst[hl - 1] = (uint8_t)(xxh32(dst, hl - 1, 0) >> 8);
    }
    out->len += n;
    return 0;
}

int kafka_lz4_decompress(unsigned flags, const void *in, size_t len, size_t limit,
                         kafka_buf_t *out) {
    const uint8_t *src = in;
    size_t start = out->len;
    uint8_t hdr[19];
    const uint8_t *seg[2] = {src, NULL};
    size_t seg_len[2] = {len, 0};
    size_t hl = frame_header_len(src, len);
    if (hl == 0)
        return KAFKA_ECOMPRESS;
    if (flags & KAFKA_LZ4_LEGACY_HC) {
        memcpy(hdr, src, hl);
        hdr[hl - 1] = (uint8_t)(xxh32(hdr + 4, hl - 5, 0) >> 8);
        seg[0] = hdr;
        seg_len[0] = hl;
        seg[1] = src + hl;
        seg_len[1] = len - hl;
    }

    size_t hint = len * 4;
    if (src[4] & FLG_CONTENT_SIZE) {
        uint64_t cs = (uint64_t)le32(src + 6) | (uint64_t)le32(src + 10) << 32;
        if (cs > limit)
            return KAFKA_ETOOLARGE;
        if (cs / LZ4_MAX_RATIO <= len)
            hint = (size_t)cs;
    }
    LZ4F_dctx *dctx;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
        return KAFKA_ENOMEM;
    int rc = kafka_buf_reserve(out, min_sz(hint, limit) + 1);
    int si = 0;
    size_t spos = 0;
    while (rc == 0) {
        while (si < 1 && spos == seg_len[si] && seg[si + 1]) {
            si++;
            spos = 0;
        }
        size_t produced = out->len - start;
        uint8_t scratch;
        uint8_t *dst;
        size_t room;
        if (produced == limit) {
            dst = &scratch; /* any further byte is one too many */
            room = 1;
        } else {
            if (out->cap == out->len &&
                (rc = kafka_buf_reserve(
                     out, min_sz(produced > 65536 ? produced : 65536, limit - produced))) != 0)
                break;
            dst = out->ptr + out->len;
            room = min_sz(out->cap - out->len, limit - produced);
        }
        size_t dsz = room, ssz = seg_len[si] - spos;
        size_t r = LZ4F_decompress(dctx, dst, &dsz, seg[si] + spos, &ssz, NULL);
        if (LZ4F_isError(r)) {
            rc = KAFKA_ECOMPRESS;
            break;
        }
        spos += ssz;
        if (dst == &scratch) {
            if (dsz) {
                rc = KAFKA_ETOOLARGE;
                break;
            }
        } else {
            out->len += dsz;
        }
        if (r == 0)
            break; /* end of the frame; trailing bytes are ignored */
        if (dsz == 0 && ssz == 0) {
            rc = KAFKA_ECOMPRESS; /* truncated: no input left, no progress */
            break;
        }
    }
    LZ4F_freeDecompressionContext(dctx);
    if (rc)
        out->len = start;
    return rc;
}
