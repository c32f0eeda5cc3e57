/* Magic-2 batches: build -> parse round trips for every codec and the record
 * shapes clients send, zero-copy iteration, byte-exact re-encoding, header
 * fields, control batches, in-place updates, and malformed input. */
#include "testutil.h"

#include "kafka/crc32c.h"

typedef struct model_rec {
    int64_t timestamp;
    kafka_bytes_t key;
    kafka_bytes_t value;
    kafka_header_t headers[3];
    int32_t header_count;
} model_rec_t;

static const int all_codecs[] = {KAFKA_CODEC_NONE, KAFKA_CODEC_GZIP, KAFKA_CODEC_SNAPPY,
                                 KAFKA_CODEC_LZ4, KAFKA_CODEC_ZSTD};
#define NALL (sizeof all_codecs / sizeof *all_codecs)

static void build(const model_rec_t *recs, int32_t n, const kafka_batch_params_t *p,
                  kafka_buf_t *out) {
    kafka_batch_builder_t b;
    kafka_batch_builder_init(&b, p);
    for (int32_t i = 0; i < n; i++) {
        kafka_record_in_t r = {recs[i].timestamp, recs[i].key, recs[i].value, recs[i].headers,
                               recs[i].header_count};
        int rc = kafka_batch_builder_add(&b, &r);
        if (rc)
            fail_msg("add record %d: %d", i, rc);
    }
    int rc = kafka_batch_builder_finish(&b, out);
    if (rc)
        fail_msg("finish: %d", rc);
    kafka_batch_builder_free(&b);
}

/* Parse buf as exactly one batch and compare every record with the model. */
static void check(const uint8_t *buf, size_t len, const model_rec_t *recs, int32_t n,
                  const kafka_batch_params_t *p, size_t limit) {
    kafka_batch_iter_t bi;
    kafka_batch_t b;
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    kafka_batch_iter_init(&bi, buf, len, 0);
    int rc = kafka_batch_iter_next(&bi, &b, &err);
    if (rc != 1)
        fail_msg("batch: expected 1, got %d (%s)", rc, err.reason ? err.reason : "");
    assert_int_equal(len, b.size);
    assert_int_equal(p->base_offset, b.base_offset);
    assert_int_equal(p->codec, kafka_batch_codec(&b));
    assert_int_equal(n, b.record_count);
    assert_int_equal(n ? n - 1 : 0, b.last_offset_delta);
    assert_int_equal(p->producer_id, b.producer_id);
    assert_int_equal(p->producer_epoch, b.producer_epoch);
    assert_int_equal(p->base_sequence, b.base_sequence);
    assert_int_equal(p->partition_leader_epoch, b.partition_leader_epoch);
    assert_int_equal(p->transactional, kafka_batch_is_transactional(&b));
    int64_t maxts = KAFKA_NO_TIMESTAMP;
    for (int32_t i = 0; i < n; i++)
        if (recs[i].timestamp > maxts)
            maxts = recs[i].timestamp;
    assert_int_equal(p->log_append_time ? p->log_append_time_ms : maxts, b.max_timestamp);
    assert_int_equal(n ? recs[0].timestamp : KAFKA_NO_TIMESTAMP, b.first_timestamp);

    kafka_record_iter_t it;
    assert_int_equal(0, kafka_record_iter_init(&it, &b, limit, &err));
    kafka_record_t r;
    for (int32_t i = 0; i < n; i++) {
        rc = kafka_record_iter_next(&it, &r, &err);
        if (rc != 1)
            fail_msg("record %d: expected 1, got %d (%s)", i, rc, err.reason ? err.reason : "");
        assert_int_equal(p->base_offset + i, r.offset);
        assert_int_equal(i, r.offset_delta);
        assert_int_equal(p->log_append_time ? p->log_append_time_ms : recs[i].timestamp,
                         r.timestamp);
        tu_assert_bytes(recs[i].key, r.key);
        tu_assert_bytes(recs[i].value, r.value);
        assert_int_equal(recs[i].header_count, r.header_count);
        kafka_header_iter_t hi;
        kafka_header_iter_init(&hi, &r);
        kafka_header_t h;
        for (int32_t k = 0; k < recs[i].header_count; k++) {
            assert_int_equal(1, kafka_header_iter_next(&hi, &h));
            tu_assert_bytes(recs[i].headers[k].key, h.key);
            tu_assert_bytes(recs[i].headers[k].value, h.value);
        }
        assert_int_equal(0, kafka_header_iter_next(&hi, &h));
        if (p->codec == KAFKA_CODEC_NONE && r.value.len > 0)
            assert_true(r.value.ptr > buf && r.value.ptr < buf + len); /* zero-copy */
    }
    assert_int_equal(0, kafka_record_iter_next(&it, &r, &err));
    kafka_record_iter_free(&it);
    assert_int_equal(0, kafka_batch_iter_next(&bi, &b, &err));
}

