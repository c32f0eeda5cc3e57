/* Produce validation: each rule gives the Kafka error a broker answers. */
#include "testutil.h"

#include "kafka/crc32c.h"
#include "kafka/legacy_records.h"

static void build_v2(kafka_buf_t *out, const kafka_batch_params_t *p, int n, bool keys,
                     int64_t ts) {
    kafka_batch_builder_t b;
    kafka_batch_builder_init(&b, p);
    for (int i = 0; i < n; i++) {
        kafka_record_in_t r = {.timestamp = ts + i,
                               .key = keys ? tu_str("key") : tu_bytes(NULL, -1),
                               .value = tu_str("value")};
        assert_int_equal(0, kafka_batch_builder_add(&b, &r));
    }
    assert_int_equal(0, kafka_batch_builder_finish(&b, out));
    kafka_batch_builder_free(&b);
}

static void refresh_crc(uint8_t *buf, size_t len) {
    uint32_t c = kafka_crc32c(0, buf + KAFKA_BATCH_CRC_START, len - KAFKA_BATCH_CRC_START);
    buf[17] = (uint8_t)(c >> 24), buf[18] = (uint8_t)(c >> 16), buf[19] = (uint8_t)(c >> 8);
    buf[20] = (uint8_t)c;
}

static int16_t validate(const kafka_buf_t *b, const kafka_validate_opts_t *o,
                        kafka_validate_info_t *info, kafka_rec_err_t *err) {
    kafka_rec_err_clear(err);
    int rc = kafka_records_validate(b->ptr, b->len, o, info, err);
    if (rc == 0)
        assert_int_equal(0, err->code);
    else
        assert_int_equal(rc, err->code);
    return kafka_rec_err_wire(err);
}

#define EXPECT_WIRE(want, buf, opts)                                                               \
    do {                                                                                           \
        int16_t got_ = validate(&(buf), (opts), &info, &err);                                      \
        if (got_ != (want))                                                                        \
            fail_msg("expected Kafka error %d, got %d (%s)", (want), got_,                         \
                     err.reason ? err.reason : "no error");                                        \
    } while (0)

