/* lz4 frame decompression of arbitrary bytes, with the strict header
 * checksum and with the magic-0 one. */
#include "fuzz_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_codec(KAFKA_CODEC_LZ4, 0, data, size);
    fuzz_codec(KAFKA_CODEC_LZ4, KAFKA_LZ4_LEGACY_HC, data, size);
    return 0;
}