/* Records covering what clients send: null and empty keys and values,
 * headers (some with null values), binary data, varied timestamps. */
static model_rec_t *make_records(int32_t n, uint8_t *pool, size_t pool_len) {
    model_rec_t *recs = calloc((size_t)(n ? n : 1), sizeof *recs);
    assert_non_null(recs);
    tu_fill_random(pool, pool_len, 1234);
    static const char *hkeys[] = {"trace-id", "", "content-type"};
    for (int32_t i = 0; i < n; i++) {
        model_rec_t *m = &recs[i];
        m->timestamp = 1700000000000 + (i % 7) * 13 - (i % 3) * 5; /* not monotonic */
        switch (i % 5) {
        case 0:
            m->key = tu_bytes(NULL, -1);
            break;
        case 1:
            m->key = tu_bytes(pool, 0);
            break;
        default:
            m->key = tu_bytes(pool + (i % 100), 1 + i % 20);
        }
        switch (i % 4) {
        case 0:
            m->value = tu_bytes(NULL, -1);
            break;
        case 1:
            m->value = tu_bytes(pool, 0);
            break;
        default:
            m->value = tu_bytes(pool + (i % 1000), (int32_t)(i % 300));
        }
        m->header_count = i % 4;
        for (int32_t k = 0; k < m->header_count; k++) {
            m->headers[k].key = tu_str(hkeys[k]);
            m->headers[k].value = (i + k) % 2 ? tu_bytes(NULL, -1) : tu_bytes(pool + k, 5 + k);
        }
    }
    return recs;
}

static void test_roundtrip_codecs(void **state) {
    (void)state;
    static uint8_t pool[4096];
    int32_t counts[] = {0, 1, 2, 7, 10000};
    for (size_t c = 0; c < NALL; c++) {
        for (size_t k = 0; k < sizeof counts / sizeof *counts; k++) {
            int32_t n = counts[k];
            model_rec_t *recs = make_records(n, pool, sizeof pool);
            kafka_batch_params_t p;
            kafka_batch_params_init(&p);
            p.codec = all_codecs[c];
            p.base_offset = (int64_t)k * 1000000007;
            p.producer_id = 4242;
            p.producer_epoch = 3;
            p.base_sequence = 17;
            p.partition_leader_epoch = 9;
            p.transactional = k % 2;
            kafka_buf_t out = KAFKA_BUF_INIT;
            build(recs, n, &p, &out);
            check(out.ptr, out.len, recs, n, &p, 16u << 20);
            /* LogAppendTime batches report the batch time for every record. */
            out.len = 0;
            p.log_append_time = true;
            p.log_append_time_ms = 1800000000000;
            build(recs, n, &p, &out);
            check(out.ptr, out.len, recs, n, &p, 16u << 20);
            kafka_buf_free(&out);
            free(recs);
        }
    }
}