static void test_v2_rules(void **state) {
    (void)state;
    kafka_validate_opts_t o;
    kafka_validate_opts_init(&o);
    o.produce_version = 9;
    kafka_validate_info_t info;
    kafka_rec_err_t err;
    kafka_batch_params_t p;
    kafka_batch_params_init(&p);
    p.producer_id = 7;
    p.producer_epoch = 1;
    p.base_sequence = 0;
    kafka_buf_t b = KAFKA_BUF_INIT;

    build_v2(&b, &p, 5, true, 1000);
    EXPECT_WIRE(0, b, &o);
    assert_int_equal(2, info.magic);
    assert_int_equal(5, info.record_count);
    assert_int_equal(1004, info.max_timestamp);
    assert_int_equal(7, info.producer_id);
    assert_int_equal(1, info.batch_count);

    /* CRC mismatch. */
    b.ptr[b.len - 1] ^= 1;
    EXPECT_WIRE(KAFKA_REC_ERR_CORRUPT_MESSAGE, b, &o);
    b.ptr[b.len - 1] ^= 1;
    /* Base offset not 0. */
    b.ptr[7] = 1;
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_RECORD, b, &o);
    b.ptr[7] = 0;
    /* Count and last offset delta disagree. */
    b.ptr[26] = 9;
    refresh_crc(b.ptr, b.len);
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_RECORD, b, &o);
    b.ptr[26] = 4;
    refresh_crc(b.ptr, b.len);
    EXPECT_WIRE(0, b, &o);
    /* Larger than max.message.bytes. */
    o.max_message_bytes = b.len - 1;
    EXPECT_WIRE(KAFKA_REC_ERR_MESSAGE_TOO_LARGE, b, &o);
    o.max_message_bytes = 0;
    /* Idempotent batch without a sequence. */
    b.len = 0;
    p.base_sequence = -1;
    build_v2(&b, &p, 1, true, 1000);
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_RECORD, b, &o);
    p.base_sequence = 0;
    /* Control batches from clients. */
    b.len = 0;
    assert_int_equal(0, kafka_control_batch_build(&b, 0, 0, 7, 1, 5, KAFKA_CONTROL_COMMIT, 0));
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_RECORD, b, &o);
    /* Empty batch. */
    b.len = 0;
    build_v2(&b, &p, 0, true, 1000);
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_RECORD, b, &o);
    /* Two batches in one partition. */
    b.len = 0;
    build_v2(&b, &p, 1, true, 1000);
    build_v2(&b, &p, 1, true, 1000);
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_RECORD, b, &o);
    o.produce_version = -1; /* also without the request-version rule */
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_RECORD, b, &o);
    o.produce_version = 9;
    /* zstd before Produce v7. */
    b.len = 0;
    p.codec = KAFKA_CODEC_ZSTD;
    build_v2(&b, &p, 3, true, 1000);
    EXPECT_WIRE(0, b, &o);
    o.produce_version = 6;
    EXPECT_WIRE(KAFKA_REC_ERR_UNSUPPORTED_COMPRESSION_TYPE, b, &o);
    o.produce_version = 9;
    /* Unknown codec. */
    b.ptr[22] = (uint8_t)((b.ptr[22] & ~7) | 5);
    refresh_crc(b.ptr, b.len);
    EXPECT_WIRE(KAFKA_REC_ERR_UNSUPPORTED_COMPRESSION_TYPE, b, &o);
    /* Compressed payload that does not decompress. */
    b.ptr[22] = (uint8_t)((b.ptr[22] & ~7) | KAFKA_CODEC_SNAPPY);
    refresh_crc(b.ptr, b.len);
    EXPECT_WIRE(KAFKA_REC_ERR_CORRUPT_MESSAGE, b, &o);
    p.codec = KAFKA_CODEC_NONE;
    /* Decompressed size above the limit. */
    b.len = 0;
    p.codec = KAFKA_CODEC_GZIP;
    build_v2(&b, &p, 1000, true, 1000);
    o.decompress_limit = 1000;
    EXPECT_WIRE(KAFKA_REC_ERR_MESSAGE_TOO_LARGE, b, &o);
    o.decompress_limit = 0;
    p.codec = KAFKA_CODEC_NONE;
    /* Produce v3+ with a legacy message. */
    b.len = 0;
    kafka_legacy_write(&b, 1, 0, 0, 5, tu_str("k"), tu_str("v"));
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_RECORD, b, &o);
    /* Truncated batch. */
    b.len = 0;
    build_v2(&b, &p, 2, true, 1000);
    b.len -= 1;
    EXPECT_WIRE(KAFKA_REC_ERR_CORRUPT_MESSAGE, b, &o);
    /* Nothing at all. */
    b.len = 0;
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_RECORD, b, &o);
    kafka_buf_free(&b);
}

static void test_v2_record_rules(void **state) {
    (void)state;
    kafka_validate_opts_t o;
    kafka_validate_opts_init(&o);
    kafka_validate_info_t info;
    kafka_rec_err_t err;
    kafka_batch_params_t p;
    kafka_batch_params_init(&p);
    kafka_buf_t b = KAFKA_BUF_INIT;

    /* Compacted topics need keys. */
    build_v2(&b, &p, 3, false, 1000);
    EXPECT_WIRE(0, b, &o);
    o.compacted = true;
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_RECORD, b, &o);
    assert_int_equal(0, err.batch_index);
    assert_int_equal(0, err.record_index);
    /* Timestamps out of range; and that decides the answer over keys. */
    o.now_ms = 1000000;
    o.timestamp_diff_max_ms = 1000;
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_TIMESTAMP, b, &o);
    o.compacted = false;
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_TIMESTAMP, b, &o);
    o.topic_log_append_time = true; /* the broker overwrites them: no check */
    EXPECT_WIRE(0, b, &o);
    o.topic_log_append_time = false;
    o.now_ms = 1500;
    EXPECT_WIRE(0, b, &o);
    o.timestamp_diff_max_ms = -1;
    /* Producers must not send LogAppendTime. */
    b.len = 0;
    p.log_append_time = true;
    p.log_append_time_ms = 5;
    build_v2(&b, &p, 2, true, 1000);
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_TIMESTAMP, b, &o);
    p.log_append_time = false;
    /* Offset deltas that do not count from 0 (gaps). */
    b.len = 0;
    kafka_batch_builder_t bb;
    kafka_batch_builder_init(&bb, &p);
    kafka_record_in_t r = {.timestamp = 1, .key = tu_str("k"), .value = tu_str("v")};
    kafka_batch_builder_add_at(&bb, 0, &r);
    kafka_batch_builder_add_at(&bb, 2, &r);
    kafka_batch_builder_finish(&bb, &b);
    kafka_batch_builder_free(&bb);
    b.ptr[60] = 3; /* claim 3 records for last delta 2 */
    refresh_crc(b.ptr, b.len);
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_RECORD, b, &o);
    b.ptr[60] = 2;
    b.ptr[26] = 1;
    refresh_crc(b.ptr, b.len);
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_RECORD, b, &o);
    assert_int_equal(1, err.record_index);
    kafka_buf_free(&b);
}

