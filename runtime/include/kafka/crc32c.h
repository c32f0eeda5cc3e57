/* CRC-32C (Castagnoli), the checksum of magic-2 record batches, and CRC-32
 * (IEEE), the checksum of magic-0/1 messages.
 *
 * All functions follow zlib's convention: start with crc = 0 and feed the
 * previous result to continue, so crc(a||b) == crc(crc(0, a), b). The
 * hardware path uses the SSE4.2 crc32 instruction when the CPU has it
 * (checked once at run time); the portable path gives identical results. */
#ifndef KAFKA_CRC32C_H
#define KAFKA_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fastest available implementation. */
uint32_t kafka_crc32c(uint32_t crc, const void *buf, size_t len);
/* Table-driven (slicing-by-8), any CPU. */
uint32_t kafka_crc32c_portable(uint32_t crc, const void *buf, size_t len);
/* SSE4.2 path; falls back to the portable one when the CPU lacks it. */
uint32_t kafka_crc32c_hw(uint32_t crc, const void *buf, size_t len);
bool kafka_crc32c_hw_available(void);
/* "sse4.2" or "portable": what kafka_crc32c uses. */
const char *kafka_crc32c_impl(void);

/* CRC-32 (IEEE 802.3) through zlib. */
uint32_t kafka_crc32(uint32_t crc, const void *buf, size_t len);

#endif