static void test_one_mib_values(void **state) {
    (void)state;
    size_t mib = 1 << 20;
    uint8_t *v = malloc(mib);
    assert_non_null(v);
    tu_fill_text(v, mib, 5);
    model_rec_t recs[3] = {
        {.timestamp = 1, .key = tu_str("big"), .value = tu_bytes(v, (int32_t)mib)},
        {.timestamp = 2, .key = tu_bytes(NULL, -1), .value = tu_bytes(v + 1, (int32_t)mib - 1)},
        {.timestamp = 3, .key = tu_str("small"), .value = tu_str("x")},
    };
    for (size_t c = 0; c < NALL; c++) {
        kafka_batch_params_t p;
        kafka_batch_params_init(&p);
        p.codec = all_codecs[c];
        kafka_buf_t out = KAFKA_BUF_INIT;
        build(recs, 3, &p, &out);
        check(out.ptr, out.len, recs, 3, &p, 4 * mib);
        /* The default limit (Kafka's message.max.bytes) is below 2 MiB of
         * records: compressed batches refuse to expand past it. */
        if (p.codec != KAFKA_CODEC_NONE) {
            kafka_batch_t b;
            kafka_rec_err_t err;
            kafka_rec_err_clear(&err);
            assert_int_equal(0, kafka_batch_parse(out.ptr, out.len, 0, &b, &err));
            kafka_record_iter_t it;
            assert_int_equal(KAFKA_ETOOLARGE, kafka_record_iter_init(&it, &b, 0, &err));
            assert_int_equal(KAFKA_REC_ERR_MESSAGE_TOO_LARGE, kafka_rec_err_wire(&err));
            kafka_record_iter_free(&it);
        }
        kafka_buf_free(&out);
    }
    free(v);
}

static void test_reencode_exact(void **state) {
    (void)state;
    static uint8_t pool[4096];
    model_rec_t *recs = make_records(500, pool, sizeof pool);
    for (size_t c = 0; c < NALL; c++) {
        kafka_batch_params_t p;
        kafka_batch_params_init(&p);
        p.codec = all_codecs[c];
        p.base_offset = 77;
        kafka_buf_t a = KAFKA_BUF_INIT, b = KAFKA_BUF_INIT;
        build(recs, 500, &p, &a);
        tu_reencode(a.ptr, a.len, &b);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.ptr, b.ptr, a.len);
        kafka_buf_free(&a);
        kafka_buf_free(&b);
    }
    free(recs);
}

static void test_multiple_batches_and_partial_tail(void **state) {
    (void)state;
    static uint8_t pool[4096];
    model_rec_t *recs = make_records(20, pool, sizeof pool);
    kafka_buf_t out = KAFKA_BUF_INIT;
    kafka_batch_params_t p;
    kafka_batch_params_init(&p);
    size_t ends[4];
    for (int i = 0; i < 4; i++) {
        p.base_offset = i * 20;
        p.codec = all_codecs[i];
        build(recs, 20, &p, &out);
        ends[i] = out.len;
    }
    kafka_batch_iter_t bi;
    kafka_batch_t b;
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    kafka_batch_iter_init(&bi, out.ptr, out.len, 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(1, kafka_batch_iter_next(&bi, &b, &err));
        assert_int_equal(i * 20, b.base_offset);
        assert_int_equal(ends[i], bi.pos);
    }
    assert_int_equal(0, kafka_batch_iter_next(&bi, &b, &err));
    /* A cut last batch: an error, unless the caller allows it (Fetch). */
    size_t cut = ends[2] + 30;
    kafka_batch_iter_init(&bi, out.ptr, cut, 0);
    int rc;
    while ((rc = kafka_batch_iter_next(&bi, &b, &err)) == 1)
        ;
    assert_int_equal(KAFKA_ETRUNC, rc);
    assert_int_equal(3, err.batch_index);
    assert_int_equal(KAFKA_REC_ERR_CORRUPT_MESSAGE, kafka_rec_err_wire(&err));
    kafka_batch_iter_init(&bi, out.ptr, cut, KAFKA_RECORDS_ALLOW_PARTIAL);
    int seen = 0;
    while ((rc = kafka_batch_iter_next(&bi, &b, NULL)) == 1)
        seen++;
    assert_int_equal(0, rc);
    assert_int_equal(3, seen);
    kafka_buf_free(&out);
    free(recs);
}

