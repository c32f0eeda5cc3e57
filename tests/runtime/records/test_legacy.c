/* Legacy message sets (magic 0 and 1): writing and reading back with every
 * legacy codec, inner offsets (relative for magic 1, absolute for magic 0),
 * timestamps and their type, and the checks Kafka makes on wrappers. */
#include "testutil.h"

#include "kafka/crc32c.h"
#include "kafka/legacy_records.h"

static const int legacy_codecs[] = {KAFKA_CODEC_NONE, KAFKA_CODEC_GZIP, KAFKA_CODEC_SNAPPY,
                                    KAFKA_CODEC_LZ4};
#define NLEG (sizeof legacy_codecs / sizeof *legacy_codecs)

typedef struct msg {
    int64_t offset;
    int64_t timestamp;
    kafka_bytes_t key, value;
} msg_t;

static msg_t msgs[] = {
    {1000, 1600000000000, {(const uint8_t *)"k0", 2}, {(const uint8_t *)"hello", 5}},
    {1001, 1600000000007, {NULL, -1}, {(const uint8_t *)"no key", 6}},
    {1002, 1599999999999, {(const uint8_t *)"", 0}, {(const uint8_t *)"", 0}},
    {1005, 1600000000100, {(const uint8_t *)"tomb", 4}, {NULL, -1}},
};
#define NMSG 4

static void build_set(int8_t magic, int codec, bool lat, kafka_buf_t *out) {
    kafka_legacy_builder_t b;
    assert_int_equal(
        0, kafka_legacy_builder_init(&b, magic, codec, KAFKA_LEVEL_DEFAULT, lat, 1700000000000));
    for (int i = 0; i < NMSG; i++)
        assert_int_equal(0, kafka_legacy_builder_add(&b, msgs[i].offset, msgs[i].timestamp,
                                                     msgs[i].key, msgs[i].value));
    assert_int_equal(0, kafka_legacy_builder_finish(&b, out));
    kafka_legacy_builder_free(&b);
}

static void test_roundtrip(void **state) {
    (void)state;
    for (int8_t magic = 0; magic <= 1; magic++) {
        for (size_t c = 0; c < NLEG; c++) {
            for (int lat = 0; lat <= magic; lat++) {
                kafka_buf_t set = KAFKA_BUF_INIT;
                build_set(magic, legacy_codecs[c], lat, &set);
                /* Shallow view: one wrapper, or one message per record. */
                kafka_legacy_iter_t sh;
                kafka_legacy_msg_t m;
                kafka_rec_err_t err;
                kafka_rec_err_clear(&err);
                kafka_legacy_iter_init(&sh, set.ptr, set.len, 0);
                int shallow = 0;
                while (kafka_legacy_iter_next(&sh, &m, &err) == 1) {
                    assert_int_equal(magic, m.magic);
                    if (legacy_codecs[c] != KAFKA_CODEC_NONE) {
                        assert_int_equal(1005, m.offset); /* the last inner offset */
                        assert_int_equal(-1, m.key.len);
                        assert_int_equal(legacy_codecs[c], kafka_legacy_codec(&m));
                        if (magic == 1)
                            assert_int_equal(lat ? 1700000000000 : 1600000000100, m.timestamp);
                    }
                    shallow++;
                }
                assert_int_equal(0, err.code);
                assert_int_equal(legacy_codecs[c] == KAFKA_CODEC_NONE ? NMSG : 1, shallow);
                /* Deep view: every record as written. */
                kafka_legacy_deep_iter_t it;
                kafka_legacy_deep_init(&it, set.ptr, set.len, 0, 0);
                for (int i = 0; i < NMSG; i++) {
                    int rc = kafka_legacy_deep_next(&it, &m, &err);
                    if (rc != 1)
                        fail_msg("magic %d %s: record %d: got %d (%s)", magic,
                                 kafka_codec_name(legacy_codecs[c]), i, rc,
                                 err.reason ? err.reason : "");
                    assert_int_equal(msgs[i].offset, m.offset);
                    int64_t ts =
                        magic == 0 ? KAFKA_NO_TIMESTAMP : (lat ? 1700000000000 : msgs[i].timestamp);
                    assert_int_equal(ts, m.timestamp);
                    assert_int_equal(lat, m.log_append_time);
                    tu_assert_bytes(msgs[i].key, m.key);
                    tu_assert_bytes(msgs[i].value, m.value);
                }
                assert_int_equal(0, kafka_legacy_deep_next(&it, &m, &err));
                kafka_legacy_deep_free(&it);
                kafka_buf_free(&set);
            }
        }
    }
}

