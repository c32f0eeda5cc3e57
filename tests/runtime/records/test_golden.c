/* Golden batches and message sets captured from real clients (librdkafka,
 * kafka-python, kafkajs; see golden/capture.py and golden/manifest.json):
 * each parses, every record matches what the script produced, uncompressed
 * batches re-encode to the same bytes, decompressed payloads equal our own
 * encoding of the same records, each passes produce validation, and
 * conversions to the other format families keep every record. */
#include "testutil.h"

#include <jansson.h>

#include "kafka/legacy_records.h"

#ifndef RECORDS_GOLDEN_DIR
#error "RECORDS_GOLDEN_DIR must name the golden directory"
#endif

typedef struct exp_rec {
    kafka_bytes_t key, value;
    int64_t timestamp;
    int nheaders;
    kafka_header_t headers[8];
} exp_rec_t;

typedef struct golden {
    const char *file;
    const char *client;
    int magic;
    int codec;
    int produce_version;
    int n;
    exp_rec_t *recs;
} golden_t;

static json_t *manifest;

static kafka_bytes_t from_hex(json_t *v) {
    if (json_is_null(v))
        return (kafka_bytes_t){NULL, -1};
    const char *s = json_string_value(v);
    assert_non_null(s);
    size_t n = strlen(s) / 2;
    uint8_t *b = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        unsigned x;
        sscanf(s + 2 * i, "%2x", &x);
        b[i] = (uint8_t)x;
    }
    return (kafka_bytes_t){b, (int32_t)n};
}

static int codec_id(const char *name) {
    for (int c = 0; c < KAFKA_CODEC_COUNT; c++)
        if (strcmp(kafka_codec_name(c), name) == 0)
            return c;
    fail_msg("unknown codec %s", name);
    return -1;
}

static void load_golden(json_t *f, golden_t *g) {
    g->file = json_string_value(json_object_get(f, "file"));
    g->client = json_string_value(json_object_get(f, "client"));
    g->magic = (int)json_integer_value(json_object_get(f, "magic"));
    g->codec = codec_id(json_string_value(json_object_get(f, "codec")));
    g->produce_version = (int)json_integer_value(json_object_get(f, "produce_version"));
    json_t *recs = json_object_get(f, "records");
    g->n = (int)json_array_size(recs);
    g->recs = calloc((size_t)g->n, sizeof *g->recs);
    for (int i = 0; i < g->n; i++) {
        json_t *r = json_array_get(recs, (size_t)i);
        g->recs[i].key = from_hex(json_object_get(r, "key"));
        g->recs[i].value = from_hex(json_object_get(r, "value"));
        g->recs[i].timestamp = json_integer_value(json_object_get(r, "timestamp"));
        json_t *hs = json_object_get(r, "headers");
        g->recs[i].nheaders = (int)json_array_size(hs);
        assert_true(g->recs[i].nheaders <= 8);
        for (int k = 0; k < g->recs[i].nheaders; k++) {
            json_t *h = json_array_get(hs, (size_t)k);
            g->recs[i].headers[k].key = tu_str(strdup(json_string_value(json_array_get(h, 0))));
            g->recs[i].headers[k].value = from_hex(json_array_get(h, 1));
        }
    }
}

static void free_golden(golden_t *g) {
    for (int i = 0; i < g->n; i++) {
        free((void *)g->recs[i].key.ptr);
        free((void *)g->recs[i].value.ptr);
        for (int k = 0; k < g->recs[i].nheaders; k++) {
            free((void *)g->recs[i].headers[k].key.ptr);
            free((void *)g->recs[i].headers[k].value.ptr);
        }
    }
    free(g->recs);
}

static uint8_t *load_file(const golden_t *g, size_t *len) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", RECORDS_GOLDEN_DIR, g->file);
    return tu_read_file(path, len);
}

static void check_fields(const golden_t *g, int i, kafka_bytes_t key, kafka_bytes_t value,
                         int64_t ts) {
    if (i >= g->n)
        fail_msg("%s: more than the %d records expected", g->file, g->n);
    const exp_rec_t *e = &g->recs[i];
    if (ts != e->timestamp)
        fail_msg("%s record %d: timestamp expected %lld, got %lld", g->file, i,
                 (long long)e->timestamp, (long long)ts);
    tu_assert_bytes(e->key, key);
    tu_assert_bytes(e->value, value);
}