static void test_header_errors(void **state) {
    (void)state;
    kafka_buf_t out = KAFKA_BUF_INIT;
    kafka_batch_params_t p;
    kafka_batch_params_init(&p);
    model_rec_t r = {.timestamp = 5, .key = tu_str("k"), .value = tu_str("v")};
    build(&r, 1, &p, &out);
    kafka_batch_t b;
    kafka_rec_err_t err;

    /* Any flipped bit after the CRC field is a CRC mismatch. */
    for (size_t i = KAFKA_BATCH_CRC_START; i < out.len; i++) {
        out.ptr[i] ^= 0x10;
        kafka_rec_err_clear(&err);
        int rc = kafka_batch_parse(out.ptr, out.len, 0, &b, &err);
        if (rc != KAFKA_ECRC)
            fail_msg("byte %zu flipped: expected ECRC, got %d", i, rc);
        assert_int_equal(KAFKA_REC_ERR_CORRUPT_MESSAGE, kafka_rec_err_wire(&err));
        out.ptr[i] ^= 0x10;
    }
    /* Base offset and leader epoch are outside it. */
    assert_int_equal(0, kafka_batch_set_base_offset(out.ptr, out.len, 123456789));
    assert_int_equal(0, kafka_batch_set_partition_leader_epoch(out.ptr, out.len, 5));
    assert_int_equal(0, kafka_batch_parse(out.ptr, out.len, 0, &b, &err));
    assert_int_equal(123456789, b.base_offset);
    assert_int_equal(5, b.partition_leader_epoch);
    /* Stamping log-append time keeps the CRC valid. */
    assert_int_equal(0, kafka_batch_set_max_timestamp(out.ptr, out.len, true, 999));
    assert_int_equal(0, kafka_batch_parse(out.ptr, out.len, 0, &b, &err));
    assert_true(kafka_batch_is_log_append_time(&b));
    assert_int_equal(999, b.max_timestamp);

    /* Short and inconsistent headers. */
    kafka_rec_err_clear(&err);
    assert_int_equal(KAFKA_ETRUNC, kafka_batch_parse(out.ptr, 16, 0, &b, &err));
    uint8_t hdr[KAFKA_BATCH_V2_OVERHEAD];
    memcpy(hdr, out.ptr, sizeof hdr);
    hdr[8] = hdr[9] = hdr[10] = 0, hdr[11] = 48; /* length below the header */
    kafka_rec_err_clear(&err);
    assert_int_equal(KAFKA_EINVAL, kafka_batch_parse(hdr, sizeof hdr, 0, &b, &err));
    assert_int_equal(KAFKA_REC_ERR_CORRUPT_MESSAGE, kafka_rec_err_wire(&err));
    memcpy(hdr, out.ptr, sizeof hdr);
    hdr[16] = 3;
    kafka_rec_err_clear(&err);
    assert_int_equal(KAFKA_EINVAL, kafka_batch_parse(hdr, sizeof hdr, 0, &b, &err));
    assert_int_equal(KAFKA_ETRUNC, kafka_batch_parse(out.ptr, out.len - 1, 0, &b, &err));
    kafka_buf_free(&out);
}

/* Rewrite a batch's records section and fix the CRC, to reach record errors. */
static void refresh_crc(uint8_t *buf, size_t len) {
    uint32_t c = kafka_crc32c(0, buf + KAFKA_BATCH_CRC_START, len - KAFKA_BATCH_CRC_START);
    buf[17] = (uint8_t)(c >> 24), buf[18] = (uint8_t)(c >> 16), buf[19] = (uint8_t)(c >> 8);
    buf[20] = (uint8_t)c;
}

static int iterate_all(const uint8_t *buf, size_t len, kafka_rec_err_t *err) {
    kafka_batch_t b;
    kafka_rec_err_clear(err);
    int rc = kafka_batch_parse(buf, len, 0, &b, err);
    if (rc)
        return rc;
    kafka_record_iter_t it;
    rc = kafka_record_iter_init(&it, &b, 0, err);
    kafka_record_t r;
    while (rc == 0 && (rc = kafka_record_iter_next(&it, &r, err)) == 1)
        rc = 0;
    kafka_record_iter_free(&it);
    return rc;
}