static void test_message_layout(void **state) {
    (void)state;
    /* One magic-1 message byte by byte. */
    kafka_buf_t out = KAFKA_BUF_INIT;
    assert_int_equal(
        0, kafka_legacy_write(&out, 1, 7, 0, 0x0102030405060708, tu_str("ab"), tu_str("xyz")));
    static const uint8_t want[] = {
        0, 0, 0, 0,  0,   0,   0,   7, /* offset */
        0, 0, 0, 27,                   /* size */
        0, 0, 0, 0,                    /* crc, checked below */
        1, 0,                          /* magic, attributes */
        1, 2, 3, 4,  5,   6,   7,   8, /* timestamp */
        0, 0, 0, 2,  'a', 'b',         /* key */
        0, 0, 0, 3,  'x', 'y', 'z',    /* value */
    };
    assert_int_equal(sizeof want, out.len);
    assert_memory_equal(want, out.ptr, 12);
    assert_memory_equal(want + 16, out.ptr + 16, sizeof want - 16);
    uint32_t crc = (uint32_t)out.ptr[12] << 24 | (uint32_t)out.ptr[13] << 16 |
                   (uint32_t)out.ptr[14] << 8 | out.ptr[15];
    assert_int_equal(kafka_crc32(0, out.ptr + 16, sizeof want - 16), crc);
    kafka_buf_free(&out);
}

/* Wrap an arbitrary inner set in a compressed wrapper, for error cases. */
static void wrap(kafka_buf_t *out, int8_t magic, int codec, int64_t offset, const kafka_buf_t *in) {
    kafka_buf_t z = KAFKA_BUF_INIT;
    assert_int_equal(0, kafka_compress(codec, KAFKA_LEVEL_DEFAULT,
                                       magic == 0 ? KAFKA_LZ4_LEGACY_HC : 0, in->ptr, in->len, &z));
    assert_int_equal(0, kafka_legacy_write(out, magic, offset, (int8_t)codec, 0, tu_bytes(NULL, -1),
                                           tu_bytes(z.ptr, (int32_t)z.len)));
    kafka_buf_free(&z);
}

static int deep_all(const kafka_buf_t *set, kafka_rec_err_t *err, int64_t *first_offset) {
    kafka_legacy_deep_iter_t it;
    kafka_legacy_deep_init(&it, set->ptr, set->len, 0, 0);
    kafka_legacy_msg_t m;
    kafka_rec_err_clear(err);
    int rc, n = 0;
    while ((rc = kafka_legacy_deep_next(&it, &m, err)) == 1)
        if (n++ == 0 && first_offset)
            *first_offset = m.offset;
    kafka_legacy_deep_free(&it);
    return rc;
}

