/* Conversions between legacy message sets and magic-2 batches lose nothing a
 * client can see: keys, values (null or empty), offsets (gaps included) and
 * timestamps with their type. */
#include "testutil.h"

#include "kafka/legacy_records.h"

typedef struct rec {
    int64_t offset;
    int64_t timestamp;
    kafka_bytes_t key, value;
} rec_t;

static uint8_t big[70000];

static rec_t recs[] = {
    {10, 1600000000000, {(const uint8_t *)"k0", 2}, {(const uint8_t *)"hello", 5}},
    {11, 1600000000007, {NULL, -1}, {(const uint8_t *)"no key", 6}},
    {12, 1599999999999, {(const uint8_t *)"", 0}, {(const uint8_t *)"", 0}},
    {15, 1600000000100, {(const uint8_t *)"tomb", 4}, {NULL, -1}},
    {16, 1600000000200, {(const uint8_t *)"big", 3}, {big, sizeof big}},
};
#define NREC 5

static const int legacy_codecs[] = {KAFKA_CODEC_NONE, KAFKA_CODEC_GZIP, KAFKA_CODEC_SNAPPY,
                                    KAFKA_CODEC_LZ4};

/* Read every record of a magic-2 records field. */
static int read_v2(const kafka_buf_t *in, rec_t *out, bool *lat, int *codec) {
    kafka_batch_iter_t bi;
    kafka_batch_t b;
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    kafka_batch_iter_init(&bi, in->ptr, in->len, 0);
    int n = 0;
    while (kafka_batch_iter_next(&bi, &b, &err) == 1) {
        *lat = kafka_batch_is_log_append_time(&b);
        *codec = kafka_batch_codec(&b);
        kafka_record_iter_t it;
        assert_int_equal(0, kafka_record_iter_init(&it, &b, 0, &err));
        kafka_record_t r;
        while (kafka_record_iter_next(&it, &r, &err) == 1) {
            out[n] = (rec_t){r.offset, r.timestamp, r.key, r.value};
            /* Views die with the iterator: copy what compressed batches own. */
            if (r.key.len > 0) {
                uint8_t *k = malloc((size_t)r.key.len);
                memcpy(k, r.key.ptr, (size_t)r.key.len);
                out[n].key.ptr = k;
            }
            if (r.value.len > 0) {
                uint8_t *v = malloc((size_t)r.value.len);
                memcpy(v, r.value.ptr, (size_t)r.value.len);
                out[n].value.ptr = v;
            }
            n++;
        }
        assert_int_equal(0, err.code);
        kafka_record_iter_free(&it);
    }
    assert_int_equal(0, err.code);
    return n;
}

static void free_recs(rec_t *r, int n) {
    for (int i = 0; i < n; i++) {
        if (r[i].key.len > 0)
            free((void *)r[i].key.ptr);
        if (r[i].value.len > 0)
            free((void *)r[i].value.ptr);
    }
}

static void test_legacy_to_v2(void **state) {
    (void)state;
    tu_fill_text(big, sizeof big, 1);
    for (int8_t magic = 0; magic <= 1; magic++) {
        for (size_t c = 0; c < 4; c++) {
            for (int lat = 0; lat <= magic; lat++) {
                kafka_legacy_builder_t lb;
                kafka_buf_t set = KAFKA_BUF_INIT, v2 = KAFKA_BUF_INIT;
                assert_int_equal(0, kafka_legacy_builder_init(&lb, magic, legacy_codecs[c],
                                                              KAFKA_LEVEL_DEFAULT, lat, 1234));
                for (int i = 0; i < NREC; i++)
                    assert_int_equal(0, kafka_legacy_builder_add(&lb, recs[i].offset,
                                                                 recs[i].timestamp, recs[i].key,
                                                                 recs[i].value));
                assert_int_equal(0, kafka_legacy_builder_finish(&lb, &set));
                kafka_legacy_builder_free(&lb);
                kafka_rec_err_t err;
                kafka_rec_err_clear(&err);
                int rc = kafka_legacy_to_v2(set.ptr, set.len, NULL, &v2, &err);
                if (rc)
                    fail_msg("magic %d codec %d: %d %s", magic, legacy_codecs[c], rc,
                             err.reason ? err.reason : "");
                rec_t got[NREC + 1];
                bool got_lat = false;
                int got_codec = -1;
                assert_int_equal(NREC, read_v2(&v2, got, &got_lat, &got_codec));
                assert_int_equal(lat, got_lat);
                assert_int_equal(legacy_codecs[c], got_codec);
                for (int i = 0; i < NREC; i++) {
                    assert_int_equal(recs[i].offset, got[i].offset);
                    int64_t ts = magic == 0 ? KAFKA_NO_TIMESTAMP : (lat ? 1234 : recs[i].timestamp);
                    assert_int_equal(ts, got[i].timestamp);
                    tu_assert_bytes(recs[i].key, got[i].key);
                    tu_assert_bytes(recs[i].value, got[i].value);
                }
                free_recs(got, NREC);

                /* Produce path: offsets assigned from 0 and a codec forced. */
                kafka_convert_opts_t o;
                kafka_convert_opts_init(&o);
                o.assign_offsets = true;
                o.codec = KAFKA_CODEC_ZSTD;
                v2.len = 0;
                assert_int_equal(0, kafka_legacy_to_v2(set.ptr, set.len, &o, &v2, &err));
                assert_int_equal(NREC, read_v2(&v2, got, &got_lat, &got_codec));
                assert_int_equal(KAFKA_CODEC_ZSTD, got_codec);
                for (int i = 0; i < NREC; i++)
                    assert_int_equal(i, got[i].offset);
                free_recs(got, NREC);
                kafka_buf_free(&set);
                kafka_buf_free(&v2);
            }
        }
    }
}