static void test_record_errors(void **state) {
    (void)state;
    model_rec_t recs[2] = {{.timestamp = 5, .key = tu_str("k"), .value = tu_str("value")},
                           {.timestamp = 6, .key = tu_str("k2"), .value = tu_str("v2")}};
    kafka_batch_params_t p;
    kafka_batch_params_init(&p);
    kafka_buf_t out = KAFKA_BUF_INIT;
    build(recs, 2, &p, &out);
    kafka_rec_err_t err;
    assert_int_equal(0, iterate_all(out.ptr, out.len, &err));

    /* Declared count above what the records hold: premature end. */
    out.ptr[60] = 3;
    refresh_crc(out.ptr, out.len);
    assert_int_equal(KAFKA_EINVAL, iterate_all(out.ptr, out.len, &err));
    assert_int_equal(KAFKA_REC_ERR_INVALID_RECORD, kafka_rec_err_wire(&err));
    assert_int_equal(2, err.record_index);
    /* Below: bytes left over. */
    out.ptr[60] = 1;
    refresh_crc(out.ptr, out.len);
    assert_int_equal(KAFKA_EINVAL, iterate_all(out.ptr, out.len, &err));
    assert_int_equal(KAFKA_REC_ERR_INVALID_RECORD, kafka_rec_err_wire(&err));
    out.ptr[60] = 2;
    /* A record length that overruns the batch. */
    out.ptr[61] += 40;
    refresh_crc(out.ptr, out.len);
    assert_int_equal(KAFKA_EINVAL, iterate_all(out.ptr, out.len, &err));
    assert_int_equal(0, err.record_index);
    assert_int_equal(61, err.offset);
    out.ptr[61] -= 40;
    /* Key length larger than the record. */
    size_t key_len_at = 61 + 1 + 1 + 1 + 1; /* length, attributes, ts delta, offset delta */
    out.ptr[key_len_at] = 100;
    refresh_crc(out.ptr, out.len);
    assert_int_equal(KAFKA_EINVAL, iterate_all(out.ptr, out.len, &err));
    assert_int_equal(KAFKA_REC_ERR_INVALID_RECORD, kafka_rec_err_wire(&err));
    out.ptr[key_len_at] = 2;
    refresh_crc(out.ptr, out.len);
    assert_int_equal(0, iterate_all(out.ptr, out.len, &err));
    /* Negative header count. */
    size_t hc_at = 62 + (out.ptr[61] >> 1) - 1; /* last byte of the first record */
    assert_int_equal(0, out.ptr[hc_at]);
    out.ptr[hc_at] = 1; /* zigzag -1 */
    refresh_crc(out.ptr, out.len);
    assert_int_equal(KAFKA_EINVAL, iterate_all(out.ptr, out.len, &err));
    out.ptr[hc_at] = 0;
    /* Unknown codec in the attributes. */
    out.ptr[22] |= 6;
    refresh_crc(out.ptr, out.len);
    assert_int_equal(KAFKA_EUNSUPPORTED, iterate_all(out.ptr, out.len, &err));
    assert_int_equal(KAFKA_REC_ERR_UNSUPPORTED_COMPRESSION_TYPE, kafka_rec_err_wire(&err));
    /* "Compressed" garbage. */
    out.ptr[22] = (uint8_t)((out.ptr[22] & ~7) | KAFKA_CODEC_GZIP);
    refresh_crc(out.ptr, out.len);
    assert_int_equal(KAFKA_ECOMPRESS, iterate_all(out.ptr, out.len, &err));
    assert_int_equal(KAFKA_REC_ERR_CORRUPT_MESSAGE, kafka_rec_err_wire(&err));
    kafka_buf_free(&out);
}

