/* gzip decompression of arbitrary bytes. */
#include "fuzz_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_codec(KAFKA_CODEC_GZIP, 0, data, size);
    return 0;
}