static void test_v2_to_legacy(void **state) {
    (void)state;
    tu_fill_text(big, sizeof big, 2);
    static const int v2_codecs[] = {KAFKA_CODEC_NONE, KAFKA_CODEC_GZIP, KAFKA_CODEC_SNAPPY,
                                    KAFKA_CODEC_LZ4};
    kafka_header_t hdr = {tu_str("h"), tu_str("dropped")};
    for (int8_t magic = 0; magic <= 1; magic++) {
        for (size_t c = 0; c < 4; c++) {
            for (int lat = 0; lat <= 1; lat++) {
                kafka_batch_params_t p;
                kafka_batch_params_init(&p);
                p.codec = v2_codecs[c];
                p.base_offset = recs[0].offset;
                p.log_append_time = lat;
                p.log_append_time_ms = 4321;
                kafka_batch_builder_t b;
                kafka_batch_builder_init(&b, &p);
                for (int i = 0; i < NREC; i++) {
                    kafka_record_in_t r = {recs[i].timestamp, recs[i].key, recs[i].value, &hdr, 1};
                    assert_int_equal(0, kafka_batch_builder_add_at(&b, recs[i].offset, &r));
                }
                kafka_buf_t v2 = KAFKA_BUF_INIT, set = KAFKA_BUF_INIT;
                assert_int_equal(0, kafka_batch_builder_finish(&b, &v2));
                kafka_batch_builder_free(&b);
                /* A control batch in between disappears. */
                assert_int_equal(
                    0, kafka_control_batch_build(&v2, 17, 0, 5, 0, 1, KAFKA_CONTROL_ABORT, 0));
                kafka_rec_err_t err;
                kafka_rec_err_clear(&err);
                assert_int_equal(0, kafka_v2_to_legacy(v2.ptr, v2.len, magic, NULL, &set, &err));
                /* Shallow: compressed batches become one wrapper with the
                 * batch's last offset. */
                kafka_legacy_iter_t sh;
                kafka_legacy_msg_t m;
                kafka_legacy_iter_init(&sh, set.ptr, set.len, 0);
                int shallow = 0;
                while (kafka_legacy_iter_next(&sh, &m, &err) == 1) {
                    assert_int_equal(magic, m.magic);
                    if (v2_codecs[c]) {
                        assert_int_equal(v2_codecs[c], kafka_legacy_codec(&m));
                        assert_int_equal(recs[NREC - 1].offset, m.offset);
                    }
                    shallow++;
                }
                assert_int_equal(v2_codecs[c] ? 1 : NREC, shallow);
                kafka_legacy_deep_iter_t it;
                kafka_legacy_deep_init(&it, set.ptr, set.len, 0, 0);
                for (int i = 0; i < NREC; i++) {
                    assert_int_equal(1, kafka_legacy_deep_next(&it, &m, &err));
                    assert_int_equal(recs[i].offset, m.offset);
                    int64_t ts = magic == 0 ? KAFKA_NO_TIMESTAMP : (lat ? 4321 : recs[i].timestamp);
                    assert_int_equal(ts, m.timestamp);
                    assert_int_equal(magic == 1 && lat, m.log_append_time);
                    tu_assert_bytes(recs[i].key, m.key);
                    tu_assert_bytes(recs[i].value, m.value);
                }
                assert_int_equal(0, kafka_legacy_deep_next(&it, &m, &err));
                assert_int_equal(0, err.code);
                kafka_legacy_deep_free(&it);

                /* And back up: the same records again. */
                kafka_buf_t again = KAFKA_BUF_INIT;
                assert_int_equal(0, kafka_legacy_to_v2(set.ptr, set.len, NULL, &again, &err));
                rec_t got[NREC + 1];
                bool got_lat;
                int got_codec;
                assert_int_equal(NREC, read_v2(&again, got, &got_lat, &got_codec));
                for (int i = 0; i < NREC; i++) {
                    assert_int_equal(recs[i].offset, got[i].offset);
                    tu_assert_bytes(recs[i].value, got[i].value);
                }
                assert_int_equal(magic == 1 && lat, got_lat);
                free_recs(got, NREC);
                kafka_buf_free(&again);
                kafka_buf_free(&v2);
                kafka_buf_free(&set);
            }
        }
    }
}

