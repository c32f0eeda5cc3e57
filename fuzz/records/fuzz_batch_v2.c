/* Magic-2 batches from arbitrary bytes: batch and record iteration (with and
 * without CRC checks, so that mutations get past the checksum), headers,
 * control records, produce validation, re-encoding of what parsed, and
 * down-conversion. */
#include <string.h>

#include "kafka/legacy_records.h"
#include "kafka/records.h"

#include "fuzz_common.h"

static uint64_t mix(uint64_t h, kafka_bytes_t b) {
    h = (h ^ (uint64_t)(uint32_t)b.len) * 0x100000001b3ull;
    for (int32_t i = 0; i < b.len; i++)
        h = (h ^ b.ptr[i]) * 0x100000001b3ull;
    return h;
}

/* Iterate one batch's records; returns the count, or -1 if they did not
 * all parse. When a builder is given, each record is added to it. */
static int32_t walk_records(const kafka_batch_t *b, kafka_batch_builder_t *bb, uint64_t *hash,
                            bool *rebuilt) {
    kafka_record_iter_t it;
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    int32_t n = 0;
    int rc = kafka_record_iter_init(&it, b, FUZZ_LIMIT, &err);
    if (rc == 0) {
        kafka_record_t r;
        while ((rc = kafka_record_iter_next(&it, &r, &err)) == 1) {
            FUZZ_CHECK(r.key.len >= -1 && r.value.len >= -1);
            *hash = mix(mix(*hash, r.key), r.value);
            kafka_header_iter_t hi;
            kafka_header_t h, hs[16];
            int32_t nh = 0;
            int hr;
            kafka_header_iter_init(&hi, &r);
            while ((hr = kafka_header_iter_next(&hi, &h)) == 1) {
                FUZZ_CHECK(h.key.len >= 0);
                if (nh < 16)
                    hs[nh] = h;
                nh++;
            }
            FUZZ_CHECK(hr == 0 && nh == r.header_count); /* validated by the iterator */
            if (kafka_batch_is_control(b)) {
                int16_t type;
                int32_t epoch;
                kafka_control_record_parse(&r, &type, &epoch);
            }
            if (bb && *rebuilt) {
                kafka_record_in_t in = {r.timestamp, r.key, r.value, hs, nh};
                if (nh > 16 || kafka_batch_is_log_append_time(b) ||
                    kafka_batch_builder_add_at(bb, r.offset, &in) != 0)
                    *rebuilt = false;
            }
            n++;
        }
        FUZZ_CHECK(rc <= 0);
        if (rc == 0)
            FUZZ_CHECK(n == (b->record_count > 0 ? b->record_count : 0));
    }
    FUZZ_CHECK(rc == 0 || err.code == rc);
    kafka_record_iter_free(&it);
    return rc == 0 ? n : -1;
}

static void walk(const uint8_t *data, size_t size, unsigned flags) {
    kafka_batch_iter_t bi;
    kafka_batch_t b;
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    kafka_batch_iter_init(&bi, data, size, flags);
    int rc;
    while ((rc = kafka_batch_iter_next(&bi, &b, &err)) == 1) {
        FUZZ_CHECK(b.size >= KAFKA_BATCH_V2_OVERHEAD && b.data + b.size <= data + size);
        kafka_batch_params_t p;
        kafka_batch_params_init(&p);
        p.base_offset = b.base_offset;
        p.codec = kafka_batch_codec(&b) < KAFKA_CODEC_COUNT ? kafka_batch_codec(&b) : 0;
        p.set_first_timestamp = true; /* same deltas, so never a larger encoding */
        p.first_timestamp = b.first_timestamp;
        kafka_batch_builder_t bb;
        kafka_batch_builder_init(&bb, &p);
        uint64_t h1 = 0, h2 = 0;
        bool rebuilt = true;
        int32_t n = walk_records(&b, &bb, &h1, &rebuilt);
        if (n > 0 && rebuilt) {
            /* What parsed, rebuilt by us, parses to the same records. */
            kafka_buf_t out = KAFKA_BUF_INIT;
            FUZZ_CHECK(kafka_batch_builder_finish(&bb, &out) == 0);
            kafka_batch_t again;
            FUZZ_CHECK(kafka_batch_parse(out.ptr, out.len, 0, &again, NULL) == 0);
            bool dummy = false;
            FUZZ_CHECK(walk_records(&again, NULL, &h2, &dummy) == n);
            FUZZ_CHECK(h1 == h2);
            kafka_buf_free(&out);
        }
        kafka_batch_builder_free(&bb);
    }
    FUZZ_CHECK(rc <= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    walk(data, size, KAFKA_RECORDS_SKIP_CRC);
    walk(data, size, KAFKA_RECORDS_ALLOW_PARTIAL);

    kafka_validate_opts_t o;
    kafka_validate_opts_init(&o);
    o.produce_version = 9;
    o.decompress_limit = FUZZ_LIMIT;
    kafka_validate_info_t info;
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    int rc = kafka_records_validate(data, size, &o, &info, &err);
    FUZZ_CHECK(rc == err.code);
    FUZZ_CHECK(rc == 0 || kafka_rec_err_wire(&err) != 0);

    kafka_convert_opts_t co;
    kafka_convert_opts_init(&co);
    co.decompress_limit = FUZZ_LIMIT;
    kafka_buf_t legacy = KAFKA_BUF_INIT;
    kafka_rec_err_clear(&err);
    if (kafka_v2_to_legacy(data, size, 1, &co, &legacy, &err) == 0) {
        /* Down-converted output is always readable. */
        kafka_legacy_deep_iter_t it;
        kafka_legacy_deep_init(&it, legacy.ptr, legacy.len, 0, 64u << 20);
        kafka_legacy_msg_t m;
        while ((rc = kafka_legacy_deep_next(&it, &m, &err)) == 1)
            ;
        FUZZ_CHECK(rc == 0);
        kafka_legacy_deep_free(&it);
    }
    kafka_buf_free(&legacy);
    return 0;
}