/* Iterate a magic-2 records field against the manifest; returns the count. */
static int check_v2(const golden_t *g, const uint8_t *buf, size_t len, bool headers,
                    int expect_codec) {
    kafka_batch_iter_t bi;
    kafka_batch_t b;
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    kafka_batch_iter_init(&bi, buf, len, 0);
    int i = 0, rc;
    while ((rc = kafka_batch_iter_next(&bi, &b, &err)) == 1) {
        if (expect_codec >= 0)
            assert_int_equal(expect_codec, kafka_batch_codec(&b));
        kafka_record_iter_t it;
        assert_int_equal(0, kafka_record_iter_init(&it, &b, 16u << 20, &err));
        kafka_record_t r;
        int in_batch = 0;
        while ((rc = kafka_record_iter_next(&it, &r, &err)) == 1) {
            check_fields(g, i, r.key, r.value, r.timestamp);
            assert_int_equal(b.base_offset + in_batch, r.offset);
            if (headers) {
                const exp_rec_t *e = &g->recs[i];
                assert_int_equal(e->nheaders, r.header_count);
                kafka_header_iter_t hi;
                kafka_header_iter_init(&hi, &r);
                kafka_header_t h;
                for (int k = 0; k < e->nheaders; k++) {
                    assert_int_equal(1, kafka_header_iter_next(&hi, &h));
                    tu_assert_bytes(e->headers[k].key, h.key);
                    tu_assert_bytes(e->headers[k].value, h.value);
                }
            }
            i++;
            in_batch++;
        }
        if (rc < 0)
            fail_msg("%s: record %d: %s", g->file, i, err.reason);
        kafka_record_iter_free(&it);
    }
    if (rc < 0)
        fail_msg("%s: batch: %s", g->file, err.reason);
    return i;
}

/* The decompressed (or plain) records of every batch equal our own encoding
 * of the same records; plain batches re-encode to identical bytes. */
static void check_reencode(const golden_t *g, const uint8_t *buf, size_t len) {
    kafka_batch_iter_t bi;
    kafka_batch_t b;
    kafka_batch_iter_init(&bi, buf, len, 0);
    while (kafka_batch_iter_next(&bi, &b, NULL) == 1) {
        kafka_buf_t again = KAFKA_BUF_INIT;
        tu_reencode(b.data, b.size, &again);
        if (kafka_batch_codec(&b) == KAFKA_CODEC_NONE) {
            if (again.len != b.size || memcmp(again.ptr, b.data, b.size) != 0)
                fail_msg("%s: re-encoded batch differs from the client's", g->file);
        } else {
            /* Ours compresses differently; what it compresses must match. */
            kafka_batch_t ours;
            assert_int_equal(0, kafka_batch_parse(again.ptr, again.len, 0, &ours, NULL));
            kafka_record_iter_t theirs, mine;
            assert_int_equal(0, kafka_record_iter_init(&theirs, &b, 16u << 20, NULL));
            assert_int_equal(0, kafka_record_iter_init(&mine, &ours, 16u << 20, NULL));
            if (mine.owned.len != theirs.owned.len ||
                memcmp(mine.owned.ptr, theirs.owned.ptr, mine.owned.len) != 0)
                fail_msg("%s: decompressed records differ from our encoding of them", g->file);
            kafka_record_iter_free(&theirs);
            kafka_record_iter_free(&mine);
        }
        kafka_buf_free(&again);
    }
}

static void check_validates(const golden_t *g, const uint8_t *buf, size_t len) {
    kafka_validate_opts_t o;
    kafka_validate_opts_init(&o);
    o.produce_version = (int16_t)g->produce_version;
    kafka_validate_info_t info;
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    int rc = kafka_records_validate(buf, len, &o, &info, &err);
    if (rc)
        fail_msg("%s: validation answered %d: %s", g->file, kafka_rec_err_wire(&err), err.reason);
    assert_int_equal(g->n, info.record_count);
    assert_int_equal(g->magic, info.magic);
    assert_int_equal(g->codec, info.codec);
}

static int check_legacy(const golden_t *g, const uint8_t *buf, size_t len, int magic,
                        int expect_codec) {
    kafka_legacy_iter_t sh;
    kafka_legacy_msg_t m;
    kafka_legacy_iter_init(&sh, buf, len, 0);
    while (kafka_legacy_iter_next(&sh, &m, NULL) == 1) {
        assert_int_equal(magic, m.magic);
        if (expect_codec >= 0)
            assert_int_equal(expect_codec, kafka_legacy_codec(&m));
    }
    kafka_legacy_deep_iter_t it;
    kafka_rec_err_t err;
    kafka_rec_err_clear(&err);
    kafka_legacy_deep_init(&it, buf, len, 0, 16u << 20);
    int i = 0, rc;
    int64_t prev = -1;
    while ((rc = kafka_legacy_deep_next(&it, &m, &err)) == 1) {
        check_fields(g, i, m.key, m.value, magic == 0 ? KAFKA_NO_TIMESTAMP : m.timestamp);
        if (i > 0 && m.offset != prev + 1)
            fail_msg("%s record %d: offset %lld after %lld", g->file, i, (long long)m.offset,
                     (long long)prev);
        prev = m.offset;
        i++;
    }
    kafka_legacy_deep_free(&it);
    if (rc < 0)
        fail_msg("%s: record %d: %s", g->file, i, err.reason);
    return i;
}