static void test_control_batch(void **state) {
    (void)state;
    kafka_buf_t out = KAFKA_BUF_INIT;
    assert_int_equal(
        0, kafka_control_batch_build(&out, 500, 7, 99, 2, 1700000000123, KAFKA_CONTROL_COMMIT, 11));
    kafka_batch_t b;
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    assert_int_equal(0, kafka_batch_parse(out.ptr, out.len, 0, &b, &err));
    assert_true(kafka_batch_is_control(&b));
    assert_true(kafka_batch_is_transactional(&b));
    assert_int_equal(500, b.base_offset);
    assert_int_equal(99, b.producer_id);
    assert_int_equal(2, b.producer_epoch);
    assert_int_equal(-1, b.base_sequence);
    assert_int_equal(1, b.record_count);
    kafka_record_iter_t it;
    assert_int_equal(0, kafka_record_iter_init(&it, &b, 0, &err));
    kafka_record_t r;
    assert_int_equal(1, kafka_record_iter_next(&it, &r, &err));
    static const uint8_t key[] = {0, 0, 0, 1};
    static const uint8_t value[] = {0, 0, 0, 0, 0, 11};
    tu_assert_bytes(tu_bytes(key, 4), r.key);
    tu_assert_bytes(tu_bytes(value, 6), r.value);
    int16_t type;
    int32_t epoch;
    assert_int_equal(0, kafka_control_record_parse(&r, &type, &epoch));
    assert_int_equal(KAFKA_CONTROL_COMMIT, type);
    assert_int_equal(11, epoch);
    assert_int_equal(1700000000123, r.timestamp);
    kafka_record_iter_free(&it);
    kafka_buf_free(&out);
}

static void test_builder_offsets(void **state) {
    (void)state;
    kafka_batch_params_t p;
    kafka_batch_params_init(&p);
    p.base_offset = 100;
    kafka_batch_builder_t b;
    kafka_batch_builder_init(&b, &p);
    kafka_record_in_t r = {.timestamp = 1, .key = tu_str("a"), .value = tu_str("b")};
    assert_int_equal(KAFKA_EINVAL, kafka_batch_builder_add_at(&b, 99, &r));
    assert_int_equal(0, kafka_batch_builder_add_at(&b, 100, &r));
    assert_int_equal(0, kafka_batch_builder_add_at(&b, 105, &r)); /* gap, as after compaction */
    assert_int_equal(KAFKA_EINVAL, kafka_batch_builder_add_at(&b, 105, &r));
    assert_int_equal(0, kafka_batch_builder_add(&b, &r));
    kafka_header_t h = {tu_bytes(NULL, -1), tu_str("x")};
    kafka_record_in_t bad = {.timestamp = 1, .headers = &h, .header_count = 1};
    assert_int_equal(KAFKA_EINVAL, kafka_batch_builder_add(&b, &bad)); /* null header key */
    kafka_buf_t out = KAFKA_BUF_INIT;
    assert_int_equal(0, kafka_batch_builder_finish(&b, &out));
    kafka_batch_t batch;
    assert_int_equal(0, kafka_batch_parse(out.ptr, out.len, 0, &batch, NULL));
    assert_int_equal(6, batch.last_offset_delta);
    assert_int_equal(3, batch.record_count);
    kafka_record_iter_t it;
    assert_int_equal(0, kafka_record_iter_init(&it, &batch, 0, NULL));
    kafka_record_t rec;
    int64_t want[] = {100, 105, 106};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(1, kafka_record_iter_next(&it, &rec, NULL));
        assert_int_equal(want[i], rec.offset);
    }
    kafka_record_iter_free(&it);
    kafka_batch_builder_free(&b);
    kafka_buf_free(&out);
}

/* What compaction needs to rebuild a partly surviving batch: the original
 * header fields, the same base offset and last offset delta, the delete
 * horizon in the first-timestamp field with record timestamps unchanged. */
