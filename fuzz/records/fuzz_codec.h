/* One decompressor under fuzzing: output stays within the limit, a failure
 * leaves no output, and whatever decompresses survives a round trip through
 * our compressor. */
#ifndef FUZZ_RECORDS_CODEC_H
#define FUZZ_RECORDS_CODEC_H

#include <string.h>

#include "kafka/compress.h"

#include "fuzz_common.h"

static inline void fuzz_codec(int codec, unsigned flags, const uint8_t *data, size_t size) {
    kafka_buf_t out = KAFKA_BUF_INIT, z = KAFKA_BUF_INIT, back = KAFKA_BUF_INIT;
    int rc = kafka_decompress(codec, flags, data, size, FUZZ_LIMIT, &out);
    FUZZ_CHECK(rc <= 0);
    FUZZ_CHECK(out.len <= FUZZ_LIMIT);
    FUZZ_CHECK(rc == 0 || out.len == 0);
    if (rc == 0) {
        FUZZ_CHECK(kafka_compress(codec, KAFKA_LEVEL_DEFAULT, flags, out.ptr, out.len, &z) == 0);
        FUZZ_CHECK(kafka_decompress(codec, flags, z.ptr, z.len, out.len, &back) == 0);
        FUZZ_CHECK(back.len == out.len);
        FUZZ_CHECK(out.len == 0 || memcmp(back.ptr, out.ptr, out.len) == 0);
    }
    kafka_buf_free(&out);
    kafka_buf_free(&z);
    kafka_buf_free(&back);
}

#endif