static void test_legacy_rules(void **state) {
    (void)state;
    kafka_validate_opts_t o;
    kafka_validate_opts_init(&o);
    o.produce_version = 2;
    kafka_validate_info_t info;
    kafka_rec_err_t err;
    kafka_buf_t b = KAFKA_BUF_INIT;

    /* Several plain messages are fine. */
    for (int i = 0; i < 3; i++)
        kafka_legacy_write(&b, 1, i, 0, 100 + i, tu_str("k"), tu_str("v"));
    EXPECT_WIRE(0, b, &o);
    assert_int_equal(1, info.magic);
    assert_int_equal(3, info.record_count);
    assert_int_equal(3, info.batch_count);
    assert_int_equal(102, info.max_timestamp);
    /* A bad CRC in the second. */
    b.ptr[b.len / 2] ^= 1;
    EXPECT_WIRE(KAFKA_REC_ERR_CORRUPT_MESSAGE, b, &o);
    assert_int_equal(1, err.batch_index);
    b.ptr[b.len / 2] ^= 1;
    /* Mixed magic. */
    kafka_legacy_write(&b, 0, 3, 0, 0, tu_str("k"), tu_str("v"));
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_RECORD, b, &o);
    /* A compressed wrapper plus anything else. */
    b.len = 0;
    kafka_legacy_builder_t lb;
    kafka_legacy_builder_init(&lb, 1, KAFKA_CODEC_GZIP, KAFKA_LEVEL_DEFAULT, false, 0);
    kafka_legacy_builder_add(&lb, 0, 7, tu_bytes(NULL, -1), tu_str("a"));
    kafka_legacy_builder_add(&lb, 1, 8, tu_str("k"), tu_str("b"));
    kafka_legacy_builder_finish(&lb, &b);
    kafka_legacy_builder_free(&lb);
    EXPECT_WIRE(0, b, &o);
    assert_int_equal(2, info.record_count);
    assert_int_equal(KAFKA_CODEC_GZIP, info.codec);
    o.compacted = true; /* the first inner message has no key */
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_RECORD, b, &o);
    o.compacted = false;
    size_t one = b.len;
    kafka_legacy_write(&b, 1, 2, 0, 9, tu_str("k"), tu_str("v"));
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_RECORD, b, &o);
    b.len = one;
    /* LogAppendTime from a producer. */
    b.ptr[17] |= KAFKA_LEGACY_ATTR_LOG_APPEND_TIME;
    uint32_t c = kafka_crc32(0, b.ptr + 16, b.len - 16);
    b.ptr[12] = (uint8_t)(c >> 24), b.ptr[13] = (uint8_t)(c >> 16), b.ptr[14] = (uint8_t)(c >> 8);
    b.ptr[15] = (uint8_t)c;
    EXPECT_WIRE(KAFKA_REC_ERR_INVALID_TIMESTAMP, b, &o);
    /* Too large. */
    b.len = 0;
    kafka_legacy_write(&b, 0, 0, 0, 0, tu_str("k"), tu_str("0123456789"));
    o.max_message_bytes = b.len - 1;
    EXPECT_WIRE(KAFKA_REC_ERR_MESSAGE_TOO_LARGE, b, &o);
    kafka_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_rules),
        cmocka_unit_test(test_v2_record_rules),
        cmocka_unit_test(test_legacy_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
