/* Record batch v2 header: the few fields the log reads and checks. */
#include "log_internal.h"

#include "kafka/crc32c.h"

uint64_t kgw_be64(const uint8_t *p) {
    return ((uint64_t)kgw_be32(p) << 32) | kgw_be32(p + 4);
}

uint32_t kgw_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

void kgw_put_be64(uint8_t *p, uint64_t v) {
    kgw_put_be32(p, (uint32_t)(v >> 32));
    kgw_put_be32(p + 4, (uint32_t)v);
}

void kgw_put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

int kgw_batch_parse(const uint8_t *p, size_t avail, int32_t max_batch, kgw_batch_hdr_t *h) {
    if (avail < KGW_LOG_BATCH_HEADER_SIZE)
        return KGW_LOG_EBATCH;
    h->base_offset = (int64_t)kgw_be64(p);
    h->batch_length = (int32_t)kgw_be32(p + 8);
    h->magic = (int8_t)p[16];
    h->crc = kgw_be32(p + 17);
    h->last_offset_delta = (int32_t)kgw_be32(p + 23);
    h->max_timestamp = (int64_t)kgw_be64(p + 35);
    if (h->batch_length < KGW_LOG_BATCH_HEADER_SIZE - 12 || h->batch_length > max_batch - 12)
        return KGW_LOG_EBATCH;
    h->total = (size_t)h->batch_length + 12;
    if (h->magic != 2 || h->last_offset_delta < 0)
        return KGW_LOG_EBATCH;
    return 0;
}

bool kgw_batch_crc_ok(const uint8_t *p, const kgw_batch_hdr_t *h) {
    return kafka_crc32c(0, p + 21, h->total - 21) == h->crc;
}
