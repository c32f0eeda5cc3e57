/* snappy decompression of arbitrary bytes: snappy-java framing when the
 * input starts with its magic, a raw block otherwise. */
#include "fuzz_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_codec(KAFKA_CODEC_SNAPPY, 0, data, size);
    fuzz_codec(KAFKA_CODEC_SNAPPY, KAFKA_SNAPPY_RAW, data, size);
    return 0;
}