static void test_rebuild_for_compaction(void **state) {
    (void)state;
    kafka_batch_params_t p;
    kafka_batch_params_init(&p);
    p.base_offset = 1000;
    p.partition_leader_epoch = 7;
    p.codec = KAFKA_CODEC_ZSTD;
    p.producer_id = 4242;
    p.producer_epoch = 3;
    p.base_sequence = 17;
    kafka_batch_builder_t b;
    kafka_batch_builder_init(&b, &p);
    kafka_header_t h = {tu_str("h"), tu_str("hv")};
    for (int i = 0; i < 5; i++) {
        kafka_record_in_t r = {.timestamp = 5000 + 10 * i,
                               .key = tu_str(i % 2 ? "odd" : "even"),
                               .value = i == 3 ? tu_bytes(NULL, -1) : tu_str("v"),
                               .headers = &h,
                               .header_count = 1};
        assert_int_equal(0, kafka_batch_builder_add(&b, &r));
    }
    kafka_buf_t orig = KAFKA_BUF_INIT;
    assert_int_equal(0, kafka_batch_builder_finish(&b, &orig));
    kafka_batch_t ob;
    assert_int_equal(0, kafka_batch_parse(orig.ptr, orig.len, 0, &ob, NULL));

    /* params_from + every record gives the same bytes back. */
    kafka_batch_params_t q;
    kafka_batch_params_from(&q, &ob);
    assert_int_equal(1004, q.last_offset);
    assert_false(q.delete_horizon);
    kafka_buf_t same = KAFKA_BUF_INIT;
    tu_reencode(orig.ptr, orig.len, &same);
    assert_int_equal(orig.len, same.len);
    assert_memory_equal(orig.ptr, same.ptr, orig.len);

    /* Keep records 1 and 3 (offsets 1001, 1003), stamp a delete horizon,
     * keep the last offset 1004. */
    q.set_first_timestamp = false;
    q.delete_horizon = true;
    q.delete_horizon_ms = 999999;
    kafka_batch_builder_reset(&b, &q);
    kafka_record_iter_t it;
    assert_int_equal(0, kafka_record_iter_init(&it, &ob, 0, NULL));
    kafka_record_t rec;
    while (kafka_record_iter_next(&it, &rec, NULL) == 1) {
        if (rec.offset != 1001 && rec.offset != 1003)
            continue;
        kafka_record_in_t r = {.timestamp = rec.timestamp,
                               .key = rec.key,
                               .value = rec.value,
                               .headers = &h,
                               .header_count = 1};
        assert_int_equal(0, kafka_batch_builder_add_at(&b, rec.offset, &r));
    }
    kafka_record_iter_free(&it);
    kafka_buf_t out = KAFKA_BUF_INIT;
    assert_int_equal(0, kafka_batch_builder_finish(&b, &out));
    kafka_batch_t nb;
    assert_int_equal(0, kafka_batch_parse(out.ptr, out.len, 0, &nb, NULL));
    assert_int_equal(1000, nb.base_offset);
    assert_int_equal(4, nb.last_offset_delta);
    assert_int_equal(2, nb.record_count);
    assert_int_equal(KAFKA_CODEC_ZSTD, kafka_batch_codec(&nb));
    assert_int_equal(7, nb.partition_leader_epoch);
    assert_int_equal(4242, nb.producer_id);
    assert_int_equal(3, nb.producer_epoch);
    assert_int_equal(17, nb.base_sequence);
    assert_true(kafka_batch_has_delete_horizon(&nb));
    assert_int_equal(999999, kafka_batch_delete_horizon(&nb));
    assert_int_equal(999999, nb.first_timestamp);
    assert_int_equal(5030, nb.max_timestamp);
    assert_int_equal(KAFKA_NO_TIMESTAMP, kafka_batch_delete_horizon(&ob));
    assert_int_equal(0, kafka_record_iter_init(&it, &nb, 0, NULL));
    int64_t want_off[] = {1001, 1003}, want_ts[] = {5010, 5030};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(1, kafka_record_iter_next(&it, &rec, NULL));
        assert_int_equal(want_off[i], rec.offset);
        assert_int_equal(want_ts[i], rec.timestamp);
        tu_assert_bytes(tu_str("odd"), rec.key);
        assert_int_equal(1, rec.header_count);
    }
    assert_int_equal(-1, rec.value.len);
    assert_int_equal(0, kafka_record_iter_next(&it, &rec, NULL));
    kafka_record_iter_free(&it);

    /* A last offset below the last record, or too far above the base. */
    q.last_offset = 1002;
    kafka_batch_builder_reset(&b, &q);
    kafka_record_in_t r = {.timestamp = 1, .key = tu_str("k"), .value = tu_str("v")};
    assert_int_equal(0, kafka_batch_builder_add_at(&b, 1003, &r));
    size_t len = out.len;
    assert_int_equal(KAFKA_EINVAL, kafka_batch_builder_finish(&b, &out));
    assert_int_equal(len, out.len);
    q.last_offset = 1000 + (int64_t)INT32_MAX + 1;
    kafka_batch_builder_reset(&b, &q);
    assert_int_equal(KAFKA_EINVAL, kafka_batch_builder_finish(&b, &out));

    kafka_batch_builder_free(&b);
    kafka_buf_free(&orig);
    kafka_buf_free(&same);
    kafka_buf_free(&out);
}