static void test_zstd_cannot_go_down(void **state) {
    (void)state;
    kafka_batch_params_t p;
    kafka_batch_params_init(&p);
    p.codec = KAFKA_CODEC_ZSTD;
    kafka_batch_builder_t b;
    kafka_batch_builder_init(&b, &p);
    kafka_record_in_t r = {.timestamp = 1, .key = tu_str("k"), .value = tu_str("v")};
    assert_int_equal(0, kafka_batch_builder_add(&b, &r));
    kafka_buf_t v2 = KAFKA_BUF_INIT, set = KAFKA_BUF_INIT;
    assert_int_equal(0, kafka_batch_builder_finish(&b, &v2));
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    assert_int_equal(KAFKA_EUNSUPPORTED, kafka_v2_to_legacy(v2.ptr, v2.len, 1, NULL, &set, &err));
    assert_int_equal(KAFKA_REC_ERR_UNSUPPORTED_COMPRESSION_TYPE, kafka_rec_err_wire(&err));
    assert_int_equal(0, set.len);
    /* ...unless the caller asks for another codec. */
    kafka_convert_opts_t o;
    kafka_convert_opts_init(&o);
    o.codec = KAFKA_CODEC_GZIP;
    assert_int_equal(0, kafka_v2_to_legacy(v2.ptr, v2.len, 1, &o, &set, &err));
    kafka_batch_builder_free(&b);
    kafka_buf_free(&v2);
    kafka_buf_free(&set);
}

static void test_mixed_legacy_groups(void **state) {
    (void)state;
    /* Plain messages, then a wrapper, then plain again with LogAppendTime:
     * three batches, offsets kept. */
    kafka_buf_t set = KAFKA_BUF_INIT, v2 = KAFKA_BUF_INIT;
    kafka_legacy_write(&set, 1, 0, 0, 100, tu_str("a"), tu_str("1"));
    kafka_legacy_write(&set, 1, 1, 0, 101, tu_str("b"), tu_str("2"));
    kafka_legacy_builder_t lb;
    kafka_legacy_builder_init(&lb, 1, KAFKA_CODEC_GZIP, KAFKA_LEVEL_DEFAULT, false, 0);
    kafka_legacy_builder_add(&lb, 2, 102, tu_str("c"), tu_str("3"));
    kafka_legacy_builder_add(&lb, 3, 103, tu_str("d"), tu_str("4"));
    kafka_legacy_builder_finish(&lb, &set);
    kafka_legacy_builder_free(&lb);
    kafka_legacy_write(&set, 1, 4, KAFKA_LEGACY_ATTR_LOG_APPEND_TIME, 999, tu_str("e"),
                       tu_str("5"));
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    assert_int_equal(0, kafka_legacy_to_v2(set.ptr, set.len, NULL, &v2, &err));
    kafka_batch_iter_t bi;
    kafka_batch_t b;
    kafka_batch_iter_init(&bi, v2.ptr, v2.len, 0);
    int64_t bases[] = {0, 2, 4};
    int counts[] = {2, 2, 1};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(1, kafka_batch_iter_next(&bi, &b, &err));
        assert_int_equal(bases[i], b.base_offset);
        assert_int_equal(counts[i], b.record_count);
        assert_int_equal(i == 2, kafka_batch_is_log_append_time(&b));
        assert_int_equal(i == 1 ? KAFKA_CODEC_GZIP : KAFKA_CODEC_NONE, kafka_batch_codec(&b));
    }
    assert_int_equal(999, b.max_timestamp);
    assert_int_equal(0, kafka_batch_iter_next(&bi, &b, &err));
    kafka_buf_free(&set);
    kafka_buf_free(&v2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legacy_to_v2),
        cmocka_unit_test(test_v2_to_legacy),
        cmocka_unit_test(test_zstd_cannot_go_down),
        cmocka_unit_test(test_mixed_legacy_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
