/* Legacy (magic 0/1) message sets from arbitrary bytes: shallow and deep
 * iteration, produce validation, and up-conversion, whose output must
 * always read back with the same records. */
#include "kafka/legacy_records.h"
#include "kafka/records.h"

#include "fuzz_common.h"

static int32_t deep_count(const uint8_t *data, size_t size, unsigned flags) {
    kafka_legacy_deep_iter_t it;
    kafka_legacy_deep_init(&it, data, size, flags, FUZZ_LIMIT);
    kafka_legacy_msg_t m;
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    int rc;
    int32_t n = 0;
    while ((rc = kafka_legacy_deep_next(&it, &m, &err)) == 1) {
        FUZZ_CHECK(m.key.len >= -1 && m.value.len >= -1);
        FUZZ_CHECK(m.magic == 0 || m.magic == 1);
        n++;
    }
    FUZZ_CHECK(rc <= 0);
    FUZZ_CHECK(rc == 0 || err.code == rc);
    kafka_legacy_deep_free(&it);
    return rc == 0 ? n : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kafka_legacy_iter_t sh;
    kafka_legacy_msg_t m;
    kafka_legacy_iter_init(&sh, data, size, KAFKA_RECORDS_ALLOW_PARTIAL | KAFKA_RECORDS_SKIP_CRC);
    while (kafka_legacy_iter_next(&sh, &m, NULL) == 1)
        FUZZ_CHECK(m.data + m.total <= data + size);
    deep_count(data, size, KAFKA_RECORDS_SKIP_CRC);
    int32_t n = deep_count(data, size, 0);

    kafka_validate_opts_t o;
    kafka_validate_opts_init(&o);
    o.produce_version = 2;
    o.decompress_limit = FUZZ_LIMIT;
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    int rc = kafka_records_validate(data, size, &o, NULL, &err);
    FUZZ_CHECK(rc == err.code);

    kafka_convert_opts_t co;
    kafka_convert_opts_init(&co);
    co.decompress_limit = FUZZ_LIMIT;
    kafka_buf_t v2 = KAFKA_BUF_INIT;
    kafka_rec_err_clear(&err);
    if (kafka_legacy_to_v2(data, size, &co, &v2, &err) == 0) {
        FUZZ_CHECK(n >= 0);
        kafka_batch_iter_t bi;
        kafka_batch_t b;
        kafka_batch_iter_init(&bi, v2.ptr, v2.len, 0);
        int32_t got = 0;
        while ((rc = kafka_batch_iter_next(&bi, &b, NULL)) == 1) {
            kafka_record_iter_t it;
            FUZZ_CHECK(kafka_record_iter_init(&it, &b, 64u << 20, NULL) == 0);
            kafka_record_t r;
            while ((rc = kafka_record_iter_next(&it, &r, NULL)) == 1)
                got++;
            FUZZ_CHECK(rc == 0);
            kafka_record_iter_free(&it);
        }
        FUZZ_CHECK(rc == 0 && got == n);
    }
    kafka_buf_free(&v2);
    return 0;
}
