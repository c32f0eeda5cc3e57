/* Codec dispatch and the growable output buffer the codecs write into. */
#include "kafka/compress.h"

#include <stdlib.h>
#include <string.h>

void kafka_buf_free(kafka_buf_t *b) {
    free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

int kafka_buf_reserve(kafka_buf_t *b, size_t extra) {
    if (extra > SIZE_MAX - b->len)
        return KAFKA_ENOMEM;
    size_t need = b->len + extra;
    if (need <= b->cap && b->ptr)
        return 0; /* never NULL once reserved, even for 0 bytes */
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *p = realloc(b->ptr, cap);
    if (!p)
        return KAFKA_ENOMEM;
    b->ptr = p;
    b->cap = cap;
    return 0;
}

int kafka_buf_append(kafka_buf_t *b, const void *p, size_t n) {
    if (n == 0)
        return 0;
    int rc = kafka_buf_reserve(b, n);
    if (rc)
        return rc;
    memcpy(b->ptr + b->len, p, n);
    b->len += n;
    return 0;
}

static const char *const names[KAFKA_CODEC_COUNT] = {"none", "gzip", "snappy", "lz4", "zstd"};

const char *kafka_codec_name(int codec) {
    return kafka_codec_known(codec) ? names[codec] : NULL;
}

bool kafka_codec_known(int codec) {
    return codec >= 0 && codec < KAFKA_CODEC_COUNT;
}

int kafka_compress(int codec, int level, unsigned flags, const void *in, size_t len,
                   kafka_buf_t *out) {
    switch (codec) {
    case KAFKA_CODEC_NONE:
        return kafka_buf_append(out, in, len);
    case KAFKA_CODEC_GZIP:
        return kafka_gzip_compress(level, in, len, out);
    case KAFKA_CODEC_SNAPPY:
        return kafka_snappy_compress(flags, in, len, out);
    case KAFKA_CODEC_LZ4:
        return kafka_lz4_compress(level, flags, in, len, out);
    case KAFKA_CODEC_ZSTD:
        return kafka_zstd_compress(level, in, len, out);
    }
    return KAFKA_EUNSUPPORTED;
}

int kafka_decompress(int codec, unsigned flags, const void *in, size_t len, size_t limit,
                     kafka_buf_t *out) {
    switch (codec) {
    case KAFKA_CODEC_NONE:
        if (len > limit)
            return KAFKA_ETOOLARGE;
        return kafka_buf_append(out, in, len);
    case KAFKA_CODEC_GZIP:
        return kafka_gzip_decompress(in, len, limit, out);
    case KAFKA_CODEC_SNAPPY:
        return kafka_snappy_decompress(in, len, limit, out);
    case KAFKA_CODEC_LZ4:
        return kafka_lz4_decompress(flags, in, len, limit, out);
    case KAFKA_CODEC_ZSTD:
        return kafka_zstd_decompress(in, len, limit, out);
    }
    return KAFKA_EUNSUPPORTED;
}