static void test_wrapper_rules(void **state) {
    (void)state;
    kafka_rec_err_t err;
    kafka_buf_t inner = KAFKA_BUF_INIT, set = KAFKA_BUF_INIT;
    int64_t first = -1;

    /* Magic 1: relative inner offsets 0..2, wrapper at 52 -> 50..52. */
    for (int i = 0; i < 3; i++)
        kafka_legacy_write(&inner, 1, i, 0, 10 + i, tu_str("k"), tu_str("v"));
    wrap(&set, 1, KAFKA_CODEC_GZIP, 52, &inner);
    assert_int_equal(0, deep_all(&set, &err, &first));
    assert_int_equal(50, first);
    /* A wrapper offset of 0 (producers that leave it unset) keeps them as is. */
    set.len = 0;
    wrap(&set, 1, KAFKA_CODEC_GZIP, 0, &inner);
    assert_int_equal(0, deep_all(&set, &err, &first));
    assert_int_equal(0, first);
    /* Below the last relative offset and not 0: INVALID_RECORD. */
    set.len = 0;
    wrap(&set, 1, KAFKA_CODEC_SNAPPY, 1, &inner);
    assert_int_equal(KAFKA_EINVAL, deep_all(&set, &err, NULL));
    assert_int_equal(KAFKA_REC_ERR_INVALID_RECORD, kafka_rec_err_wire(&err));
    /* Magic 0: absolute inner offsets, wrapper offset not used. */
    inner.len = 0;
    for (int i = 0; i < 3; i++)
        kafka_legacy_write(&inner, 0, 100 + i, 0, 0, tu_str("k"), tu_str("v"));
    set.len = 0;
    wrap(&set, 0, KAFKA_CODEC_LZ4, 102, &inner);
    assert_int_equal(0, deep_all(&set, &err, &first));
    assert_int_equal(100, first);
    /* Inner magic differs from the wrapper's. */
    set.len = 0;
    wrap(&set, 1, KAFKA_CODEC_GZIP, 102, &inner);
    assert_int_equal(KAFKA_EINVAL, deep_all(&set, &err, NULL));
    assert_int_equal(KAFKA_REC_ERR_INVALID_RECORD, kafka_rec_err_wire(&err));
    assert_int_equal(0, err.batch_index);
    assert_int_equal(0, err.record_index);
    /* An inner message that is itself compressed. */
    kafka_buf_t nested = KAFKA_BUF_INIT;
    wrap(&nested, 0, KAFKA_CODEC_GZIP, 5, &inner);
    set.len = 0;
    wrap(&set, 0, KAFKA_CODEC_GZIP, 5, &nested);
    assert_int_equal(KAFKA_EINVAL, deep_all(&set, &err, NULL));
    assert_int_equal(KAFKA_REC_ERR_INVALID_RECORD, kafka_rec_err_wire(&err));
    /* An inner message with a bad CRC: CORRUPT_MESSAGE. */
    inner.ptr[inner.len - 1] ^= 1;
    set.len = 0;
    wrap(&set, 0, KAFKA_CODEC_SNAPPY, 5, &inner);
    assert_int_equal(KAFKA_ECRC, deep_all(&set, &err, NULL));
    assert_int_equal(KAFKA_REC_ERR_CORRUPT_MESSAGE, kafka_rec_err_wire(&err));
    assert_int_equal(2, err.record_index);
    inner.ptr[inner.len - 1] ^= 1;
    /* A truncated inner set (Kafka would drop the tail silently). */
    kafka_buf_t cut = {inner.ptr, inner.len - 3, inner.cap};
    set.len = 0;
    wrap(&set, 0, KAFKA_CODEC_GZIP, 5, &cut);
    assert_int_equal(KAFKA_ETRUNC, deep_all(&set, &err, NULL));
    assert_int_equal(KAFKA_REC_ERR_CORRUPT_MESSAGE, kafka_rec_err_wire(&err));
    /* No inner messages at all. */
    kafka_buf_t empty = KAFKA_BUF_INIT;
    set.len = 0;
    wrap(&set, 0, KAFKA_CODEC_GZIP, 5, &empty);
    assert_int_equal(KAFKA_EINVAL, deep_all(&set, &err, NULL));
    /* Null wrapper value; zstd; unknown codec. */
    set.len = 0;
    kafka_legacy_write(&set, 1, 0, KAFKA_CODEC_GZIP, 0, tu_bytes(NULL, -1), tu_bytes(NULL, -1));
    assert_int_equal(KAFKA_EINVAL, deep_all(&set, &err, NULL));
    set.len = 0;
    kafka_legacy_write(&set, 1, 0, KAFKA_CODEC_ZSTD, 0, tu_bytes(NULL, -1), tu_str("x"));
    assert_int_equal(KAFKA_EINVAL, deep_all(&set, &err, NULL));
    assert_int_equal(KAFKA_REC_ERR_INVALID_RECORD, kafka_rec_err_wire(&err));
    set.len = 0;
    kafka_legacy_write(&set, 1, 0, 6, 0, tu_bytes(NULL, -1), tu_str("x"));
    assert_int_equal(KAFKA_EUNSUPPORTED, deep_all(&set, &err, NULL));
    /* Compressed garbage. */
    set.len = 0;
    kafka_legacy_write(&set, 1, 0, KAFKA_CODEC_LZ4, 0, tu_bytes(NULL, -1), tu_str("garbage"));
    assert_int_equal(KAFKA_ECOMPRESS, deep_all(&set, &err, NULL));
    assert_int_equal(KAFKA_REC_ERR_CORRUPT_MESSAGE, kafka_rec_err_wire(&err));
    kafka_buf_free(&inner);
    kafka_buf_free(&set);
    kafka_buf_free(&nested);
}