static void test_golden_files(void **state) {
    (void)state;
    json_t *files = json_object_get(manifest, "files");
    assert_true(json_array_size(files) >= 20);
    for (size_t f = 0; f < json_array_size(files); f++) {
        golden_t g;
        load_golden(json_array_get(files, f), &g);
        size_t len;
        uint8_t *buf = load_file(&g, &len);
        print_message("%-28s %-44s %d records\n", g.file, g.client, g.n);
        assert_int_equal(g.magic, kafka_records_magic(buf, len));
        kafka_rec_err_t err;
        kafka_rec_err_clear(&err);
        kafka_buf_t conv = KAFKA_BUF_INIT, back = KAFKA_BUF_INIT;
        if (g.magic == 2) {
            assert_int_equal(g.n, check_v2(&g, buf, len, true, g.codec));
            check_reencode(&g, buf, len);
            /* Down to what old consumers read, when the codec allows. */
            for (int8_t m = 0; m <= 1 && g.codec != KAFKA_CODEC_ZSTD; m++) {
                conv.len = 0;
                assert_int_equal(0, kafka_v2_to_legacy(buf, len, m, NULL, &conv, &err));
                golden_t lg = g;
                exp_rec_t *saved = g.recs;
                exp_rec_t *copy = calloc((size_t)g.n, sizeof *copy);
                memcpy(copy, g.recs, (size_t)g.n * sizeof *copy);
                for (int i = 0; i < g.n && m == 0; i++)
                    copy[i].timestamp = KAFKA_NO_TIMESTAMP;
                lg.recs = copy;
                assert_int_equal(g.n, check_legacy(&lg, conv.ptr, conv.len, m, g.codec));
                free(copy);
                g.recs = saved;
            }
        } else {
            assert_int_equal(g.n, check_legacy(&g, buf, len, g.magic, g.codec));
            /* Up to magic 2 for storage, and back down to the same magic. */
            assert_int_equal(0, kafka_legacy_to_v2(buf, len, NULL, &conv, &err));
            assert_int_equal(g.n, check_v2(&g, conv.ptr, conv.len, false, g.codec));
            assert_int_equal(
                0, kafka_v2_to_legacy(conv.ptr, conv.len, (int8_t)g.magic, NULL, &back, &err));
            assert_int_equal(g.n, check_legacy(&g, back.ptr, back.len, g.magic, g.codec));
        }
        check_validates(&g, buf, len);
        kafka_buf_free(&conv);
        kafka_buf_free(&back);
        free(buf);
        free_golden(&g);
    }
}

/* kafka-python's magic-0 lz4 carries the header checksum of old Kafka;
 * ours, written for magic 0, is byte-identical in that header. */
static void test_magic0_lz4_header(void **state) {
    (void)state;
    json_t *files = json_object_get(manifest, "files");
    int seen = 0;
    for (size_t f = 0; f < json_array_size(files); f++) {
        golden_t g;
        load_golden(json_array_get(files, f), &g);
        if (g.magic == 0 && g.codec == KAFKA_CODEC_LZ4) {
            size_t len;
            uint8_t *buf = load_file(&g, &len);
            kafka_legacy_msg_t w;
            assert_int_equal(0, kafka_legacy_parse(buf, len, 0, &w, NULL));
            const uint8_t *frame = w.value.ptr;
            kafka_buf_t plain = KAFKA_BUF_INIT, z = KAFKA_BUF_INIT, strict = KAFKA_BUF_INIT;
            assert_int_equal(0, kafka_lz4_decompress(KAFKA_LZ4_LEGACY_HC, frame,
                                                     (size_t)w.value.len, 1 << 24, &plain));
            int strict_rc = kafka_lz4_decompress(0, frame, (size_t)w.value.len, 1 << 24, &strict);
            assert_int_equal(0, kafka_lz4_compress(KAFKA_LEVEL_DEFAULT, KAFKA_LZ4_LEGACY_HC,
                                                   plain.ptr, plain.len, &z));
            size_t hl = 7 + ((frame[4] & 0x08) ? 8 : 0);
            print_message("%s: FLG %02x BD %02x HC %02x (ours %02x), strict read %s\n", g.file,
                          frame[4], frame[5], frame[hl - 1], z.ptr[6],
                          strict_rc ? "refused" : "accepted");
            if (hl == 7 && frame[4] == z.ptr[4] && frame[5] == z.ptr[5])
                assert_int_equal(frame[6], z.ptr[6]);
            seen++;
            kafka_buf_free(&plain);
            kafka_buf_free(&strict);
            kafka_buf_free(&z);
            free(buf);
        }
        free_golden(&g);
    }
    assert_true(seen >= 1);
}

static int setup(void **state) {
    (void)state;
    json_error_t jerr;
    manifest = json_load_file(RECORDS_GOLDEN_DIR "/manifest.json", 0, &jerr);
    if (!manifest) {
        fprintf(stderr, "manifest: %s\n", jerr.text);
        return -1;
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    json_decref(manifest);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_files),
        cmocka_unit_test(test_magic0_lz4_header),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