static void test_empty_batch(void **state) {
    (void)state;
    kafka_batch_params_t p;
    kafka_batch_params_init(&p);
    p.base_offset = 50;
    p.partition_leader_epoch = 2;
    p.codec = KAFKA_CODEC_GZIP;
    p.producer_id = 9;
    p.producer_epoch = 1;
    p.base_sequence = 100;
    p.log_append_time = true;
    p.delete_horizon = true;
    p.override_last_offset = true;
    p.last_offset = 59;
    kafka_buf_t out = KAFKA_BUF_INIT;
    assert_int_equal(0, kafka_batch_empty_build(&out, &p, 12345));
    assert_int_equal(KAFKA_BATCH_V2_OVERHEAD, out.len);
    kafka_batch_t b;
    assert_int_equal(0, kafka_batch_parse(out.ptr, out.len, 0, &b, NULL));
    assert_int_equal(50, b.base_offset);
    assert_int_equal(9, b.last_offset_delta);
    assert_int_equal(0, b.record_count);
    assert_int_equal(KAFKA_CODEC_NONE, kafka_batch_codec(&b));
    assert_true(kafka_batch_is_log_append_time(&b));
    assert_false(kafka_batch_has_delete_horizon(&b));
    assert_int_equal(KAFKA_NO_TIMESTAMP, b.first_timestamp);
    assert_int_equal(12345, b.max_timestamp);
    assert_int_equal(9, b.producer_id);
    assert_int_equal(1, b.producer_epoch);
    assert_int_equal(100, b.base_sequence);
    assert_int_equal(2, b.partition_leader_epoch);
    kafka_record_iter_t it;
    kafka_record_t rec;
    assert_int_equal(0, kafka_record_iter_init(&it, &b, 0, NULL));
    assert_int_equal(0, kafka_record_iter_next(&it, &rec, NULL));
    kafka_record_iter_free(&it);
    /* Without an override the batch covers its base offset only. */
    p.override_last_offset = false;
    out.len = 0;
    assert_int_equal(0, kafka_batch_empty_build(&out, &p, 1));
    assert_int_equal(0, kafka_batch_parse(out.ptr, out.len, 0, &b, NULL));
    assert_int_equal(0, b.last_offset_delta);
    p.override_last_offset = true;
    p.last_offset = 49;
    assert_int_equal(KAFKA_EINVAL, kafka_batch_empty_build(&out, &p, 1));
    assert_int_equal(KAFKA_BATCH_V2_OVERHEAD, out.len);
    kafka_buf_free(&out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_codecs),
        cmocka_unit_test(test_one_mib_values),
        cmocka_unit_test(test_reencode_exact),
        cmocka_unit_test(test_multiple_batches_and_partial_tail),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_record_errors),
        cmocka_unit_test(test_control_batch),
        cmocka_unit_test(test_builder_offsets),
        cmocka_unit_test(test_rebuild_for_compaction),
        cmocka_unit_test(test_empty_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