static void test_parse_errors(void **state) {
    (void)state;
    kafka_buf_t m = KAFKA_BUF_INIT;
    kafka_legacy_write(&m, 0, 3, 0, 0, tu_str("key"), tu_str("value"));
    kafka_legacy_msg_t out;
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    assert_int_equal(0, kafka_legacy_parse(m.ptr, m.len, 0, &out, &err));
    assert_int_equal(3, out.offset);
    assert_int_equal(KAFKA_NO_TIMESTAMP, out.timestamp);
    /* Every flipped bit after the magic: CRC mismatch (a bad magic is
     * refused before, also as CORRUPT_MESSAGE). */
    for (size_t i = 17; i < m.len; i++) {
        m.ptr[i] ^= 4;
        kafka_rec_err_clear(&err);
        assert_int_equal(KAFKA_ECRC, kafka_legacy_parse(m.ptr, m.len, 0, &out, &err));
        assert_int_equal(KAFKA_REC_ERR_CORRUPT_MESSAGE, kafka_rec_err_wire(&err));
        m.ptr[i] ^= 4;
    }
    /* Every truncation. */
    for (size_t n = 0; n < m.len; n++) {
        kafka_rec_err_clear(&err);
        assert_int_equal(KAFKA_ETRUNC, kafka_legacy_parse(m.ptr, n, 0, &out, &err));
    }
    /* Size below the overhead; key length past the end (CRC skipped to
     * reach the structure check). */
    m.ptr[11] = 13;
    assert_int_equal(KAFKA_EINVAL, kafka_legacy_parse(m.ptr, m.len, 0, &out, &err));
    m.ptr[11] = (uint8_t)(m.len - 12);
    m.ptr[21] = 9;
    kafka_rec_err_clear(&err);
    assert_int_equal(KAFKA_EINVAL,
                     kafka_legacy_parse(m.ptr, m.len, KAFKA_RECORDS_SKIP_CRC, &out, &err));
    assert_int_equal(KAFKA_REC_ERR_CORRUPT_MESSAGE, kafka_rec_err_wire(&err));
    m.ptr[21] = 3;
    /* Magic 2 is not a legacy message. */
    m.ptr[16] = 2;
    assert_int_equal(KAFKA_EINVAL,
                     kafka_legacy_parse(m.ptr, m.len, KAFKA_RECORDS_SKIP_CRC, &out, &err));
    kafka_buf_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_message_layout),
        cmocka_unit_test(test_wrapper_rules),
        cmocka_unit_test(test_parse_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
